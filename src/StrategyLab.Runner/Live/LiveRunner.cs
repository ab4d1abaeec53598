using System.Globalization;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Data.Store;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Live;

/// <summary>Why a live run ended.</summary>
public enum LiveStopReason
{
    /// <summary><c>auto_stop_at</c> was reached.</summary>
    AutoStop,

    /// <summary>The user stopped it (Ctrl+C, SIGTERM).</summary>
    Cancelled,

    /// <summary>The market closed and <c>market_hours.when_closed</c> is <c>exit</c>.</summary>
    MarketClosed,

    /// <summary>The feed failed for good (e.g. authentication).</summary>
    FeedFailed,

    /// <summary>The calendar has no further session.</summary>
    NoMoreSessions,
}

/// <summary>What a live run did, beyond the engine's own counters.</summary>
public sealed class LiveCounters
{
    /// <summary>Bar-sync wake-ups (one live cycle each).</summary>
    public long Cycles { get; internal set; }

    /// <summary>Trades received.</summary>
    public long Trades { get; internal set; }

    /// <summary>Provider bars received (Polygon aggregates).</summary>
    public long ProviderBars { get; internal set; }

    /// <summary>Provider bars that came after their bar had been closed off (ignored, never double counted).</summary>
    public long LateProviderBars { get; internal set; }

    /// <summary>Bars built and handed to the engine.</summary>
    public long Bars { get; internal set; }

    /// <summary>Disconnections seen.</summary>
    public int Disconnects { get; internal set; }

    /// <summary>Bars replaced or added from history after a disconnection.</summary>
    public int BarsBackfilled { get; internal set; }

    /// <summary>Gaps that could not be backfilled.</summary>
    public int GapsUnfilled { get; internal set; }

    /// <summary>Warm-up bars loaded from history.</summary>
    public int WarmupBars { get; internal set; }
}

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
    private readonly Collector _completed = new();
    private readonly List<Bar> _held = [];
    private readonly List<(DateTime From, DateTime? To)> _gaps = [];
    private readonly TimeSpan _grace;
    private DateTime? _stopAt;
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
        var provider = run.Config.Data.Provider == "polygon" ? (ProviderConfig)run.Config.Providers.Polygon : run.Config.Providers.Finnhub;
        _grace = TimeSpan.FromSeconds(Math.Min(provider.LateGraceSeconds, run.Config.MarketHours.BarSyncBufferSeconds));
        _aggregator = new TradeBarAggregator(run.CalendarOf, new TradeBarAggregatorOptions
        {
            Timeframe = run.Timeframe,
            ExtendedHours = ext,
            Grace = _grace,
        });
        _providerBars = new ProviderBarBuffer(run, _grace, _logger, Counters);
    }

    /// <summary>What the run did.</summary>
    public LiveCounters Counters { get; } = new();

    /// <summary>The aggregator's counters (accepted, duplicates, late, outside hours).</summary>
    public TradeAggregationCounters TradeCounters => _aggregator.Counters;

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

        try
        {
            var reason = await LoopAsync(stopToken).ConfigureAwait(false);
            return reason;
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            return LiveStopReason.Cancelled;
        }
        finally
        {
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
                await _feed.ConnectAsync(_run.Symbols, stop).ConfigureAwait(false);
                _connected = true;
            }

            if (!warmedUp)
            {
                await WarmUpAsync(now, stop).ConfigureAwait(false);
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
            await CycleAsync(now, stop).ConfigureAwait(false);
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
        await CycleAsync(now, stop, flush: true).ConfigureAwait(false);
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

    private async Task CycleAsync(DateTime now, CancellationToken stop, bool flush = false)
    {
        Drain();
        _completed.Bars.Clear();
        _aggregator.AdvanceTo(now, _completed);
        _providerBars.Release(now, flush, _completed);

        _held.AddRange(_completed.Bars);
        await ResolveGapsAsync(now, stop).ConfigureAwait(false);

        // Bars touched by a gap (and everything after it) wait: the engine must see time in order.
        var ready = _gaps.Count == 0 ? [.. _held] : _held.Where(b => b.End <= _gaps[0].From).ToList();
        foreach (var b in ready)
        {
            _held.Remove(b);
        }

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
                _assembly.Engine.ProcessSlice(ready.GetRange(i, j - i).ToArray());
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

    private static bool Overlaps(in Bar bar, (DateTime From, DateTime? To) gap) =>
        bar.End > gap.From && (gap.To is null || bar.Start < gap.To);

    private async Task ResolveGapsAsync(DateTime now, CancellationToken stop)
    {
        while (_gaps.Count > 0 && _gaps[0].To is { } to)
        {
            var from = _gaps[0].From;

            // The window in which the connection came back must have closed before history can cover it.
            var lastWindow = _schedule.Windows.WindowAtOrAfter(to);
            if (lastWindow.End + _grace > now)
            {
                return;
            }

            // From the bar the connection was lost in to the bar it came back in.
            var fromStart = _schedule.Windows.WindowAtOrAfter(from).Start;
            await BackfillAsync(fromStart, lastWindow.End, stop).ConfigureAwait(false);
            _gaps.RemoveAt(0);
        }
    }

    private async Task BackfillAsync(DateTime fromUtc, DateTime toUtc, CancellationToken stop)
    {
        var resolution = _feed.HistoryResolution;
        if (!_run.Timeframe.IsMultipleOf(resolution) || resolution > _run.Timeframe)
        {
            Counters.GapsUnfilled++;
            _logger.LogWarning(
                LiveEvents.GapUnfilled,
                "{From:O}..{To:O}: {Provider} history has {Resolution} bars, too coarse for {Timeframe}; bars built from the prints received are used",
                fromUtc,
                toUtc,
                _feed.Name,
                resolution.ToString(),
                _run.Timeframe.ToString());
            return;
        }

        foreach (var symbol in _run.Symbols)
        {
            var result = await _feed.GetHistoryAsync(symbol, resolution, fromUtc, toUtc, stop).ConfigureAwait(false);
            if (result.Status != HistoryStatus.Ok)
            {
                Counters.GapsUnfilled++;
                _logger.LogWarning(
                    LiveEvents.GapUnfilled,
                    "{Symbol} {From:O}..{To:O}: history {Status} ({Detail}); bars built from the prints received are used",
                    symbol,
                    fromUtc,
                    toUtc,
                    result.Status,
                    result.Detail);
                continue;
            }

            var bars = resolution == _run.Timeframe
                ? result.Bars.Where(b => b.Symbol == symbol && b.Start >= fromUtc && b.End <= toUtc).ToList()
                : HistoricalResample(result.Bars.Where(b => b.Symbol == symbol && b.Start >= fromUtc && b.End <= toUtc));
            var replaced = 0;
            foreach (var bar in bars)
            {
                var index = _held.FindIndex(h => h.Symbol == bar.Symbol && h.Start == bar.Start);
                if (index >= 0)
                {
                    _held[index] = bar;
                }
                else
                {
                    _held.Add(bar);
                }

                replaced++;
            }

            Counters.BarsBackfilled += replaced;
            _logger.LogInformation(
                LiveEvents.GapBackfilled,
                "{Symbol} {From:O}..{To:O}: {Count} bar(s) from {Provider} history",
                symbol,
                fromUtc,
                toUtc,
                replaced,
                _feed.Name);
        }
    }

    private List<Bar> HistoricalResample(IEnumerable<Bar> bars)
    {
        var resampler = new BarResampler(_run.CalendarOf, _run.Timeframe, _run.Config.MarketHours.ExtendedHours);
        var sink = new Collector();
        foreach (var b in bars)
        {
            resampler.Add(b, sink);
        }

        resampler.Flush(sink);
        return sink.Bars;
    }

    private async Task WarmUpAsync(DateTime now, CancellationToken stop)
    {
        var needed = _run.Config.LiveMinBars;
        if (needed <= 0)
        {
            return;
        }

        var windows = _schedule.Windows;
        var current = windows.WindowAtOrAfter(now);
        var from = EarliestWindowStart(current.Start, needed);
        var resolution = _feed.HistoryResolution;
        var restUsable = _run.Timeframe.IsMultipleOf(resolution) && resolution <= _run.Timeframe;
        var store = LocalStore();
        var all = new List<Bar>();
        foreach (var symbol in _run.Symbols)
        {
            // The provider's history first; the local Parquet store (data.path) when the provider has none.
            string why;
            if (restUsable)
            {
                var result = await _feed.GetHistoryAsync(symbol, resolution, from, current.Start, stop).ConfigureAwait(false);
                if (result.Status == HistoryStatus.Ok)
                {
                    var bars = resolution == _run.Timeframe ? [.. result.Bars] : HistoricalResample(result.Bars);
                    all.AddRange(bars.Where(b => b.End <= current.Start).TakeLast(needed));
                    continue;
                }

                why = FormattableString.Invariant($"history {result.Status} ({result.Detail})");
            }
            else
            {
                why = FormattableString.Invariant($"{_feed.Name} history has {resolution} bars, too coarse for {_run.Timeframe}");
            }

            if (store is not null && StoreBars(store, symbol, from, current.Start) is { Count: > 0 } local)
            {
                all.AddRange(local.Where(b => b.End <= current.Start).TakeLast(needed));
                _logger.LogInformation(LiveEvents.WarmupLoaded, "{Symbol}: {Why}; warming up from the local store {Store}", symbol, why, store.Root);
                continue;
            }

            _logger.LogWarning(LiveEvents.WarmupUnavailable, "{Symbol}: {Why}; warming up from live cycles", symbol, why);
        }

        all.Sort(static (a, b) => a.End != b.End ? a.End.CompareTo(b.End) : a.Symbol.CompareTo(b.Symbol));
        if (all.Count > 0)
        {
            _assembly.Engine.WarmUp(all.ToArray());
            Counters.WarmupBars = all.Count;
            _logger.LogInformation(LiveEvents.WarmupLoaded, "{Count} bar(s) from {From:O} to {To:O}", all.Count, all[0].Start, all[^1].End);
        }
    }

    /// <summary>The Parquet store named by <c>data.path</c>, if it is one (a live run may keep history there).</summary>
    private ParquetBarStore? LocalStore() =>
        _run.Config.Data.Path is { } path && Directory.Exists(path) && ParquetBarStore.IsStore(path)
            ? new ParquetBarStore(path, _run.CalendarOf)
            : null;

    private List<Bar>? StoreBars(ParquetBarStore store, Symbol symbol, DateTime fromUtc, DateTime toUtc)
    {
        // The run's timeframe if the store has it, else the largest one that combines into it.
        var available = store.ListSeries().Where(x => x.Symbol == symbol).Select(x => x.Timeframe).ToList();
        var source = available.Contains(_run.Timeframe)
            ? _run.Timeframe
            : available.Where(t => t < _run.Timeframe && _run.Timeframe.IsMultipleOf(t)).OrderDescending().FirstOrDefault();
        if (source.IsDefault)
        {
            return null;
        }

        var bars = store.ReadBars(symbol, source, fromUtc, toUtc).ToList();
        return source == _run.Timeframe ? bars : HistoricalResample(bars);
    }

    private DateTime EarliestWindowStart(DateTime currentStart, int windowsBack)
    {
        // Walk back through the calendar's sessions collecting windows until there are enough.
        var local = DateOnly.FromDateTime(_calendar.ToExchangeTime(currentStart));
        var collected = 0;
        var earliest = currentStart;
        for (var d = local; d > local.AddDays(-400) && collected < windowsBack; d = d.AddDays(-1))
        {
            var session = _calendar.GetSession(d);
            if (session is null)
            {
                continue;
            }

            foreach (var w in _schedule.Windows.WindowsOf(session).Where(w => w.End <= currentStart).Reverse())
            {
                earliest = w.Start;
                if (++collected >= windowsBack)
                {
                    break;
                }
            }
        }

        return earliest;
    }

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
            var first = await Task.WhenAny(delay, read).ConfigureAwait(false);
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
                if (_gaps.Count == 0 || _gaps[^1].To is not null)
                {
                    _gaps.Add((c.ReceivedUtc, null));
                }

                break;
            case FeedConnectionState.Connected when _gaps.Count > 0 && _gaps[^1].To is null:
                _gaps[^1] = (_gaps[^1].From, c.ReceivedUtc);
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
            if (_held.Count > 0)
            {
                // Stopping inside an unresolved gap: the bars held for it go to the engine as built, in order.
                _logger.LogWarning(LiveEvents.GapUnfilled, "stopping with {Count} bar(s) held for an unresolved gap; they are used as built", _held.Count);
                _gaps.Clear();
                foreach (var slice in _held.OrderBy(b => b.End).ThenBy(b => b.Symbol).GroupBy(b => b.End))
                {
                    if (slice.Key > _assembly.Engine.LastSliceTimeUtc)
                    {
                        _assembly.Engine.ProcessSlice(slice.ToArray());
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

    private sealed class Collector : IBarSink
    {
        public List<Bar> Bars { get; } = [];

        public void OnBar(in Bar bar) => Bars.Add(bar);
    }
}
