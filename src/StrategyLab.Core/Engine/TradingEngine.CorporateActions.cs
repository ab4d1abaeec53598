using Microsoft.Extensions.Logging;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Engine;

/// <summary>Splits and dividends of raw-price runs (<see cref="EngineOptions.CorporateActions"/>).</summary>
public sealed partial class TradingEngine
{
    /// <summary>
    /// Applies every pending split and dividend of <paramref name="state"/>'s symbol dated on or before the session of
    /// <paramref name="bar"/>, before that bar reaches the venue: the account and open orders move to post-action terms.
    /// </summary>
    private void ApplyCorporateActions(SymbolState state, in Bar bar)
    {
        var date = state.Session!.Date;
        while (state.NextAction is { } action && action.ExDate <= date)
        {
            state.AdvanceAction();
            AppliedCorporateAction applied;
            if (action.Kind == CorporateActionKind.Split)
            {
                var (before, after, cash) = _portfolio.ApplySplit(action.Symbol, action.SplitRatio, bar.Start);
                var orders = _venue is ISplitAwareVenue exchange ? exchange.ApplySplit(action.Symbol, action.SplitRatio, bar.Start) : 0;
                applied = new AppliedCorporateAction(action, bar.Start, before, after, cash, orders);
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    _logger.LogInformation(
                        EngineEvents.CorporateSplit,
                        "{Symbol} split {Ratio} for 1 on {ExDate:yyyy-MM-dd}: position {Before} -> {After}, cash in lieu {Cash}, {Orders} open order(s) rescaled",
                        action.Symbol,
                        action.SplitRatio,
                        action.ExDate,
                        before,
                        after,
                        cash,
                        orders);
                }
            }
            else
            {
                var before = _portfolio.QuantityOf(action.Symbol);
                var cash = _portfolio.ApplyDividend(action.Symbol, action.DividendPerShare);
                applied = new AppliedCorporateAction(action, bar.Start, before, before, cash, 0);
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    _logger.LogInformation(
                        EngineEvents.CorporateDividend,
                        "{Symbol} dividend {PerShare} per share ex {ExDate:yyyy-MM-dd}: position {Quantity}, cash {Cash}",
                        action.Symbol,
                        action.DividendPerShare,
                        action.ExDate,
                        before,
                        cash);
                }
            }

            _recorder.OnCorporateAction(applied);
        }
    }
}
