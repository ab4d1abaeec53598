using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Strategies;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Data;

namespace StrategyLab.Runner.Sweeps;

/// <summary>
/// What a worker needs to run combinations of a sweep: the effective run configuration (flags applied, the swept
/// parameters and the <c>sweep</c> section removed) as JSON, and the folder a strategy source or assembly named in it
/// is relative to. Plain text, so a cluster can ship it to workers.
/// </summary>
/// <param name="ConfigJson">The effective configuration (the <c>strategylab backtest</c> configuration of the base run).</param>
/// <param name="StrategyBaseDirectory">Where a relative <c>strategy.source</c> / <c>strategy.assembly</c> is looked up; null: the current folder.</param>
public sealed record SweepJobSpec(string ConfigJson, string? StrategyBaseDirectory)
{
    /// <summary>This spec with <c>data.path</c> replaced (a worker that sees the data under another path).</summary>
    public SweepJobSpec WithDataPath(string path)
    {
        var root = JsonNode.Parse(ConfigJson)!.AsObject();
        if (root["data"] is not JsonObject data)
        {
            data = [];
            root["data"] = data;
        }

        data["path"] = path;
        return this with { ConfigJson = root.ToJsonString() };
    }
}

/// <summary>
/// A prepared sweep: the base run resolved once and its bars read, parsed and resampled once into memory, then shared
/// read-only by every combination (each run gets an in-memory source over the same array). Thread-safe:
/// <see cref="Run(SweepCombination, SweepWindow?, SweepWindow?)"/> may be called from many threads at once.
/// </summary>
public sealed class SweepJob
{
    private readonly Bar[] _bars;
    private readonly DateOnly[] _barDates;
    private readonly HistoricalData _data;
    private readonly Bar[]? _benchmarkBars;

    // The engines' bar-history buffers, reused run after run (by each worker thread in turn) instead of allocated
    // per run: they were two thirds of a run's allocation. Holds at most a few arrays per concurrent run.
    private readonly System.Buffers.ArrayPool<Bar> _historyBuffers = System.Buffers.ArrayPool<Bar>.Create(1 << 20, 64);

    private SweepJob(SweepJobSpec spec, ResolvedRun run, Bar[] bars, DateOnly[] barDates, HistoricalData data, Bar[]? benchmarkBars)
    {
        _benchmarkBars = benchmarkBars;
        Spec = spec;
        BaseRun = run;
        _bars = bars;
        _barDates = barDates;
        _data = data;
        TradingDates = [.. barDates.Distinct()];
    }

    /// <summary>The spec the job was prepared from (what a cluster ships to its workers).</summary>
    public SweepJobSpec Spec { get; }

    /// <summary>The base run: the configuration every combination starts from.</summary>
    public ResolvedRun BaseRun { get; }

    /// <summary>How many bars the job holds in memory.</summary>
    public int BarCount => _bars.Length;

    /// <summary>The exchange-local dates (primary symbol's calendar) that have bars, in order: the days walk-forward windows count.</summary>
    public IReadOnlyList<DateOnly> TradingDates { get; }

    /// <summary>What the bars are (the summary's data line).</summary>
    public string DataDescription => _data.Description;

    /// <summary>Resolves <paramref name="spec"/> and reads its bars once.</summary>
    /// <param name="spec">The effective configuration.</param>
    /// <param name="loggers">Where reading the data and compiling a user strategy log; none when null.</param>
    /// <exception cref="ConfigException">The configuration is wrong, or its source has no bar to trade.</exception>
    public static SweepJob Prepare(SweepJobSpec spec, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        loggers ??= NullLoggerFactory.Instance;
        RunConfig config;
        JsonObject effective;
        try
        {
            config = JsonSerializer.Deserialize<RunConfig>(spec.ConfigJson, ConfigLoader.SerializerOptions) ?? new RunConfig();
            effective = JsonNode.Parse(spec.ConfigJson)!.AsObject();
        }
        catch (JsonException e)
        {
            throw new ConfigException(string.Empty, "the sweep's configuration is not valid: " + e.Message);
        }

        config = config with { Strategy = config.Strategy with { BaseDirectory = spec.StrategyBaseDirectory }, Sweep = null };
        effective.Remove("sweep");
        var run = ResolvedRun.Resolve(config, effective, loggers);
        return Prepare(spec, run, loggers);
    }

    /// <summary>Reads the bars of <paramref name="run"/> once (resolved already by the caller from <paramref name="spec"/>).</summary>
    /// <exception cref="ConfigException">The source has no bar to trade.</exception>
    public static SweepJob Prepare(SweepJobSpec spec, ResolvedRun run, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(run);
        if (run.Mode != Reporting.RunMode.Backtest)
        {
            throw new ConfigException("mode", "a sweep runs backtests; this configuration asks for " + run.Mode.ToString().ToLowerInvariant() + ".");
        }

        loggers ??= NullLoggerFactory.Instance;

        // Binding once here reads the configuration's JSON nodes on this thread, so the workers only ever read nodes
        // that are fully built (a parsed JsonObject fills itself in on first access, which is not thread-safe).
        _ = run.WithStrategyParameters([]);
        var data = HistoricalDataFactory.Open(run, loggers, StrategyLab.Data.BarPrefetchOptions.Default);
        var bars = data.Bars.ToArray(); // parsed once; every combination reads this array
        if (bars.Length == 0)
        {
            throw RunChecks.NoBars(run, data.Description, data.OutsideSession);
        }

        var calendar = run.CalendarOf(run.Symbols[0]);
        var dates = new DateOnly[bars.Length];
        for (var i = 0; i < bars.Length; i++)
        {
            dates[i] = DateOnly.FromDateTime(calendar.ToExchangeTime(bars[i].Start));
        }

        // A benchmark the run does not trade is read once too, as a backtest reads it before its run.
        var benchmarkBars = BenchmarkData.ReadUntraded(run, loggers);
        return new SweepJob(spec, run, bars, dates, data with { Bars = bars }, benchmarkBars);
    }

    /// <summary>
    /// Runs one combination over the shared bars (or the dates of <paramref name="window"/>) and returns its row: every
    /// statistic, or the reason it has none (the strategy refused the values, or threw). Writes nothing.
    /// </summary>
    /// <param name="combination">The parameters.</param>
    /// <param name="window">The dates to trade; null: all of them.</param>
    /// <param name="warmUp">
    /// Dates before <paramref name="window"/> whose bars the strategy sees first as warm-up (indicators fill, no order,
    /// no equity), as a live run warms up before it trades; null: the run starts cold.
    /// </param>
    public SweepRow Run(SweepCombination combination, SweepWindow? window = null, SweepWindow? warmUp = null)
    {
        ArgumentNullException.ThrowIfNull(combination);
        var clock = Stopwatch.StartNew();
        try
        {
            var run = BaseRun.WithStrategyParameters(combination.Parameters);
            run = run with { CalendarOf = OwnCalendars(run.CalendarOf) };
            var (start, count) = Range(window);
            if (count == 0)
            {
                return new SweepRow(combination.Index, combination.Parameters, null, "no bars in the window", [], clock.Elapsed);
            }

            var statistics = BenchmarkData.Recorder(run, InWindow(_benchmarkBars, run, window));

            // Each run has its own tally of bars left out: the one reading left (whole range only), plus the engine's own.
            var outside = window is null ? _data.OutsideSession?.Copy() : new OutsideSessionBars(run.Config.MarketHours.ExtendedHours);
            var assembly = EngineAssembly.Build(
                run with { Engine = run.Engine with { CorporateActions = _data.Actions, HistoryBuffers = _historyBuffers } }, statistics, NullLoggerFactory.Instance, null, outside);
            if (warmUp is not null && Range(warmUp) is (var warmStart, > 0 and var warmCount) && warmStart + warmCount <= start)
            {
                assembly.Engine.WarmUp(new ReadOnlySpan<Bar>(_bars, warmStart, warmCount));
            }

            assembly.Engine.Run(new ReadOnlySpan<Bar>(_bars, start, count));
            assembly.Engine.Finish(assembly.Engine.LastSliceTimeUtc);
            assembly.Engine.ReturnHistoryBuffers(); // not on a failure: the GC takes them then
            var stats = statistics.Compute(run.Statistics);
            return new SweepRow(combination.Index, combination.Parameters, stats, null, [.. statistics.DailyEquity], clock.Elapsed);
        }
        catch (ConfigException e)
        {
            return new SweepRow(combination.Index, combination.Parameters, null, e.Message, [], clock.Elapsed);
        }
        catch (StrategyException e)
        {
            return new SweepRow(combination.Index, combination.Parameters, null, StrategyRunException.Describe(e), [], clock.Elapsed);
        }
    }

    /// <summary>
    /// Runs one combination over the shared bars into <paramref name="folder"/>: the full run folder (trades, equity,
    /// summary, report) a <c>strategylab backtest</c> with these parameters writes.
    /// </summary>
    /// <exception cref="ConfigException">The strategy refuses the values.</exception>
    public RunOutcome RunToFolder(SweepCombination combination, string folder, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(combination);
        var run = BaseRun.WithStrategyParameters(combination.Parameters);
        if (run.Echo["output"] is JsonObject output)
        {
            output["dir"] = folder; // the summary says where this run went, as a backtest's says its --out
        }

        var data = _data with { OutsideSession = _data.OutsideSession?.Copy() };
        return BacktestRunner.Run(run, folder, loggers ?? NullLoggerFactory.Instance, data);
    }

    /// <summary>
    /// The run's calendars, each copied on first use with caches of its own (<see cref="MarketCalendar.WithOwnCaches"/>):
    /// runs on other workers walk other times, and through one shared calendar they overwrite each other's remembered
    /// session span (twice the session searches with two workers as with one, and a cache line moving between cores).
    /// </summary>
    private static Func<Symbol, IMarketCalendar> OwnCalendars(Func<Symbol, IMarketCalendar> shared)
    {
        var copies = new Dictionary<IMarketCalendar, IMarketCalendar>(ReferenceEqualityComparer.Instance);
        return symbol =>
        {
            var calendar = shared(symbol);
            if (!copies.TryGetValue(calendar, out var own))
            {
                own = calendar is MarketCalendar market ? market.WithOwnCaches() : calendar;
                copies.Add(calendar, own);
            }

            return own;
        };
    }

    /// <summary>The benchmark bars of the dates in <paramref name="window"/> (all of them without a window).</summary>
    private static IEnumerable<Bar>? InWindow(Bar[]? bars, ResolvedRun run, SweepWindow? window)
    {
        if (bars is null || window is null)
        {
            return bars;
        }

        var calendar = run.CalendarOf(run.Symbols[0]);
        return bars.Where(b => DateOnly.FromDateTime(calendar.ToExchangeTime(b.Start)) is var d && d >= window.From && d <= window.To);
    }

    /// <summary>The bars of the dates in <paramref name="window"/>: start index and count in the shared array.</summary>
    private (int Start, int Count) Range(SweepWindow? window)
    {
        if (window is null)
        {
            return (0, _bars.Length);
        }

        var start = Array.FindIndex(_barDates, d => d >= window.From);
        if (start < 0)
        {
            return (0, 0);
        }

        var end = start;
        while (end < _barDates.Length && _barDates[end] <= window.To)
        {
            end++;
        }

        return (start, end - start);
    }
}
