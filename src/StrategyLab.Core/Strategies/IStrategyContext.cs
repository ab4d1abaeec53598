using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Strategies;

/// <summary>What a strategy can see and do. Provided by the engine; valid only during the call it is passed to.</summary>
public interface IStrategyContext
{
    /// <summary>Now: the end of the bar being handled (the decision time), UTC.</summary>
    DateTime TimeUtc { get; }

    /// <summary>The symbols of the run, in the deterministic order of a time slice.</summary>
    IReadOnlyList<Symbol> Symbols { get; }

    /// <summary>The timeframe of the bars the strategy receives.</summary>
    Timeframe Timeframe { get; }

    /// <summary>True while the engine feeds warm-up bars (history before a live session): intents are ignored.</summary>
    bool IsWarmingUp { get; }

    /// <summary>The calendar of a symbol's market.</summary>
    IMarketCalendar CalendarOf(Symbol symbol);

    /// <summary>
    /// The session the current decision belongs to for <paramref name="symbol"/> (a decision at the close instant
    /// belongs to the session it closes), or null when the market is closed.
    /// </summary>
    TradingSession? CurrentSession(Symbol symbol);

    /// <summary>The last <paramref name="count"/> bars of a symbol, oldest first, ending with the current one (fewer at the start).</summary>
    ReadOnlySpan<Bar> History(Symbol symbol, int count);

    /// <summary>The portfolio (read it; change it only through orders).</summary>
    Portfolio Portfolio { get; }

    /// <summary>Signed quantity held in <paramref name="symbol"/>.</summary>
    decimal PositionOf(Symbol symbol);

    /// <summary>True when an entry order for <paramref name="symbol"/> is working.</summary>
    bool HasPendingEntry(Symbol symbol);

    /// <summary>Open orders of a symbol (entries and protective exits).</summary>
    IEnumerable<Order> OpenOrdersOf(Symbol symbol);

    /// <summary>Asks to go long <paramref name="symbol"/>; the trade manager sizes it and attaches the risk exits.</summary>
    void EnterLong(Symbol symbol, string reason = "signal");

    /// <summary>Asks to go short <paramref name="symbol"/>; the trade manager sizes it and attaches the risk exits.</summary>
    void EnterShort(Symbol symbol, string reason = "signal");

    /// <summary>Asks to close any position in <paramref name="symbol"/> and cancel its orders; <paramref name="reason"/> becomes the exit reason.</summary>
    void Exit(Symbol symbol, string reason = "signal");

    /// <summary>Submits an order directly (no sizing, no attached exits); it still goes through the venue's checks.</summary>
    Order SubmitOrder(OrderRequest request);

    /// <summary>Cancels an open order.</summary>
    bool CancelOrder(long orderId);

    /// <summary>A logger for the strategy's own events.</summary>
    ILogger Log { get; }

    // --- targets ---

    /// <summary>
    /// Asks to hold <paramref name="percentOfEquity"/> percent of the equity in <paramref name="symbol"/> (25 = a
    /// quarter of the equity, negative = short, 0 = flat). The trade manager turns it into one order at the orders step:
    /// quantity = percent × equity ÷ last close, rounded toward zero to the instrument's quantity step, minus what is
    /// held. Increases respect buying power and the entry limits; reductions are never blocked. A later target for the
    /// symbol replaces this one. <paramref name="reason"/> becomes the order tag and the trade's exit reason.
    /// </summary>
    void SetTarget(Symbol symbol, decimal percentOfEquity, string reason = "target");

    /// <summary>
    /// Asks to hold <paramref name="quantity"/> of <paramref name="symbol"/> (signed: negative = short), rounded toward
    /// zero to the instrument's quantity step; otherwise as <see cref="SetTarget"/>.
    /// </summary>
    void SetTargetQuantity(Symbol symbol, decimal quantity, string reason = "target");

    /// <summary>Asks to close every position and cancel every open order of the run's symbols.</summary>
    void Liquidate(string reason = "liquidate");

    /// <summary>Asks to close the position in <paramref name="symbol"/> and cancel all its open orders.</summary>
    void Liquidate(Symbol symbol, string reason = "liquidate");
    // --- schedules ---

    /// <summary>Registers scheduled callbacks (at a time of day, after the open, before the close, every N bars); use it in <see cref="IStrategy.Initialize"/>.</summary>
    IStrategySchedule Schedule { get; }
    // --- timeframes ---

    /// <summary>
    /// Subscribes to bars of a higher <paramref name="timeframe"/> built from the run's bars, for every symbol. Call it
    /// from <see cref="IStrategy.Initialize"/>. Higher bars follow the same session-aligned windows as the rest of the
    /// engine (a 15m bar covers 09:30–09:45, a 1d bar the whole session, early closes cut the last window short).
    /// A higher bar is delivered in the slice ending at its window's end, after <see cref="IStrategy.OnBar"/> has seen
    /// that slice's base bars (symbols in slice order, shorter timeframes first); when no slice ends exactly there
    /// (the window's last base bar is missing), in the first later slice. Each window is delivered once, whole; a
    /// window still open when the data ends is never delivered. Live warm-up bars feed it too.
    /// </summary>
    /// <exception cref="StrategyConfigurationException">
    /// The timeframe cannot be built from the run's bars (finer, or not a whole multiple); the key is
    /// <c>data.timeframe</c>.
    /// </exception>
    /// <exception cref="InvalidOperationException">Called after <see cref="IStrategy.Initialize"/>.</exception>
    void Subscribe(Timeframe timeframe, BarHandler handler);

    /// <summary>As <see cref="Subscribe(Timeframe, BarHandler)"/>, delivering only the bars of <paramref name="symbol"/>.</summary>
    /// <exception cref="ArgumentException">The symbol is not part of the run.</exception>
    void Subscribe(Symbol symbol, Timeframe timeframe, BarHandler handler);

    /// <summary>
    /// The last <paramref name="count"/> completed bars of <paramref name="timeframe"/> for a symbol, oldest first
    /// (fewer at the start; at most <c>EngineOptions.HistoryCapacity</c>). In a handler the newest is the bar being
    /// delivered. The run's own timeframe gives <see cref="History(Symbol, int)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing subscribed to <paramref name="timeframe"/>.</exception>
    ReadOnlySpan<Bar> History(Symbol symbol, Timeframe timeframe, int count);

    // --- plots ---

    /// <summary>
    /// Records a point of the custom chart series <paramref name="series"/> at the current time (written to
    /// <c>plots.csv</c>, drawn as a line under the price chart of <c>report.html</c>). Points plotted during warm-up
    /// are not recorded. Plotting a series twice at one time keeps both points.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The name is empty, longer than 64 characters, or has a control character; or the value is
    /// NaN or infinite.
    /// </exception>
    void Plot(string series, double value);

    /// <summary>As <see cref="Plot(string, double)"/>, for a series that belongs to <paramref name="symbol"/>.</summary>
    /// <exception cref="ArgumentException">As <see cref="Plot(string, double)"/>, or the symbol is not part of the run.</exception>
    void Plot(Symbol symbol, string series, double value);

    /// <summary>
    /// As <see cref="Plot(Symbol, string, double)"/>, drawn where <paramref name="pane"/> says: <see cref="PlotPane.Price"/>
    /// over the symbol's candles (a level or an average the strategy trades on), <see cref="PlotPane.Indicator"/> in a
    /// pane under them (an oscillator). A series keeps the pane of its first point. Series over the price charts are
    /// recorded only when the run writes a report (<c>output.report</c>); <c>plots.csv</c> names each point's pane.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Plot(Symbol, string, double)"/>, or the pane is not a <see cref="PlotPane"/>.</exception>
    void Plot(Symbol symbol, string series, double value, PlotPane pane);

    /// <summary>
    /// False when plots on the <see cref="PlotPane.Price"/> and <see cref="PlotPane.Indicator"/> panes are dropped (the
    /// run writes no report, as in a sweep, or none of the run's recorders records plot points): a strategy may then
    /// skip computing the values it would plot there. <see cref="PlotPane.Strategy"/> plots are recorded whenever a
    /// recorder records plot points.
    /// </summary>
    bool RecordsOverlayPlots => true;
}
