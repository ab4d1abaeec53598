using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;

namespace StrategyLab.Runner.Live;

/// <summary>A live run's state for a status display.</summary>
/// <param name="NowUtc">When the snapshot was taken.</param>
/// <param name="NextSyncUtc">The next bar-sync wake-up.</param>
/// <param name="Connection">The feed's connection state.</param>
/// <param name="Cycles">Live cycles so far.</param>
/// <param name="LastBars">The last bar acted on per symbol (symbols without one are left out).</param>
/// <param name="Positions">Open positions.</param>
/// <param name="Equity">Equity now.</param>
/// <param name="InitialCash">Equity at the start.</param>
/// <param name="Source">Where bars come from: the provider's name, or <c>replay ×60</c>.</param>
public sealed record LiveStatus(
    DateTime NowUtc,
    DateTime NextSyncUtc,
    FeedConnectionState Connection,
    long Cycles,
    IReadOnlyList<Bar> LastBars,
    IReadOnlyList<Core.Accounting.Position> Positions,
    decimal Equity,
    decimal InitialCash,
    string Source = "");

/// <summary>What the live runner reports to a status display, after every cycle and connection change.</summary>
public interface ILiveStatusSink
{
    /// <summary>The run's state changed.</summary>
    void OnStatus(LiveStatus status);
}
