using Microsoft.Extensions.Logging;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Live;

/// <summary>
/// Fetches the bars a feed gap may have cost from the provider's history and puts them among the bars held for the
/// engine (replacing the ones built from what arrived). A bar the engine already acted on before the gap was seen (a
/// silent drop is noticed late) cannot be replaced: when history differs from it, the gap is marked
/// <c>liveMode.gap.unfilled</c>, never silently kept or counted twice.
/// </summary>
internal sealed class GapBackfill
{
    /// <summary>How long released bars are remembered to compare them with history.</summary>
    private static readonly TimeSpan ReleasedMemory = TimeSpan.FromHours(1);

    private readonly ResolvedRun _run;
    private readonly ILiveMarketDataFeed _feed;
    private readonly ILogger _logger;
    private readonly LiveCounters _counters;
    private readonly Dictionary<(Symbol Symbol, DateTime Start), Bar> _released = [];
    private readonly Queue<Bar> _releasedOrder = new();
    private DateTime _newestReleasedEnd = DateTime.MinValue;

    public GapBackfill(ResolvedRun run, ILiveMarketDataFeed feed, ILogger logger, LiveCounters counters)
    {
        _run = run;
        _feed = feed;
        _logger = logger;
        _counters = counters;
    }

    /// <summary>Bars of another timeframe combined into the run's, on the calendar's grid.</summary>
    public static List<Bar> Resample(ResolvedRun run, IEnumerable<Bar> bars)
    {
        var resampler = new BarResampler(run.CalendarOf, run.Timeframe, run.Config.MarketHours.ExtendedHours);
        var sink = new BarCollector();
        foreach (var b in bars)
        {
            resampler.Add(b, sink);
        }

        resampler.Flush(sink);
        return sink.Bars;
    }

    /// <summary>Remembers bars handed to the engine, to compare them with history if a gap turns out to cover them.</summary>
    public void NoteReleased(IEnumerable<Bar> bars)
    {
        foreach (var bar in bars)
        {
            _released[(bar.Symbol, bar.Start)] = bar;
            _releasedOrder.Enqueue(bar);
            if (bar.End > _newestReleasedEnd)
            {
                _newestReleasedEnd = bar.End;
            }
        }

        while (_releasedOrder.TryPeek(out var oldest) && oldest.End < _newestReleasedEnd - ReleasedMemory)
        {
            _releasedOrder.Dequeue();
            _released.Remove((oldest.Symbol, oldest.Start));
        }
    }

    /// <summary>
    /// Backfills the bar windows in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) into <paramref name="held"/>;
    /// what cannot be backfilled is logged as <c>liveMode.gap.unfilled</c> (the bars built from what arrived are used).
    /// </summary>
    /// <param name="fromUtc">The start of the first window the gap touched.</param>
    /// <param name="toUtc">The end of the window the connection came back in.</param>
    /// <param name="held">The bars waiting for the engine; history replaces or adds to them.</param>
    /// <param name="lastSliceUtc">The end of the last bars the engine acted on.</param>
    /// <param name="cancellationToken">The run's stop (Ctrl+C or <c>auto_stop_at</c>).</param>
    public async Task FillAsync(DateTime fromUtc, DateTime toUtc, List<Bar> held, DateTime lastSliceUtc, CancellationToken cancellationToken)
    {
        var resolution = _feed.HistoryResolution;
        if (!_run.Timeframe.IsMultipleOf(resolution) || resolution > _run.Timeframe)
        {
            _counters.GapsUnfilled++;
            _logger.LogWarning(
                LiveEvents.GapUnfilled,
                "{From:O}..{To:O}: {Provider} history has {Resolution} bars, too coarse for {Timeframe}; bars built from what was received are used",
                fromUtc,
                toUtc,
                _feed.Name,
                resolution.ToString(),
                _run.Timeframe.ToString());
            return;
        }

        foreach (var symbol in _run.Symbols)
        {
            var result = await _feed.GetHistoryAsync(symbol, resolution, fromUtc, toUtc, cancellationToken).ConfigureAwait(false);
            if (result.Status != HistoryStatus.Ok)
            {
                _counters.GapsUnfilled++;
                _logger.LogWarning(
                    LiveEvents.GapUnfilled,
                    "{Symbol} {From:O}..{To:O}: history {Status} ({Detail}); bars built from what was received are used",
                    symbol,
                    fromUtc,
                    toUtc,
                    result.Status,
                    result.Detail);
                continue;
            }

            var inRange = result.Bars.Where(b => b.Symbol == symbol && b.Start >= fromUtc && b.End <= toUtc);
            var bars = resolution == _run.Timeframe ? inRange.ToList() : Resample(_run, inRange);
            var replaced = 0;
            var actedOn = new List<Bar>();
            foreach (var bar in bars)
            {
                if (bar.End <= lastSliceUtc)
                {
                    // The engine has moved past this bar (the drop was seen late): it cannot be replaced.
                    if (!_released.TryGetValue((bar.Symbol, bar.Start), out var used) || !SameValues(used, bar))
                    {
                        actedOn.Add(bar);
                    }

                    continue;
                }

                var index = held.FindIndex(h => h.Symbol == bar.Symbol && h.Start == bar.Start);
                if (index >= 0)
                {
                    held[index] = bar;
                }
                else
                {
                    held.Add(bar);
                }

                replaced++;
            }

            _counters.BarsBackfilled += replaced;
            _logger.LogInformation(
                LiveEvents.GapBackfilled,
                "{Symbol} {From:O}..{To:O}: {Count} bar(s) from {Provider} history",
                symbol,
                fromUtc,
                toUtc,
                replaced,
                _feed.Name);
            if (actedOn.Count > 0)
            {
                _counters.GapsUnfilled++;
                _logger.LogWarning(
                    LiveEvents.GapUnfilled,
                    "{Symbol} {From:O}..{To:O}: {Count} bar(s) from {First:O} were acted on before the drop was seen and differ from history; they stay as built",
                    symbol,
                    fromUtc,
                    toUtc,
                    actedOn.Count,
                    actedOn[0].Start);
            }
        }
    }

    private static bool SameValues(in Bar a, in Bar b) =>
        a.Open == b.Open && a.High == b.High && a.Low == b.Low && a.Close == b.Close && a.Volume == b.Volume;
}

/// <summary>A bar sink that keeps what it is given, in order.</summary>
internal sealed class BarCollector : IBarSink
{
    public List<Bar> Bars { get; } = [];

    public void OnBar(in Bar bar) => Bars.Add(bar);
}
