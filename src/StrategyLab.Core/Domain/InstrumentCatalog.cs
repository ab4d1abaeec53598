using System.Globalization;

namespace StrategyLab.Core.Domain;

/// <summary>The direction a price is rounded to its instrument's increment.</summary>
public enum PriceRounding
{
    /// <summary>To the increment at or below the price.</summary>
    Down,

    /// <summary>To the increment at or above the price.</summary>
    Up,
}

/// <summary>A user's override of an instrument's trading increments (<c>instruments</c> in the configuration).</summary>
/// <param name="PriceIncrement">The smallest price step (tick size), or null for the built-in rule.</param>
/// <param name="QuantityStep">The smallest quantity step (lot size), or null for the built-in rule.</param>
public readonly record struct InstrumentOverride(decimal? PriceIncrement, decimal? QuantityStep);

/// <summary>
/// The price increment (tick size) and quantity step (lot size) of each instrument, which protective levels, trailing
/// stops and position sizes are rounded to.
/// </summary>
/// <remarks>
/// <para>Where the increments come from, first match wins:</para>
/// <list type="number">
/// <item>A configured override (<see cref="InstrumentOverride"/>) for the symbol.</item>
/// <item>US equities: the sub-penny rule (SEC Rule 612): $0.01 at or above $1, $0.0001 below $1; whole shares.</item>
/// <item>Crypto pairs in <see cref="CryptoInstrumentTable"/> (the common Binance and Coinbase pairs).</item>
/// <item>Other crypto pairs: the finest decimal place seen in the pair's own bars (<see cref="Observe"/>), or
/// 10<sup>-8</sup> before any bar; quantities in steps of 10<sup>-8</sup>.</item>
/// </list>
/// <para>An instance belongs to one run: it remembers the decimals of the bars it has seen. Not thread-safe.</para>
/// </remarks>
public sealed class InstrumentCatalog
{
    /// <summary>The finest step used when nothing else is known (one satoshi).</summary>
    public const decimal FinestStep = 0.00000001m;

    private static readonly decimal[] PowersOfTen = BuildPowersOfTen();
    private readonly Dictionary<Symbol, InstrumentOverride> _overrides;
    private readonly Dictionary<Symbol, Entry> _entries = [];

    /// <summary>Creates a catalog with the built-in rules and the given overrides.</summary>
    /// <param name="overrides">Per-symbol overrides; each given increment must be positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">An override is zero or negative.</exception>
    public InstrumentCatalog(IReadOnlyDictionary<Symbol, InstrumentOverride>? overrides = null)
    {
        _overrides = overrides is null ? [] : new Dictionary<Symbol, InstrumentOverride>(overrides);
        foreach (var (symbol, o) in _overrides)
        {
            if (o.PriceIncrement is <= 0 || o.QuantityStep is <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(overrides), $"The increments of {symbol} must be positive.");
            }
        }
    }

    /// <summary>
    /// True when the price increment of <paramref name="symbol"/> is learnt from its bars: the caller should pass them to
    /// <see cref="Observe"/> (for every other symbol that call does nothing, so it can be skipped).
    /// </summary>
    public bool LearnsFromBars(Symbol symbol) => EntryOf(symbol).LearnsFromBars;

    /// <summary>Notes the decimals of a bar's prices, for a symbol whose increment is learnt from its data.</summary>
    public void Observe(in Bar bar)
    {
        var entry = EntryOf(bar.Symbol);
        if (!entry.LearnsFromBars)
        {
            return;
        }

        var scale = Math.Max(Math.Max(bar.Open.Scale, bar.High.Scale), Math.Max(bar.Low.Scale, bar.Close.Scale));
        if (scale > entry.ObservedScale)
        {
            entry.ObservedScale = scale;
        }
    }

    /// <summary>The price increment of <paramref name="symbol"/> at the price <paramref name="price"/>.</summary>
    public decimal PriceIncrement(Symbol symbol, decimal price)
    {
        var entry = EntryOf(symbol);
        if (entry.PriceIncrement is { } fixedIncrement)
        {
            return fixedIncrement;
        }

        if (symbol.AssetClass == AssetClass.UsEquity)
        {
            return price >= 1m ? 0.01m : 0.0001m;
        }

        return entry.ObservedScale < 0 ? FinestStep : PowersOfTen[Math.Min(entry.ObservedScale, PowersOfTen.Length - 1)];
    }

    /// <summary>The quantity step of <paramref name="symbol"/> (1 for US equities: whole shares).</summary>
    public decimal QuantityStep(Symbol symbol) => EntryOf(symbol).QuantityStep;

    /// <summary>
    /// Rounds <paramref name="price"/> to a multiple of the symbol's increment, in the given direction. A price that is
    /// already a multiple is returned unchanged.
    /// </summary>
    public decimal RoundPrice(Symbol symbol, decimal price, PriceRounding direction)
    {
        var increment = PriceIncrement(symbol, price);
        var steps = price / increment;
        return (direction == PriceRounding.Down ? decimal.Floor(steps) : decimal.Ceiling(steps)) * increment;
    }

    /// <summary>Rounds a quantity down to the symbol's quantity step (never up: an order never exceeds what was sized).</summary>
    public decimal RoundQuantityDown(Symbol symbol, decimal quantity)
    {
        var step = QuantityStep(symbol);
        return decimal.Floor(quantity / step) * step;
    }

    /// <summary>Describes the increments of <paramref name="symbol"/> at <paramref name="price"/>, e.g. for a log line.</summary>
    public string Describe(Symbol symbol, decimal price) => string.Create(
        CultureInfo.InvariantCulture,
        $"{symbol}: price increment {PriceIncrement(symbol, price)}, quantity step {QuantityStep(symbol)}");

    private static decimal[] BuildPowersOfTen()
    {
        var powers = new decimal[21];
        var p = 1m;
        for (var i = 0; i < powers.Length; i++)
        {
            powers[i] = p;
            p /= 10m;
        }

        return powers;
    }

    private Entry EntryOf(Symbol symbol)
    {
        if (_entries.TryGetValue(symbol, out var entry))
        {
            return entry;
        }

        var o = _overrides.GetValueOrDefault(symbol);
        entry = new Entry();
        if (symbol.AssetClass == AssetClass.UsEquity)
        {
            entry.PriceIncrement = o.PriceIncrement;
            entry.QuantityStep = o.QuantityStep ?? 1m;
        }
        else
        {
            var known = CryptoInstrumentTable.TryGet(symbol.Ticker, out var spec);
            entry.PriceIncrement = o.PriceIncrement ?? (known ? spec.PriceIncrement : null);
            entry.QuantityStep = o.QuantityStep ?? (known ? spec.QuantityStep : FinestStep);
            entry.LearnsFromBars = entry.PriceIncrement is null;
        }

        _entries.Add(symbol, entry);
        return entry;
    }

    private sealed class Entry
    {
        public decimal? PriceIncrement { get; set; }

        public decimal QuantityStep { get; set; } = 1m;

        public bool LearnsFromBars { get; set; }

        public int ObservedScale { get; set; } = -1;
    }
}
