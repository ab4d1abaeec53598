using StrategyLab.Core.Domain;
using StrategyLab.Core.Risk;

namespace StrategyLab.Core.Engine;

// Target positions (SetTarget, SetTargetQuantity, Liquidate): intents like the others, acted on by the trade manager
// (TradeManager.Targets.cs) at the orders step, after exits and before entries.
public sealed partial class TradingEngine
{
    private void AddTarget(Symbol symbol, IntentKind kind, decimal value, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (_states.Get(symbol) is null)
        {
            throw new ArgumentException($"{symbol} is not part of this run.", nameof(symbol));
        }

        _intents.Add(new Intent(symbol, kind, reason, value));
    }

    private void AddLiquidateAll(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        foreach (var symbol in _symbols)
        {
            _intents.Add(new Intent(symbol, IntentKind.Liquidate, reason));
        }
    }

    private sealed partial class Context
    {
        public void SetTarget(Symbol symbol, decimal percentOfEquity, string reason = "target") =>
            engine.AddTarget(symbol, IntentKind.TargetPercent, percentOfEquity, reason);

        public void SetTargetQuantity(Symbol symbol, decimal quantity, string reason = "target") =>
            engine.AddTarget(symbol, IntentKind.TargetQuantity, quantity, reason);

        public void Liquidate(string reason = "liquidate") => engine.AddLiquidateAll(reason);

        public void Liquidate(Symbol symbol, string reason = "liquidate") =>
            engine.AddTarget(symbol, IntentKind.Liquidate, 0m, reason);
    }
}
