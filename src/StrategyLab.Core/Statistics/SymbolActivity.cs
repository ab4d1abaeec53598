using StrategyLab.Core.Accounting;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Statistics;

/// <summary>
/// Follows each symbol's position from the fills, for the per-symbol attribution and the trades' excursions: the
/// signed quantity, the highest and lowest price held through (see <see cref="TradeExcursion"/>), the equity marks
/// with the position open, fees, trades and wins.
/// </summary>
/// <remarks>
/// Per bar: nothing while no position is open, else one array read (by the symbol's dense id) and two comparisons; no allocation after a
/// symbol's first fill. A closing fill reaches <see cref="OnRoundTrip"/> (raised while the portfolio applies it) before
/// <see cref="OnFill"/>, so a trip is measured on the state its own closing fill has not yet changed.
/// </remarks>
internal sealed class SymbolActivity
{
    private readonly Dictionary<Symbol, State> _states = [];

    // The same states by the symbol's dense id: the per-bar and per-fill look-ups are one array read.
    private readonly SymbolTable<State> _byId = new();
    private int _open;

    /// <summary>Widens the held range of the bar's symbol when its position was open for the whole bar.</summary>
    public void OnBar(in Bar bar)
    {
        // The entry time as ticks: DateTime's operator compares ticks too, but stayed a call in the engine's inlined loop.
        if (_open == 0 || _byId.Get(bar.Symbol) is not { } s || DecimalCompare.IsZero(s.Quantity) || bar.Start.Ticks < s.EntryTicks)
        {
            return;
        }

        if (DecimalCompare.Greater(bar.High, s.High))
        {
            s.High = bar.High;
        }

        if (DecimalCompare.Less(bar.Low, s.Low))
        {
            s.Low = bar.Low;
        }
    }

    /// <summary>Applies a fill: fees, quantity, and the start or end of a holding period.</summary>
    /// <param name="fill">The fill.</param>
    /// <param name="marks">Equity marks recorded before it.</param>
    public void OnFill(in Fill fill, long marks)
    {
        var s = StateOf(fill.Symbol);
        s.Fees += fill.Commission;
        var before = s.Quantity;
        var after = before + fill.SignedQuantity;
        if (before != 0 && (after == 0 || Math.Sign(after) != Math.Sign(before)))
        {
            Close(s, marks);
        }

        if (after != 0 && (before == 0 || Math.Sign(after) != Math.Sign(before)))
        {
            Open(s, fill.Price, fill.TimeUtc, marks);
        }
        else if (after != 0)
        {
            Widen(s, fill.Price); // scaling in or out: the fill's price was held
        }

        s.Quantity = after;
    }

    /// <summary>Measures a closed round trip and counts it for its symbol.</summary>
    public TradeExcursion OnRoundTrip(RoundTrip trip)
    {
        var s = StateOf(trip.Symbol);
        s.Trades++;
        var net = trip.NetPnl;
        s.Net += net;
        if (net > 0)
        {
            s.Wins++;
        }

        // A trip closed without a fill seen (a split's cash in lieu) has no held range: its entry and exit bound it.
        var high = Math.Max(trip.EntryPrice, trip.ExitPrice);
        var low = Math.Min(trip.EntryPrice, trip.ExitPrice);
        if (s.HasRange)
        {
            high = Math.Max(high, s.High);
            low = Math.Min(low, s.Low);
        }

        var q = trip.Quantity;
        var e = trip.Direction == TradeDirection.Long
            ? new TradeExcursion(Math.Min(0m, (low - trip.EntryPrice) * q), Math.Max(0m, (high - trip.EntryPrice) * q))
            : new TradeExcursion(Math.Min(0m, (trip.EntryPrice - high) * q), Math.Max(0m, (trip.EntryPrice - low) * q));
        return e;
    }

    /// <summary>A split rescales the held range and the quantity; a position paid out in cash ends.</summary>
    public void OnCorporateAction(AppliedCorporateAction applied, long marks)
    {
        var s = StateOf(applied.Action.Symbol);
        if (applied.Action.Kind == CorporateActionKind.Split && applied.Action.SplitRatio > 0)
        {
            s.High /= applied.Action.SplitRatio;
            s.Low /= applied.Action.SplitRatio;
        }

        if (s.Quantity != 0 && applied.QuantityAfter == 0)
        {
            Close(s, marks);
        }

        s.Quantity = applied.QuantityAfter;
    }

    /// <summary>The attribution of every symbol that had a fill or a trade, by ticker.</summary>
    /// <param name="marks">Equity marks recorded: the exposure's denominator, and the end of the periods still open.</param>
    public List<SymbolAttribution> Attribution(long marks)
    {
        var rows = new List<SymbolAttribution>(_states.Count);
        foreach (var (symbol, s) in _states.OrderBy(kv => kv.Key))
        {
            var exposed = s.ExposedMarks + (s.Quantity != 0 ? marks - s.OpenSinceMark : 0);
            rows.Add(new SymbolAttribution(
                symbol.Ticker,
                s.Trades,
                s.Wins,
                s.Trades == 0 ? null : (double)s.Wins / s.Trades,
                s.Net,
                s.Fees,
                marks == 0 ? 0 : Math.Clamp((double)exposed / marks, 0, 1)));
        }

        return rows;
    }

    private void Open(State s, decimal price, DateTime timeUtc, long marks)
    {
        _open++;
        s.EntryTicks = timeUtc.Ticks;
        s.High = price;
        s.Low = price;
        s.HasRange = true;
        s.OpenSinceMark = marks;
    }

    private void Close(State s, long marks)
    {
        _open--;
        s.ExposedMarks += marks - s.OpenSinceMark;
    }

    private static void Widen(State s, decimal price)
    {
        s.High = Math.Max(s.High, price);
        s.Low = Math.Min(s.Low, price);
    }

    private State StateOf(Symbol symbol)
    {
        if (_byId.Get(symbol) is not { } s)
        {
            s = new State();
            _states.Add(symbol, s);
            _byId.Set(symbol, s);
        }

        return s;
    }

    private sealed class State
    {
        public decimal Quantity { get; set; }

        /// <summary>Ticks of the entry time (the start of the holding period).</summary>
        public long EntryTicks { get; set; }

        public decimal High { get; set; }

        public decimal Low { get; set; }

        public bool HasRange { get; set; }

        public long OpenSinceMark { get; set; }

        public long ExposedMarks { get; set; }

        public int Trades { get; set; }

        public int Wins { get; set; }

        public decimal Net { get; set; }

        public decimal Fees { get; set; }
    }
}
