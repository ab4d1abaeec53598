using Microsoft.Extensions.Logging;
using StrategyLab.Core.Risk;

namespace StrategyLab.Core.Engine;

// IStrategy.WarmUpBars: a symbol's intents are ignored until that symbol has seen that many bars in the run.
public sealed partial class TradingEngine
{
    /// <summary>
    /// Removes (and counts in <see cref="EngineCounters.IntentsSuppressed"/>) the intents of symbols that have seen fewer
    /// than <see cref="Strategies.IStrategy.WarmUpBars"/> bars, logging the first one of each symbol. Order is kept.
    /// </summary>
    private void DropWarmingUpIntents()
    {
        var kept = 0;
        for (var i = 0; i < _intents.Count; i++)
        {
            var intent = _intents[i];
            if (_states.Get(intent.Symbol) is { } state && state.BarsSeen < _warmUpBars)
            {
                Counters.IntentsSuppressed++;
                if (!state.WarmUpLogged)
                {
                    state.WarmUpLogged = true;
                    LogWarmingUp(intent, state.BarsSeen);
                }

                continue;
            }

            _intents[kept++] = intent;
        }

        _intents.RemoveRange(kept, _intents.Count - kept);
    }

    private void LogWarmingUp(Intent intent, long seen)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation(
                EngineEvents.IntentSuppressed,
                "{Symbol}: {Kind} ({Reason}) at {Time:O} ignored while the strategy warms up ({Seen}/{Needed} bars); further ones are only counted",
                intent.Symbol,
                intent.Kind,
                intent.Reason,
                _now,
                seen,
                _warmUpBars);
        }
    }
}
