using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Strategies;

/// <summary>
/// A trading strategy. It sees completed bars (at their end time) and expresses intents through the context
/// (<see cref="IStrategyContext.EnterLong"/>, <see cref="IStrategyContext.Exit"/>…); the trade manager turns them into
/// sized orders with stop-loss and take-profit. A strategy never does I/O and never reads the clock: the bar's
/// time and <see cref="IStrategyContext.TimeUtc"/> are its only time.
/// </summary>
/// <remarks>
/// The same instance runs a backtest, a replay and a live session unchanged. Keep per-symbol state in the
/// strategy (a dictionary keyed by <see cref="Symbol"/>), and keep <see cref="OnBar"/> allocation-free: it runs
/// for every bar.
/// </remarks>
public interface IStrategy
{
    /// <summary>
    /// Bars of history each indicator needs before the strategy's signals mean anything (the largest indicator
    /// period, say). The engine honours it: it ignores a symbol's intents until that symbol has seen this many bars,
    /// and a live run warms up with at least this many bars of history. 0 (the default) for none.
    /// </summary>
    int WarmUpBars => 0;

    /// <summary>
    /// Checks the bound parameters against each other and against the run (e.g. fast &lt; slow, an opening range that
    /// is a whole number of bars). Called once after the parameters are set, before any data loads; throw
    /// <see cref="StrategyConfigurationException"/> naming the parameter's key (<c>strategy.params.&lt;name&gt;</c>).
    /// </summary>
    void ValidateParameters(StrategySetup setup)
    {
    }

    /// <summary>Called once before the first bar, with the symbols of the run.</summary>
    void Initialize(IStrategyContext context)
    {
    }

    /// <summary>Called when a symbol's first bar of a new session arrives, before <see cref="OnBar"/>.</summary>
    void OnSessionOpen(Symbol symbol, TradingSession session, IStrategyContext context)
    {
    }

    /// <summary>Called for each completed bar, in time order; bars of one time slice come in symbol order.</summary>
    void OnBar(in Bar bar, IStrategyContext context);

    /// <summary>Called for every change to an order (accepted, filled, cancelled…), after the portfolio was updated.</summary>
    void OnOrderEvent(in OrderEvent orderEvent, IStrategyContext context)
    {
    }
}
