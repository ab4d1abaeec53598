using System.Reflection;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Core.Engine;

/// <summary>
/// The engine's calls into the strategy, each guarded: whatever user code throws becomes a
/// <see cref="StrategyException"/> naming the strategy and the callback, and the strategy is silenced so that the
/// runner can still cancel orders and write the run folder without calling it again.
/// </summary>
public sealed partial class TradingEngine
{
    /// <summary>
    /// Wraps what <paramref name="callback"/> threw and silences the strategy (its pending intents are dropped). Call it
    /// from a <c>catch (Exception e) when (e is not StrategyException)</c>: an exception already wrapped by a nested call
    /// (an order event raised inside <c>OnBar</c>) passes through unchanged.
    /// </summary>
    private StrategyException StrategyFailed(string callback, Exception inner)
    {
        var name = _options.StrategyName ?? _strategy.GetType().GetCustomAttribute<StrategyAttribute>()?.Name ?? _strategy.GetType().Name;
        _strategy = SilencedStrategy.Instance;
        _scheduled = null; // its scheduled events and timeframe handlers are user code too
        _feeds = null;
        _intents.Clear();
        return new StrategyException(name, callback, inner);
    }

    private void StrategyInitialize()
    {
        try
        {
            _strategy.Initialize(_context);
        }
        catch (Exception e) when (e is not StrategyException and not StrategyConfigurationException)
        {
            // A configuration error found at Initialize (a timeframe subscription the run's bars cannot build) stays
            // a configuration error (exit 2, naming its key), not a failure of the strategy's code.
            throw StrategyFailed(nameof(IStrategy.Initialize), e);
        }
    }

    private void SessionOpen(Symbol symbol, TradingSession session)
    {
        try
        {
            _strategy.OnSessionOpen(symbol, session, _context);
        }
        catch (Exception e) when (e is not StrategyException)
        {
            throw StrategyFailed(nameof(IStrategy.OnSessionOpen), e);
        }
    }

    private void WarmUpBar(in Bar bar)
    {
        try
        {
            _strategy.OnBar(bar, _context);
        }
        catch (Exception e) when (e is not StrategyException)
        {
            throw StrategyFailed(nameof(IStrategy.OnBar), e);
        }
    }

    private void StrategyOrderEvent(in OrderEvent orderEvent)
    {
        try
        {
            _strategy.OnOrderEvent(orderEvent, _context);
        }
        catch (Exception e) when (e is not StrategyException)
        {
            throw StrategyFailed(nameof(IStrategy.OnOrderEvent), e);
        }
    }

    /// <summary>What runs in place of a strategy that threw: nothing.</summary>
    private sealed class SilencedStrategy : IStrategy
    {
        public static readonly SilencedStrategy Instance = new();

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }
}
