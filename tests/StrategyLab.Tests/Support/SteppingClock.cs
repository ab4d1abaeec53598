using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace StrategyLab.Tests.Support;

/// <summary>
/// A fake clock that knows every timer created on it, so a test can run time-driven code to completion quickly:
/// wait until the code is idle (no new timers for a moment), then jump to the earliest pending timer, and repeat.
/// A day of one-minute bar syncs takes a second of real time.
/// </summary>
public sealed class SteppingClock : TimeProvider
{
    private readonly FakeTimeProvider _fake;
    private readonly Lock _gate = new();
    private readonly List<Tracked> _timers = [];
    private long _created;

    public SteppingClock(DateTime startUtc)
    {
        _fake = new FakeTimeProvider(new DateTimeOffset(startUtc, TimeSpan.Zero));
    }

    public DateTime UtcNow => _fake.GetUtcNow().UtcDateTime;

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new Tracked(this);
        lock (_gate)
        {
            tracked.Set(UtcNow, dueTime, period);
            _timers.Add(tracked);
            _created++;
        }

        tracked.Inner = _fake.CreateTimer(
            s =>
            {
                lock (_gate)
                {
                    tracked.Fired(UtcNow);
                }

                callback(s);
            },
            state,
            dueTime,
            period);
        return tracked;
    }

    /// <summary>Runs scheduled work at <paramref name="atUtc"/> on this clock.</summary>
    public void At(DateTime atUtc, Action action)
    {
        var due = atUtc - UtcNow;
        _ = CreateTimer(_ => action(), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Steps time until <paramref name="work"/> completes or the clock passes <paramref name="limitUtc"/>; fails when the
    /// code is idle with no timer to wake it (it would hang).
    /// </summary>
    public async Task RunAsync(Task work, DateTime limitUtc)
    {
        var guard = DateTime.UtcNow.AddSeconds(60);
        while (!work.IsCompleted)
        {
            await WaitIdleAsync(work);
            if (work.IsCompleted)
            {
                break;
            }

            var next = NextDue();
            for (var waited = 0; next is null && !work.IsCompleted && waited < 3000; waited += 10)
            {
                // Busy (a slow machine), not idle: give it time to reach its next wait.
                await Task.WhenAny(work, Task.Delay(10));
                next = NextDue();
            }

            if (work.IsCompleted)
            {
                break;
            }

            if (next is null)
            {
                throw new InvalidOperationException($"The code under test is idle at {UtcNow:O} with no timer pending.");
            }

            if (next > limitUtc)
            {
                break;
            }

            if (DateTime.UtcNow > guard)
            {
                throw new TimeoutException($"Stepping did not finish in 60 s of real time (clock at {UtcNow:O}).");
            }

            var delta = next.Value - UtcNow;
            _fake.Advance(delta > TimeSpan.Zero ? delta : TimeSpan.Zero);
        }

        if (work.IsCompleted)
        {
            await work; // surface exceptions
        }
    }

    private DateTime? NextDue()
    {
        lock (_gate)
        {
            _timers.RemoveAll(t => t.Disposed || t.Due is null);
            return _timers.Count == 0 ? null : _timers.Min(t => t.Due);
        }
    }

    private async Task WaitIdleAsync(Task work)
    {
        // Idle = no new timer for a few milliseconds of real time (the code has reached its next wait). A window that ran
        // late says the machine is too busy to tell idle from slow (a CI run stepped a live run past its auto-stop while
        // it was still connecting at the open): such a window counts only when ten in a row saw no new timer.
        // Work queued on the thread pool and not yet started (a continuation of the code under test waiting for a
        // thread) is not idle either: a CI run stepped past the auto-stop while the live run's wake-up at the open was
        // still queued. Other tests' work shares the pool, so that check gives way after a while.
        const int lateWindowsEnough = 10;
        const int queuedWindowsEnough = 50;
        var lateQuiet = 0;
        var queuedQuiet = 0;
        while (!work.IsCompleted)
        {
            long seen;
            lock (_gate)
            {
                seen = _created;
            }

            var started = Stopwatch.GetTimestamp();
            await Task.WhenAny(work, Task.Delay(8));
            var late = Stopwatch.GetElapsedTime(started) > TimeSpan.FromMilliseconds(25);
            if (Interlocked.Read(ref _created) != seen)
            {
                lateQuiet = 0;
                queuedQuiet = 0;
                continue;
            }

            if (ThreadPool.PendingWorkItemCount > 0 && ++queuedQuiet < queuedWindowsEnough)
            {
                continue;
            }

            if (!late || ++lateQuiet >= lateWindowsEnough)
            {
                return;
            }
        }
    }

    private sealed class Tracked(SteppingClock owner) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public DateTime? Due { get; private set; }

        public bool Disposed { get; private set; }

        private TimeSpan _period;

        public void Set(DateTime now, TimeSpan due, TimeSpan period)
        {
            Due = due == Timeout.InfiniteTimeSpan ? null : now + due;
            _period = period;
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Set(owner.UtcNow, dueTime, period);
                owner._created++;
            }

            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            Disposed = true;
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return Inner.DisposeAsync();
        }

        internal void Fired(DateTime now)
        {
            Due = _period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan ? now + _period : null;
        }
    }
}
