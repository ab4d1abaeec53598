using Microsoft.Extensions.Logging;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Store;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Live;

/// <summary>
/// The live warm-up: the last <c>live_min_bars</c> bars (or the strategy's <c>WarmUpBars</c>, when more) before the current one, from the provider's history (at the
/// finest resolution it serves for the stream, combined into the run's timeframe), else from the local Parquet store
/// named by <c>data.path</c>, else none (the strategy warms up from live cycles); handed to the engine before the first cycle.
/// </summary>
internal sealed class LiveWarmUp
{
    private readonly ResolvedRun _run;
    private readonly ILiveMarketDataFeed _feed;
    private readonly EngineAssembly _assembly;
    private readonly BarWindows _windows;
    private readonly ILogger _logger;
    private readonly LiveCounters _counters;
    private readonly IMarketCalendar _calendar;

    public LiveWarmUp(ResolvedRun run, ILiveMarketDataFeed feed, EngineAssembly assembly, BarWindows windows, ILogger logger, LiveCounters counters)
    {
        _run = run;
        _feed = feed;
        _assembly = assembly;
        _windows = windows;
        _logger = logger;
        _counters = counters;
        _calendar = windows.Calendar;
    }

    /// <summary>
    /// Loads the warm-up bars for a run whose first live cycle is in the window at <paramref name="now"/>; nothing for an
    /// engine that already saw bars (a resumed run, whose catch-up replayed its journalled warm-up and slices).
    /// </summary>
    /// <exception cref="OperationCanceledException">The run was stopped (Ctrl+C or <c>auto_stop_at</c>) while history was fetched.</exception>
    public async Task LoadAsync(DateTime now, CancellationToken stop)
    {
        // At least what the strategy declares it needs (IStrategy.WarmUpBars), so its intents count from the open.
        var needed = Math.Max(_run.Config.LiveMinBars, _assembly.Engine.Strategy.WarmUpBars);
        if (needed <= 0 || _assembly.Engine.Counters.WarmupBars > 0 || _assembly.Engine.LastSliceTimeUtc != DateTime.MinValue)
        {
            return;
        }

        var windows = _windows;
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
                    var bars = resolution == _run.Timeframe ? [.. result.Bars] : GapBackfill.Resample(_run, result.Bars);
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
            _assembly.Bars.WarmUp(all.ToArray());
            _counters.WarmupBars = all.Count;
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
        return source == _run.Timeframe ? bars : GapBackfill.Resample(_run, bars);
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

            foreach (var w in _windows.WindowsOf(session).Where(w => w.End <= currentStart).Reverse())
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
}
