using System.Globalization;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live.Broker;

namespace StrategyLab.Runner.Live;

/// <summary>
/// Live mode: connects a feed, warms the strategy up, then wakes at each bar boundary (exchange time) plus a buffer,
/// closes off the bars built from the feed and runs one engine cycle with them. Market hours are checked on every
/// wake-up: before the open it waits (or exits), on a holiday it waits for the next session, at the close it flushes
/// and waits for the next session (or exits). A disconnection holds back the bars it touched until they are backfilled
/// from the provider's history (or, when history is unavailable, released as built with a warning), so no completed
/// bar is lost or counted twice. All waiting goes through <see cref="TimeProvider"/>.
/// </summary>
public sealed class LiveRunner
{
    private readonly ResolvedRun _run;
    private readonly ILiveMarketDataFeed _feed;
    private readonly EngineAssembly _assembly;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILiveStatusSink? _status;
    private readonly IMarketCalendar _calendar;
    private readonly MarketHoursGate _gate;
    private readonly BarSyncSchedule _schedule;
    private readonly TradeBarAggregator _aggregator;
    private readonly ProviderBarBuffer _providerBars;
    private readonly BarCollector _completed = new();
    private readonly List<Bar> _held = [];
    private readonly FeedGapTracker _gaps;
    private readonly GapBackfill _backfill;
    private readonly LiveWarmUp _warmUp;
    private readonly TimeSpan _grace;
    private readonly ILiveVenue? _broker;
    private DateTime? _stopAt;
    private CancellationToken _bounded;
    private bool _connected;
    private bool _feedFailed;
    private FeedConnectionState _connectionState = FeedConnectionState.Disconnected;

    /// <summary>Creates a live runner.</summary>
    /// <exception cref="ConfigException">The symbols do not share one market calendar.</exception>
    public LiveRunner(ResolvedRun run, ILiveMarketDataFeed feed, EngineAssembly assembly, TimeProvider time, ILoggerFactory loggers, ILiveStatusSink? status = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(loggers);
        _run = run;
        _feed = feed;
        _assembly = assembly;
        _time = time;
        _status = status;
        _logger = loggers.CreateLogger("StrategyLab.Live");
        _calendar = run.CalendarOf(run.Symbols[0]);
        if (run.Symbols.Any(s => !ReferenceEquals(run.CalendarOf(s), _calendar)))
        {
            throw new ConfigException("data.symbols", "live mode runs symbols of one market at a time (all equities or all crypto).");
        }

        var ext = run.Config.MarketHours.ExtendedHours;
        _gate = new MarketHoursGate(_calendar, ext);
        _schedule = new BarSyncSchedule(_calendar, run.Timeframe, TimeSpan.FromSeconds(run.Config.MarketHours.BarSyncBufferSeconds), ext);
        _grace = TimeSpan.FromSeconds(Math.Min(LiveFeeds.LateGraceSecondsOf(run), run.Config.MarketHours.BarSyncBufferSeconds));
        _aggregator = new TradeBarAggregator(run.CalendarOf, new TradeBarAggregatorOptions
        {
            Timeframe = run.Timeframe,
            ExtendedHours = ext,
            Grace = _grace,
        });
        _providerBars = new ProviderBarBuffer(run, _grace, _logger, Counters);
        _gaps = new FeedGapTracker(_schedule.Windows, _grace);
        _backfill = new GapBackfill(run, feed, _logger, Counters);
        _warmUp = new LiveWarmUp(run, feed, assembly, _schedule.Windows, _logger, Counters);
        _broker = assembly.Broker;
    }

    /// <summary>What the run did.</summary>
    public LiveCounters Counters { get; } = new();

    /// <summary>Where operator requests reach the run (<c>strategylab flatten</c>); none without a journal.</summary>
    public OperatorDesk? Desk { get; set; }

    /// <summary>The aggregator's counters (accepted, duplicates, late, outside hours).</summary>
    public TradeAggregationCounters TradeCounters => _aggregator.Counters;

    /// <summary>
    /// A resumed run whose catch-up replayed <paramref name="replayed"/>, the last bars ending at <paramref name="lastEndUtc"/>:
    /// while that session is still open, the time since then is a feed gap that the first connection backfills from history.
    /// </summary>
    public void ResumeAfter(IReadOnlyList<Bar> replayed, DateTime? lastEndUtc)
    {
        _backfill.NoteReleased(replayed);
        if (lastEndUtc is { } last && _gate.SessionAt(Now()) is { } now && _gate.SessionAt(last.AddTicks(-1))?.Date == now.Date)
        {
            _gaps.OnDisconnected(Now(), last + _grace); // from the window that starts at `last`: the ones before it were journalled
        }
    }

    /// <summary>Runs until auto stop, cancellation, the close (with <c>when_closed: exit</c>) or a feed failure.</summary>
    public async Task<LiveStopReason> RunAsync(CancellationToken stopToken)
    {
        var start = Now();
        _stopAt = _run.AutoStop?.FirstAfter(start, _calendar);
        _logger.LogInformation(
            LiveEvents.Started,
            "{Provider} {Symbols} on {Timeframe} bars, buffer {Buffer}s, auto stop {StopAt}",
            _feed.Name,
            string.Join(',', _run.Symbols.Select(s => s.Ticker)),
            _run.Timeframe.ToString(),
            _schedule.Buffer.TotalSeconds,
            _stopAt?.ToString("O", CultureInfo.InvariantCulture) ?? "none");

        // auto_stop_at bounds every wait, including the ones inside the feed and the REST client (reconnect back-off,
        // max_connections hold-off, rate-limit back-off): they all get a token cancelled at the stop time.
        using var autoStop = _stopAt is { } stopAt
            ? new CancellationTokenSource(stopAt > start ? stopAt - start : TimeSpan.Zero, _time)
            : new CancellationTokenSource();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stopToken, autoStop.Token);
        _bounded = bounded.Token;
        try
        {
            var reason = await LoopAsync(stopToken).ConfigureAwait(false);
            return reason;
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            return LiveStopReason.Cancelled;
        }
        catch (OperationCanceledException) when (autoStop.IsCancellationRequested)
        {
            _logger.LogInformation(LiveEvents.AutoStop, "auto_stop_at {StopAt:O} reached while waiting on the provider", _stopAt);
            return LiveStopReason.AutoStop;
        }
        finally
        {
            _bounded = CancellationToken.None;
            await ShutdownAsync().ConfigureAwait(false);
        }
    }

    private async Task<LiveStopReason> LoopAsync(CancellationToken stop)
    {
        var warmedUp = false;
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var now = Now();
            if (_stopAt is { } at && now >= at)
            {
                _logger.LogInformation(LiveEvents.AutoStop, "auto_stop_at {StopAt:O} reached", at);
                return LiveStopReason.AutoStop;
            }

            var state = _gate.StateAt(now);
            if (state != MarketState.Open)
            {
                var next = await HandleClosedAsync(state, now, stop).ConfigureAwait(false);
                if (next is not null)
                {
                    return next.Value;
                }

                continue;
            }

            _logger.LogInformation(LiveEvents.MarketOpen, "{Calendar} session of {Date:yyyy-MM-dd} is open at {Now:O}", _calendar.Name, _gate.SessionAt(now)!.Date, now);
            if (!_connected)
            {
                await _feed.ConnectAsync(_run.Symbols, _bounded).ConfigureAwait(false);
                _connected = true;
                await (_broker?.ConnectAsync(_bounded) ?? Task.CompletedTask).ConfigureAwait(false);
            }

            if (!warmedUp)
            {
                await _warmUp.LoadAsync(now, _bounded).ConfigureAwait(false);
                warmedUp = true;
            }

            var reason = await SessionAsync(stop).ConfigureAwait(false);
            if (reason is not null)
            {
                return reason.Value;
            }
        }
    }

    /// <summary>Runs bar-sync cycles until the session closes; null when it closed normally.</summary>
    private async Task<LiveStopReason?> SessionAsync(CancellationToken stop)
    {
        while (true)
        {
            var now = Now();
            var (boundary, wake) = _schedule.Next(now);
            var session = _gate.SessionAt(now);
            if (session is not null && boundary > session.Close(_run.Config.MarketHours.ExtendedHours))
            {
                // The next boundary belongs to a later session: close this one off first.
                wake = session.Close(_run.Config.MarketHours.ExtendedHours) + _schedule.Buffer;
                boundary = session.Close(_run.Config.MarketHours.ExtendedHours);
            }

            var stopAt = _stopAt ?? DateTime.MaxValue;
            _logger.LogInformation(
                LiveEvents.BarSync,
                "next boundary {Boundary:O} + {Buffer}s buffer, wake at {Wake:O} (in {Sleep}s)",
                boundary,
                _schedule.Buffer.TotalSeconds,
                wake,
                Math.Round((wake - now).TotalSeconds, 3));
            await WaitUntilAsync(wake < stopAt ? wake : stopAt, stop).ConfigureAwait(false);
            if (_feedFailed)
            {
                return LiveStopReason.FeedFailed;
            }

            now = Now();
            await CycleAsync(now).ConfigureAwait(false);
            if (_stopAt is { } at && now >= at)
            {
                _logger.LogInformation(LiveEvents.AutoStop, "auto_stop_at {StopAt:O} reached", at);
                return LiveStopReason.AutoStop;
            }

            if (_gate.StateAt(now) != MarketState.Open)
            {
                return null;
            }
        }
    }

    private async Task<LiveStopReason?> HandleClosedAsync(MarketState state, DateTime now, CancellationToken stop)
    {
        // Whatever is still open belongs to a finished session: close it off.
        await CycleAsync(now, flush: true).ConfigureAwait(false);
        var eventId = state switch
        {
            MarketState.Weekend => LiveEvents.MarketClosedWeekend,
            MarketState.Holiday => LiveEvents.MarketClosedHoliday,
            _ => LiveEvents.MarketClosedHours,
        };
        DateTime nextOpen;
        try
        {
            nextOpen = _gate.NextOpen(now);
        }
        catch (InvalidOperationException)
        {
            return LiveStopReason.NoMoreSessions;
        }

        _logger.LogInformation(eventId, "{Calendar} is closed at {Now:O} ({State}); next open {NextOpen:O}", _calendar.Name, now, state, nextOpen);
        if (_run.Config.MarketHours.WhenClosed == "exit")
        {
            return LiveStopReason.MarketClosed;
        }

        if (_stopAt is { } at && at <= nextOpen)
        {
            await WaitUntilAsync(at, stop).ConfigureAwait(false);
            _logger.LogInformation(LiveEvents.AutoStop, "auto_stop_at {StopAt:O} reached while the market was closed", at);
            return LiveStopReason.AutoStop;
        }

        // The connection stays up while the market is closed (a feed connects once; its watchdog knows when
        // silence matters), so nothing is missed at the next open.
        _logger.LogInformation(LiveEvents.WaitingForOpen, "waiting {Hours}h for the open at {NextOpen:O}", Math.Round((nextOpen - now).TotalHours, 2), nextOpen);

        // Wait in steps of polling_seconds: each wake reports that the run is alive and re-checks the stop time.
        var step = TimeSpan.FromSeconds(_run.Config.PollingSeconds);
        for (var t = Now(); t < nextOpen; t = Now())
        {
            await WaitUntilAsync(t + step < nextOpen ? t + step : nextOpen, stop).ConfigureAwait(false);
            if (_feedFailed)
            {
                return LiveStopReason.FeedFailed;
            }

            if (Now() < nextOpen)
            {
                _logger.LogDebug(LiveEvents.WaitingForOpen, "{Remaining} until the open at {NextOpen:O}", nextOpen - Now(), nextOpen);
            }
        }

        return null;
    }

    private async Task CycleAsync(DateTime now, bool flush = false)
    {
        Drain();
        _completed.Bars.Clear();
        _aggregator.AdvanceTo(now, _completed);
        _providerBars.Release(now, flush, _completed);

        _held.AddRange(_completed.Bars);
        await ResolveGapsAsync(now).ConfigureAwait(false);

        // Bars a gap may have touched (and everything after them) wait: the engine must see time in order.
        var ready = _gaps.HoldFrom is { } holdFrom ? _held.Where(b => b.End <= holdFrom).ToList() : [.. _held];
        foreach (var b in ready)
        {
            _held.Remove(b);
        }

        _backfill.NoteReleased(ready);

        ready.Sort(static (a, b) => a.End != b.End ? a.End.CompareTo(b.End) : a.Symbol.CompareTo(b.Symbol));
        var i = 0;
        while (i < ready.Count)
        {
            var j = i;
            while (j < ready.Count && ready[j].End == ready[i].End)
            {
                j++;
            }

            if (ready[i].End > _assembly.Engine.LastSliceTimeUtc)
            {
                _assembly.Bars.Slice(ready.GetRange(i, j - i).ToArray()); // journalled before the engine acts on it
                Counters.Bars += j - i;
            }

            i = j;
        }

        if (!flush)
        {
            Counters.Cycles++;
        }

        var next = _schedule.Next(now).WakeUtc;
        _logger.LogInformation(
            LiveEvents.Cycle,
            "#{Cycle} at {Now:O}: {Bars} bar(s), equity {Equity}, {Positions} open position(s), {Held} held for a gap",
            Counters.Cycles,
            now,
            ready.Count,
            _assembly.Portfolio.Equity,
            _assembly.Portfolio.OpenPositionCount,
            _held.Count);
        PublishStatus(now, next);
    }

    private async Task ResolveGapsAsync(DateTime now)
    {
        while (_gaps.TryPeekResolvable(now, out var fromUtc, out var toUtc))
        {
            await _backfill.FillAsync(fromUtc, toUtc, _held, _assembly.Engine.LastSliceTimeUtc, _bounded).ConfigureAwait(false);
            _gaps.RemoveOldest();
        }
    }

    /// <summary>More time passing between reading the clock and arming a timer than this means the clock jumped.</summary>
    private static readonly TimeSpan ClockJumpTolerance = TimeSpan.FromMilliseconds(50);

    private async Task WaitUntilAsync(DateTime targetUtc, CancellationToken stop)
    {
        while (true)
        {
            Drain();
            var now = Now();
            if (now >= targetUtc || _feedFailed)
            {
                return;
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var delay = Task.Delay(targetUtc - now, _time, wake.Token);
            var read = _feed.Events.WaitToReadAsync(wake.Token).AsTask();
            var orders = _broker?.WaitForEventsAsync(wake.Token).AsTask() ?? delay; // a broker's order events wake the loop too
            var desk = Desk?.WaitAsync(wake.Token) ?? delay; // and an operator's request
            // A timer's due time is relative to the clock when it is created: a clock that jumped between reading
            // `now` and creating the timer (a test's FakeTimeProvider moved by another thread) would leave it due too
            // late, and nothing else might wake the loop. Seen that, start over from the new time.
            var moved = Now() - now > ClockJumpTolerance;
            var first = moved ? delay : await Task.WhenAny(delay, read, orders, desk).ConfigureAwait(false);
            await wake.CancelAsync().ConfigureAwait(false);
            stop.ThrowIfCancellationRequested();
            if (first == read && read.IsCompletedSuccessfully && !read.Result)
            {
                // The channel completed: the feed is gone for good.
                _feedFailed = true;
                return;
            }
        }
    }

    private void Drain()
    {
        _broker?.DrainEvents(Now()); // order events reach the engine on this thread, between cycles
        Desk?.Poll(Now()); // and operator requests (strategylab flatten)
        while (_feed.Events.TryRead(out var e))
        {
            switch (e)
            {
                case TradeEvent t:
                    Counters.Trades++;
                    _aggregator.Add(t.Trade);
                    break;
                case BarEvent b:
                    Counters.ProviderBars++;
                    _providerBars.Add(b.Bar);
                    break;
                case ConnectionEvent c:
                    OnConnection(c);
                    PublishStatus(c.ReceivedUtc, _schedule.Next(c.ReceivedUtc).WakeUtc);
                    break;
                case ProviderNoticeEvent n:
                    _logger.LogWarning(LiveEvents.ProviderNotice, "{Provider}: {Message}", _feed.Name, n.Message);
                    break;
            }
        }
    }

    private void PublishStatus(DateTime now, DateTime next)
    {
        if (_status is null)
        {
            return;
        }

        var lastBars = new List<Bar>();
        foreach (var s in _run.Symbols)
        {
            if (_assembly.Engine.LastBar(s) is { } b)
            {
                lastBars.Add(b);
            }
        }

        _status.OnStatus(new LiveStatus(
            now,
            next,
            _connectionState,
            Counters.Cycles,
            lastBars,
            [.. _assembly.Portfolio.Positions.Where(p => p.IsOpen)],
            _assembly.Portfolio.Equity,
            _assembly.Portfolio.InitialCash,
            _feed.Name));
    }

    private void OnConnection(ConnectionEvent c)
    {
        _connectionState = c.State;
        switch (c.State)
        {
            case FeedConnectionState.Disconnected when _connected:
                Counters.Disconnects++;
                _gaps.OnDisconnected(c.ReceivedUtc, c.LastReceivedUtc);
                break;
            case FeedConnectionState.Connected:
                _gaps.OnConnected(c.ReceivedUtc);
                break;
            case FeedConnectionState.Failed:
                _feedFailed = true;
                break;
        }
    }

    private async Task ShutdownAsync()
    {
        var now = Now();
        _logger.LogInformation(LiveEvents.Stopping, "at {Now:O}", now);
        try
        {
            foreach (var gap in _gaps.Pending)
            {
                // Stopping before history could cover a gap: say so, whether or not bars were held for it.
                Counters.GapsUnfilled++;
                _logger.LogWarning(
                    LiveEvents.GapUnfilled,
                    "stopping before the gap from {Lost:O} to {Back} was backfilled; bars from {From:O} on are used as built",
                    gap.LostUtc,
                    gap.BackUtc?.ToString("O", CultureInfo.InvariantCulture) ?? "the stop",
                    gap.FirstWindowStart);
            }

            _gaps.Clear();
            if (_held.Count > 0)
            {
                // Stopping inside an unresolved gap: the bars held for it go to the engine as built, in order.
                foreach (var slice in _held.OrderBy(b => b.End).ThenBy(b => b.Symbol).GroupBy(b => b.End))
                {
                    if (slice.Key > _assembly.Engine.LastSliceTimeUtc)
                    {
                        _assembly.Bars.Slice(slice.ToArray());
                        Counters.Bars += slice.Count();
                    }
                }

                _held.Clear();
            }

            if (_run.Config.Engine.CancelOrdersOnStop)
            {
                var cancelled = _assembly.CancelOpenOrders(now > _assembly.Engine.LastSliceTimeUtc ? now : _assembly.Engine.LastSliceTimeUtc);
                if (cancelled > 0)
                {
                    _logger.LogInformation(LiveEvents.Stopping, "cancelled {Count} open order(s)", cancelled);
                    await BrokerCancelWait.UntilConfirmedAsync(_broker, _assembly.Venue, Drain, _logger).ConfigureAwait(false);
                }
            }

            _assembly.Engine.Finish(now);
        }
        finally
        {
            if (_connected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _feed.DisconnectAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The process is going away: a slow close must not hold it.
                }

                _connected = false;
            }

            _logger.LogInformation(
                LiveEvents.Stopped,
                "{Cycles} cycles, {Bars} bars, {Orders} orders, {Fills} fills, equity {Equity}, {Positions} open position(s)",
                Counters.Cycles,
                Counters.Bars,
                _assembly.Engine.Counters.OrdersSubmitted,
                _assembly.Engine.Counters.Fills,
                _assembly.Portfolio.Equity,
                _assembly.Portfolio.OpenPositionCount);
        }
    }

    private DateTime Now() => _time.GetUtcNow().UtcDateTime;
}
