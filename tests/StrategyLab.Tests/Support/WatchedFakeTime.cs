using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.FakeServers.Common;

namespace StrategyLab.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports the timers created on it, so a test can wait until the code under
/// test has really started a wait (e.g. a 2 s back-off) before advancing the clock: no race between "the code logged that
/// it will wait" and "the code registered the wait".
/// </summary>
public sealed class WatchedFakeTime : TimeProvider
{
    private readonly ConcurrentQueue<(TimeSpan Due, TimeSpan Period)> _timers = new();
    private readonly StateSignal _signal = new();

    /// <summary>The clock behind it; advance it to move time.</summary>
    public FakeTimeProvider Clock { get; } = new();

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override long GetTimestamp() => Clock.GetTimestamp();

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Clock.CreateTimer(callback, state, dueTime, period);
        _timers.Enqueue((dueTime, period));
        _signal.Pulse();
        return timer;
    }

    /// <summary>Advances the clock.</summary>
    public void Advance(TimeSpan delta) => Clock.Advance(delta);

    /// <summary>Returns once <paramref name="count"/> one-shot waits of exactly <paramref name="due"/> were started.</summary>
    public Task WaitForDelayAsync(TimeSpan due, int count = 1) =>
        _signal.WaitUntilAsync(
            () => _timers.Count(t => t.Due == due && t.Period == Timeout.InfiniteTimeSpan) >= count,
            TimeSpan.FromSeconds(10),
            () => "timers: " + string.Join(", ", _timers.Select(t => $"{t.Due}/{t.Period}")),
            TestContext.Current.CancellationToken);
}
