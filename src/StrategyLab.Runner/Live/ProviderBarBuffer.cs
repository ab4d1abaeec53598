using Microsoft.Extensions.Logging;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Domain;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Live;

/// <summary>
/// Bars computed by a provider (Polygon minute / second aggregates) on their way to the engine. A provider may send a
/// bar again with corrected values (late trades): bars are upserted by (symbol, start) and held until the strategy bar
/// they belong to is closed off (its end + grace), then combined into the strategy's timeframe. A bar that arrives after
/// that is logged and ignored, never counted twice.
/// </summary>
internal sealed class ProviderBarBuffer
{
    private readonly ResolvedRun _run;
    private readonly TimeSpan _grace;
    private readonly ILogger _logger;
    private readonly LiveCounters _counters;
    private readonly BarWindows _targets;
    private readonly SortedDictionary<(DateTime Start, Symbol Symbol), Bar> _pending = [];
    private readonly BarResampler _resampler;
    private DateTime _releasedUntil = DateTime.MinValue;

    public ProviderBarBuffer(ResolvedRun run, TimeSpan grace, ILogger logger, LiveCounters counters)
    {
        _run = run;
        _grace = grace;
        _logger = logger;
        _counters = counters;
        _targets = new BarWindows(run.CalendarOf(run.Symbols[0]), run.Timeframe, run.Config.MarketHours.ExtendedHours);
        _resampler = new BarResampler(run.CalendarOf, run.Timeframe, run.Config.MarketHours.ExtendedHours);
    }

    public void Add(in Bar bar)
    {
        if (bar.Duration <= TimeSpan.Zero || bar.Duration > _run.Timeframe.Duration || _run.Timeframe.Duration.Ticks % bar.Duration.Ticks != 0)
        {
            // E.g. a minute aggregate on a 5 s run: it cannot be cut into the run's bars. Never end the run over it.
            _counters.UnusableProviderBars++;
            if (_counters.UnusableProviderBars == 1)
            {
                _logger.LogWarning(
                    LiveEvents.BarUnusable,
                    "{Symbol} bar {Start:O} lasts {Duration}, which does not combine into {Timeframe} bars; such bars are ignored",
                    bar.Symbol,
                    bar.Start,
                    bar.Duration,
                    _run.Timeframe.ToString());
            }

            return;
        }

        if (!_targets.TryGetWindow(bar.Start, out var target))
        {
            return; // outside the hours in use
        }

        if (target.End <= _releasedUntil)
        {
            _counters.LateProviderBars++;
            _logger.LogWarning(
                LiveEvents.LateBar,
                "{Symbol} bar {Start:O} arrived after its {Timeframe} bar was closed off; ignored",
                bar.Symbol,
                bar.Start,
                _run.Timeframe.ToString());
            return;
        }

        _pending[(bar.Start, bar.Symbol)] = bar; // a correction replaces the earlier version
    }

    public void Release(DateTime nowUtc, bool flush, IBarSink sink)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var released = new List<(DateTime Start, Symbol Symbol)>();
        foreach (var (key, bar) in _pending)
        {
            _targets.TryGetWindow(bar.Start, out var target);
            if (!flush && target.End + _grace > nowUtc)
            {
                break; // sorted by start: later bars belong to later (or the same open) windows
            }

            released.Add(key);
            if (target.End > _releasedUntil)
            {
                _releasedUntil = target.End;
            }

            if (bar.Duration == _run.Timeframe.Duration)
            {
                sink.OnBar(bar);
            }
            else
            {
                _resampler.Add(bar, sink);
            }
        }

        foreach (var key in released)
        {
            _pending.Remove(key);
        }

        _resampler.AdvanceTo(_releasedUntil + _grace, sink);
    }
}
