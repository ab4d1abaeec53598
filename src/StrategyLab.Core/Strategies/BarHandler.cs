using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Strategies;

/// <summary>
/// Receives a completed bar of a higher timeframe the strategy subscribed to with
/// <see cref="IStrategyContext.Subscribe(Timeframe, BarHandler)"/>.
/// </summary>
/// <param name="bar">The higher-timeframe bar, complete; <see cref="Bar.End"/> is the decision time.</param>
/// <param name="context">The strategy's context (the same one <see cref="IStrategy.OnBar"/> gets).</param>
public delegate void BarHandler(in Bar bar, IStrategyContext context);
