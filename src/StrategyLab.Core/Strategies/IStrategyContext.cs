using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
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
}
