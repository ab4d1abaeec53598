using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Live;

/// <summary>
/// Replay: historical bars streamed through the same engine as a live session, on a clock scaled by <c>speedup</c>
/// (60 = a minute of market time per second; any value &gt; 0; 0 = as fast as possible). Each time slice is released
/// when the scaled clock reaches its end. Closed market time (nights, weekends, holidays) is skipped, not waited
/// through. Because the bars and the engine are the backtest's, a replay makes the same trades as a backtest of the
/// same data.
/// </summary>
public sealed class ReplayRunner
{
    private readonly ResolvedRun _run;
    private readonly IEnumerable<Bar> _bars;
    private readonly EngineAssembly _assembly;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IMarketCalendar _calendar;
    private readonly ILiveStatusSink? _status;
    private long _lastStatusTimestamp;

    /// <summary>Creates a replay of <paramref name="bars"/> (ordered by end time, then symbol).</summary>
    public ReplayRunner(ResolvedRun run, IEnumerable<Bar> bars, EngineAssembly assembly, TimeProvider time, ILoggerFactory loggers, ILiveStatusSink? status = null)
    {
        _status = status;
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(loggers);
        _run = run;
        _bars = bars;
        _assembly = assembly;
        _time = time;
        _logger = loggers.CreateLogger("StrategyLab.Replay");
        _calendar = run.CalendarOf(run.Symbols[0]);
    }

    /// <summary>
    /// A resumed run re-derives what it journalled before it stopped: slices ending at or before this market time are
    /// released without waiting for the scaled clock (null: none).
    /// </summary>
    public DateTime? CatchUpUntilUtc { get; init; }

    /// <summary>Time slices released so far.</summary>
    public long Cycles { get; private set; }

    /// <summary>Replays until the data ends, <c>auto_stop_at</c> (in market time) or cancellation; null when the data ended.</summary>
    /// <exception cref="StrategyException">The strategy threw; open orders were handled per <c>engine.cancel_orders_on_stop</c> first.</exception>
    public async Task<LiveStopReason?> RunAsync(CancellationToken stopToken)
    {
        var speedup = _run.Config.Speedup;
        _logger.LogInformation(
            LiveEvents.Started,
            "replay of {Symbols} on {Timeframe} bars at speedup {Speedup}",
            string.Join(',', _run.Symbols.Select(s => s.Ticker)),
            _run.Timeframe.ToString(),
            speedup == 0 ? "max" : speedup);
        DateTime? stopAt = null;
        DateTime wallAnchor = default;
        DateTime marketAnchor = default;
        TradingSession? session = null;
        var slice = new List<Bar>();
        LiveStopReason? reason = null;
        StrategyException? failure = null;
        try
        {
            foreach (var bar in _bars)
            {
                if (slice.Count > 0 && bar.End != slice[0].End)
                {
                    (reason, wallAnchor, marketAnchor, session, stopAt) = await ReleaseAsync(slice, speedup, wallAnchor, marketAnchor, session, stopAt, stopToken).ConfigureAwait(false);
                    slice.Clear();
                    if (reason is not null)
                    {
                        break;
                    }
                }

                slice.Add(bar);
            }

            if (reason is null && slice.Count > 0)
            {
                (reason, _, _, _, _) = await ReleaseAsync(slice, speedup, wallAnchor, marketAnchor, session, stopAt, stopToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            reason = LiveStopReason.Cancelled;
        }
        catch (StrategyException e)
        {
            failure = e; // the engine silenced the strategy: stop as for any other stop, then report it
        }

        var end = _assembly.Engine.LastSliceTimeUtc;
        if (_run.Config.Engine.CancelOrdersOnStop && (reason is not null || failure is not null))
        {
            _assembly.CancelOpenOrders(end);
        }

        _assembly.Engine.Finish(end);
        _logger.LogInformation(
            LiveEvents.Stopped,
            "replay {Reason}: {Cycles} cycles, {Orders} orders, {Fills} fills, equity {Equity}, {Positions} open position(s)",
            LiveStopReasonText.Describe(failure is not null ? LiveStopReasonText.StrategyError : reason?.ToText() ?? LiveStopReasonText.EndOfData),
            Cycles,
            _assembly.Engine.Counters.OrdersSubmitted,
            _assembly.Engine.Counters.Fills,
            _assembly.Portfolio.Equity,
            _assembly.Portfolio.OpenPositionCount);
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return reason;
    }

    private void PublishStatus(DateTime marketTime)
    {
        // At most five times a second of the replay's clock: a fast replay must not spend its time drawing.
        if (_status is null || _time.GetElapsedTime(_lastStatusTimestamp) < TimeSpan.FromMilliseconds(200))
        {
            return;
        }

        _lastStatusTimestamp = _time.GetTimestamp();
        var lastBars = _run.Symbols.Select(s => _assembly.Engine.LastBar(s)).Where(b => b is not null).Select(b => b!.Value).ToList();
        _status.OnStatus(new LiveStatus(
            marketTime,
            marketTime + _run.Timeframe.Duration,
            Core.Data.FeedConnectionState.Connected,
            Cycles,
            lastBars,
            [.. _assembly.Portfolio.Positions.Where(p => p.IsOpen)],
            _assembly.Portfolio.Equity,
            _assembly.Portfolio.InitialCash,
            _run.Config.Speedup == 0 ? "replay (as fast as possible)" : FormattableString.Invariant($"replay ×{_run.Config.Speedup}")));
    }

    private async Task<(LiveStopReason? Reason, DateTime WallAnchor, DateTime MarketAnchor, TradingSession? Session, DateTime? StopAt)> ReleaseAsync(
        List<Bar> slice, double speedup, DateTime wallAnchor, DateTime marketAnchor, TradingSession? session, DateTime? stopAt, CancellationToken stop)
    {
        var end = slice[0].End;
        var start = slice.Min(b => b.Start);
        stopAt ??= _run.AutoStop?.FirstAfter(start, _calendar);
        if (stopAt is { } at && end > at)
        {
            _logger.LogInformation(LiveEvents.AutoStop, "auto_stop_at {StopAt:O} reached (market time)", at);
            return (LiveStopReason.AutoStop, wallAnchor, marketAnchor, session, stopAt);
        }

        var current = _calendar.SessionAt(start, _run.Config.MarketHours.ExtendedHours);
        if (current is null)
        {
            // Outside the hours in use (pre-market or after-hours bars with extended hours off, say): the replay clock
            // does not wait for them, and the engine leaves them out (and counts them) at once, as in a backtest.
            _assembly.Engine.ProcessSlice(slice.ToArray());
            return (null, wallAnchor, marketAnchor, session, stopAt);
        }

        if (session is null || current.Date != session.Date)
        {
            if (session is not null)
            {
                _logger.LogInformation(LiveEvents.MarketClosedHours, "session {Date:yyyy-MM-dd} ended; skipping closed time", session.Date);
            }

            if (current is not null)
            {
                _logger.LogInformation(LiveEvents.MarketOpen, "session {Date:yyyy-MM-dd}", current.Date);
            }

            // A new session (or bars outside any): restart the scaled clock here instead of waiting through the closure.
            wallAnchor = _time.GetUtcNow().UtcDateTime;
            marketAnchor = start;
            session = current;
        }

        if (CatchUpUntilUtc is { } caughtUpAt && end <= caughtUpAt)
        {
            // Catching up: restart the scaled clock at each slice, so the first slice after the catch-up waits one bar.
            wallAnchor = _time.GetUtcNow().UtcDateTime;
            marketAnchor = end;
        }
        else if (speedup > 0)
        {
            var due = wallAnchor + TimeSpan.FromTicks((long)((end - marketAnchor).Ticks / speedup));
            var wait = due - _time.GetUtcNow().UtcDateTime;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, stop).ConfigureAwait(false);
            }
        }

        stop.ThrowIfCancellationRequested();
        _assembly.Engine.ProcessSlice(slice.ToArray());
        Cycles++;
        PublishStatus(end);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug(LiveEvents.ReplaySlice, "{End:O} ({Count} bar(s))", end, slice.Count);
        }

        return (null, wallAnchor, marketAnchor, session, stopAt);
    }
}
