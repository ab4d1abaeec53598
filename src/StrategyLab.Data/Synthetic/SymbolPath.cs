using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Synthetic;

/// <summary>One generated minute: prices in ticks of 0.01, volume in size units (1 share, or 10^-8 of a coin).</summary>
internal readonly record struct MinuteDraw(long Open, long High, long Low, long Close, long Volume, int TradeCount);

/// <summary>
/// The price path of one synthetic symbol, minute by minute. Each symbol has its own random streams, derived from the
/// market seed and the ticker, so its path does not depend on which other symbols are generated alongside it.
/// </summary>
/// <remarks>
/// The model, per session: a trend regime (up, down or range, persisting from day to day with probability 0.7) sets a
/// drift worth 0.3–0.9 daily standard deviations over the session (range days pull back toward the day's open instead);
/// a volatility regime (calm, normal, stormy) scales the day; the session opens with an overnight gap. Per regular
/// minute the return's volatility is raised after the open (2.5× at 09:30, fading over about half an hour) and a little
/// before the close; volume follows a U shape with spikes at the open and the closing auction and grows with the size
/// of the move. Pre-market and after-hours minutes trade sparsely and thinly. Crypto trades 24 hours with a mild
/// US-hours volume hump and no gaps.
/// </remarks>
internal sealed class SymbolPath
{
    private const double Tick = 0.01;
    private const double EquityRegularMinutes = 390;
    private const double CryptoMinutes = 1440;

    private readonly bool _crypto;
    private readonly double _minuteVolatility;
    private readonly double _dailyVolatility;
    private readonly double _volumePerMinute;
    private readonly double _unitsPerTrade;
    private readonly long _unitsPerVolume; // 1 for shares, 10^8 for coins
    private Xoshiro256 _rng;
    private Xoshiro256 _tradeRng;

    private double _price;
    private bool _started;
    private DateOnly _sessionDate;
    private int _trend; // 0 range, 1 up, 2 down
    private double _volRegime = 1.0;
    private double _drift; // fractional drift per regular minute
    private double _anchor; // range days revert toward this
    private long _regularOpenTicks;
    private long _regularMinutes;
    private DateTime _preOpen;
    private DateTime _regularOpen;
    private DateTime _regularClose;
    private DateTime _afterClose;
    private long _tradeSequence;

    public SymbolPath(SyntheticSymbol spec, ulong seed, IMarketCalendar calendar)
    {
        Spec = spec;
        Calendar = calendar;
        _crypto = spec.Symbol.AssetClass == AssetClass.Crypto;
        var minutes = _crypto ? CryptoMinutes : EquityRegularMinutes;
        _dailyVolatility = spec.DailyVolatility;
        _minuteVolatility = spec.DailyVolatility / Math.Sqrt(minutes);
        _volumePerMinute = spec.AverageDailyVolume / minutes;
        _unitsPerVolume = _crypto ? 100_000_000 : 1;
        _unitsPerTrade = (_crypto ? 0.05 : 150.0) * _unitsPerVolume;
        var tickerSeed = StableHash(spec.Symbol.Ticker) ^ ((ulong)spec.Symbol.AssetClass << 56);
        _rng = new Xoshiro256(Xoshiro256.Mix(seed ^ tickerSeed));
        _tradeRng = new Xoshiro256(Xoshiro256.Mix(seed ^ tickerSeed ^ 0x7472616465UL));
        _price = (double)spec.StartPrice;
    }

    public SyntheticSymbol Spec { get; }

    public Symbol Symbol => Spec.Symbol;

    public IMarketCalendar Calendar { get; }

    /// <summary>Size units per unit of volume: 1 for shares, 10^8 for crypto (8 decimals).</summary>
    public long UnitsPerVolume => _unitsPerVolume;

    /// <summary>Decimal places of the volume: 0 for shares, 8 for crypto.</summary>
    public byte VolumeScale => _crypto ? (byte)8 : (byte)0;

    /// <summary>
    /// Moves the path through the minute starting at <paramref name="minute"/> of <paramref name="segment"/> and
    /// returns whether a bar trades in it (regular minutes always do; extended ones only sometimes).
    /// </summary>
    public bool Step(DateTime minute, TradingSession session, MarketSegment segment, out MinuteDraw draw)
    {
        if (!_started || session.Date != _sessionDate)
        {
            BeginSession(session);
        }

        double volatility;
        double volumeShape;
        double tradeChance;
        if (_crypto)
        {
            var hour = (minute.Ticks / TimeSpan.TicksPerMinute % 1440) / 60.0;
            volatility = 1.0;
            volumeShape = hour is >= 13.5 and < 21 ? 1.5 : 0.8;
            tradeChance = 1.0;
        }
        else if (segment == MarketSegment.Regular)
        {
            var i = (minute.Ticks - _regularOpenTicks) / TimeSpan.TicksPerMinute;
            var x = _regularMinutes > 1 ? i / (double)(_regularMinutes - 1) : 0.5;
            var fromOpen = 15.0 / (15.0 + i);
            var spike = 5.0 / (5.0 + i);
            var nearClose = i >= _regularMinutes - 15;
            volatility = 1.0 + (1.5 * fromOpen * fromOpen) + (nearClose ? 0.3 : 0.0);
            volumeShape = 0.55 + (6.0 * (x - 0.5) * (x - 0.5)) + (2.0 * spike * spike) + (i >= _regularMinutes - 2 ? 1.5 : 0.0);
            tradeChance = 1.0;
        }
        else if (segment == MarketSegment.PreMarket)
        {
            var progress = (minute - _preOpen).Ticks / (double)(_regularOpen - _preOpen).Ticks;
            volatility = 0.5;
            volumeShape = 0.03 + (0.1 * progress);
            tradeChance = 0.08 + (0.5 * progress * progress);
        }
        else
        {
            var progress = (minute - _regularClose).Ticks / (double)(_afterClose - _regularClose).Ticks;
            volatility = 0.5;
            volumeShape = 0.02 + (0.12 * (1 - progress) * (1 - progress));
            tradeChance = 0.05 + (0.5 * (1 - progress) * (1 - progress));
        }

        var z = _rng.NextGaussian();
        _rng.NextTriple(out var jumpDraw, out var tradeDraw, out var noiseDraw);
        if (jumpDraw < 0.002)
        {
            z *= 4.0; // a rare jump: fat tails
        }

        var sigma = _minuteVolatility * _volRegime * volatility;
        var reversion = _trend == 0 ? 0.01 * (_anchor - _price) / _price : 0.0;
        var next = _price * (1.0 + _drift + reversion + (sigma * z));
        if (next < 10 * Tick)
        {
            next = 10 * Tick;
        }

        var trades = tradeDraw < tradeChance;
        var open = ToTicks(_price);
        _price = next;
        if (!trades)
        {
            draw = default;
            return false;
        }

        var close = ToTicks(next);
        var wick = sigma * next * (1.6 / Tick);
        _rng.NextPair(out var u1, out var u2);
        var high = Math.Max(open, close) + (long)(u1 * u1 * wick);
        var low = Math.Min(open, close) - (long)(u2 * u2 * wick);
        if (low < 1)
        {
            low = 1;
        }

        var noise = 0.4 + (1.2 * noiseDraw);
        var volume = (long)(_volumePerMinute * _unitsPerVolume * volumeShape * noise * (1.0 + (0.5 * Math.Abs(z))));
        if (volume < 4)
        {
            volume = 4;
        }

        var count = (long)(volume / _unitsPerTrade);
        count = count < 4 ? 4 : count > 64 ? 64 : count;
        draw = new MinuteDraw(open, high, low, close, volume, (int)count);
        return true;
    }

    /// <summary>
    /// Splits a minute into trade prints that aggregate back to exactly that bar: the first at the open, the last at
    /// the close, one each at the high and the low, the rest in between; sizes add up to the volume; times are distinct
    /// and increasing within the minute. Uses its own random stream, so bars are the same whether or not trades are made.
    /// </summary>
    public void SplitIntoTrades(in MinuteDraw draw, Span<long> prices, Span<long> sizes, Span<long> offsetTicks)
    {
        var n = draw.TradeCount;
        var highAt = 1 + _tradeRng.NextInt(n - 2);
        var lowAt = 1 + _tradeRng.NextInt(n - 3);
        if (lowAt >= highAt)
        {
            lowAt++; // distinct from highAt, still within [1, n - 2]
        }

        var range = draw.High - draw.Low;
        var weightSum = 0L;
        for (var i = 0; i < n; i++)
        {
            prices[i] = i == 0 ? draw.Open
                : i == n - 1 ? draw.Close
                : i == highAt ? draw.High
                : i == lowAt ? draw.Low
                : draw.Low + (long)(_tradeRng.NextDouble() * (range + 1));

            // Integer weights in [50, 1050): the sizes are then an exact integer split of the volume.
            sizes[i] = 50 + _tradeRng.NextInt(1000);
            weightSum += sizes[i];

            // Whole milliseconds, one print per 1/n of the minute: distinct and increasing.
            var millis = (long)((i + _tradeRng.NextDouble()) * 60_000.0 / n);
            offsetTicks[i] = millis * TimeSpan.TicksPerMillisecond;
        }

        // Every print gets one unit, the rest is shared by weight; the rounding leftover goes to the last print.
        var rest = draw.Volume - n;
        var given = 0L;
        for (var i = 0; i < n; i++)
        {
            var share = (long)((Int128)rest * sizes[i] / weightSum); // exact integer share
            sizes[i] = 1 + share;
            given += share;
        }

        sizes[n - 1] += rest - given;
    }

    /// <summary>The next trade id of this symbol: <c>TICKER-1</c>, <c>TICKER-2</c> ...</summary>
    public long NextTradeSequence() => ++_tradeSequence;

    private void BeginSession(TradingSession session)
    {
        if (_started)
        {
            // Overnight gap.
            _price *= 1.0 + (0.35 * _dailyVolatility * _volRegime * _rng.NextGaussian());
            if (_price < 10 * Tick)
            {
                _price = 10 * Tick;
            }
        }

        if (!_started || _rng.NextDouble() >= 0.7)
        {
            _trend = _rng.NextInt(3);
        }

        var v = _rng.NextDouble();
        _volRegime = v < 0.25 ? 0.7 : v < 0.85 ? 1.0 : 1.6;
        var strength = 0.3 + (0.6 * _rng.NextDouble());
        var sessionMinutes = _crypto ? CryptoMinutes : (session.RegularClose - session.RegularOpen).TotalMinutes;
        _drift = _trend switch
        {
            1 => strength * _dailyVolatility / sessionMinutes,
            2 => -strength * _dailyVolatility / sessionMinutes,
            _ => 0.0,
        };

        _started = true;
        _sessionDate = session.Date;
        _anchor = _price;
        _regularOpenTicks = session.RegularOpen.Ticks;
        _regularMinutes = (session.RegularClose - session.RegularOpen).Ticks / TimeSpan.TicksPerMinute;
        _preOpen = session.PreMarketOpen;
        _regularOpen = session.RegularOpen;
        _regularClose = session.RegularClose;
        _afterClose = session.AfterHoursClose;
    }

    private static long ToTicks(double price)
    {
        var t = (long)((price * (1 / Tick)) + 0.5); // prices are positive: round half up
        return t < 1 ? 1 : t;
    }

    // FNV-1a over the ticker's UTF-16 code units: stable across runs and platforms (string.GetHashCode is not).
    private static ulong StableHash(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h;
    }
}
