using System.Runtime;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Statistics;
using StrategyLab.Core.Strategies;
using StrategyLab.Data;
using StrategyLab.Reporting;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Data;
using StrategyLab.Runner.Live;

namespace StrategyLab.Runner;

/// <summary>What a finished run leaves behind, for the console summary and <c>--json</c>.</summary>
/// <param name="Folder">The run folder.</param>
/// <param name="Mode">Backtest, replay or live.</param>
/// <param name="Statistics">The performance statistics.</param>
/// <param name="Counters">The engine's counters.</param>
/// <param name="Portfolio">The account at the end.</param>
/// <param name="DataDescription">What the bars were.</param>
/// <param name="IsSynthetic">True when the data was the built-in synthetic market.</param>
/// <param name="StopReason">Why the run stopped before the end of its data (<c>cancelled</c>, <c>auto_stop</c>…, see <see cref="Live.LiveStopReasonText"/>); null when it ran to the end of its data.</param>
public sealed record RunOutcome(
    string Folder,
    RunMode Mode,
    PerformanceStatistics Statistics,
    EngineCounters Counters,
    Portfolio Portfolio,
    string DataDescription,
    bool IsSynthetic,
    string? StopReason = null);

/// <summary>
/// A backtest: the configured historical bars through the engine as fast as the CPU allows, with statistics and the
/// run folder written as it goes.
/// </summary>
public static class BacktestRunner
{
    /// <summary>Managed heap size past which a finished run's garbage is collected before its folder and report are written.</summary>
    private const long CollectAboveBytes = 32L << 20;

    /// <summary>Runs <paramref name="run"/> into <paramref name="folder"/>.</summary>
    /// <param name="run">The validated configuration.</param>
    /// <param name="folder">The folder for the artifacts; created once the source has given its first bar.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="observer">Sees every bar, order and mark as well (progress display); may be null.</param>
    /// <param name="cancellationToken">Stops the run between time slices; the artifacts of what ran are still written.</param>
    /// <param name="strategy">A strategy object to run instead of the configured one (embedding a custom strategy, tests).</param>
    /// <param name="timings">Records the run's stages (data_open, first_bar, engine_setup, engine_loop, finish, then run_folder, or run_folder_and_report when the run has a report: the folder's last files and report.html are written at the same time) when given; null records nothing.</param>
    /// <exception cref="ConfigException">
    /// The source has no bar in the range, or only bars outside the sessions (<see cref="RunChecks.NoBars"/>): there is
    /// nothing to trade. No folder is created when the source has no bar at all.
    /// </exception>
    public static RunOutcome Run(
        ResolvedRun run, string folder, ILoggerFactory loggers, IRunRecorder? observer = null, CancellationToken cancellationToken = default, Core.Strategies.IStrategy? strategy = null, StageTimings? timings = null) =>
        Run(run, folder, loggers, BarPrefetchOptions.Default, observer, cancellationToken, strategy, timings);

    /// <summary>
    /// <see cref="Run(ResolvedRun, string, ILoggerFactory, IRunRecorder?, CancellationToken, Core.Strategies.IStrategy?, StageTimings?)"/>
    /// with the file sources read ahead on another thread as <paramref name="prefetch"/> says, or on this one when null
    /// (the same bars either way: tests compare the two).
    /// </summary>
    internal static RunOutcome Run(
        ResolvedRun run, string folder, ILoggerFactory loggers, BarPrefetchOptions? prefetch, IRunRecorder? observer = null, CancellationToken cancellationToken = default, Core.Strategies.IStrategy? strategy = null, StageTimings? timings = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(loggers);
        var data = HistoricalDataFactory.Open(run, loggers, prefetch); // parsing overlaps the engine (the synthetic market is cheap: not read ahead)
        timings?.End("data_open");
        return Run(run, folder, loggers, data, observer, cancellationToken, strategy, timings);
    }

    /// <summary>
    /// Runs <paramref name="run"/> over <paramref name="data"/>, already opened (a sweep's bars, read once and shared
    /// read-only by its runs), into <paramref name="folder"/>: the same run folder as a backtest that opens its source.
    /// </summary>
    internal static RunOutcome Run(
        ResolvedRun run, string folder, ILoggerFactory loggers, HistoricalData data, IRunRecorder? observer = null, CancellationToken cancellationToken = default, Core.Strategies.IStrategy? strategy = null, StageTimings? timings = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(data);
        // The engine's loop disposes the bars when it is done with them: the reader's buffers and read-ahead blocks are
        // not held while the folder and the report are written (the using covers a run that never reaches the loop).
        using var bars = new RemainingBars(data.Bars.GetEnumerator(), cancellationToken);
        var any = bars.MoveFirst();
        timings?.End("first_bar");
        if (!any && !cancellationToken.IsCancellationRequested)
        {
            throw RunChecks.NoBars(run, data.Description, data.OutsideSession);
        }

        var primary = run.CalendarOf(run.Symbols[0]);
        var statistics = BenchmarkData.Recorder(run, loggers);
        using var writer = new RunFolderWriter(folder, new RunFolderOptions
        {
            Mode = RunMode.Backtest,
            Calendars = run.CalendarOf,
            EquityCalendar = primary,
            Equity = run.Equity,
            Excursions = statistics,
            WriteBars = run.Config.Output.BarsCsv ?? false,
            Configuration = run.Echo,
            Data = new DataDescription(data.Description, data.IsSynthetic, data.IsSynthetic ? "SYNTHETIC" : null, data.Adjustment),
        });
        // The report is built from what the run holds (a recorder), not from the files read back.
        var report = run.Config.Output.Report ? new ReportRecorder(writer, run.Config.Exchange.InitialCash) : null;
        IRunRecorder[] recorders = [statistics, writer, .. report is null ? Array.Empty<IRunRecorder>() : [report], .. observer is null ? Array.Empty<IRunRecorder>() : [observer]];
        IRunRecorder recorder = new CompositeRecorder(recorders);
        var assembly = EngineAssembly.Build(run with { Engine = run.Engine with { CorporateActions = data.Actions } }, recorder, loggers, strategy, data.OutsideSession);
        StrategyException? failure = null;
        timings?.End("engine_setup");
        if (any)
        {
            try
            {
                bars.RunOn(assembly.Engine);
            }
            catch (StrategyException e)
            {
                failure = e; // the engine silenced the strategy: finish and write what ran, then report it
            }
        }

        timings?.End("engine_loop");

        assembly.Engine.Finish(assembly.Engine.LastSliceTimeUtc);
        if (failure is null && assembly.Engine.Counters.Bars == 0 && !cancellationToken.IsCancellationRequested)
        {
            throw RunChecks.NoBars(run, data.Description, assembly.Engine.OutsideSession);
        }

        CollectRunGarbage();
        StrategyStateFile.Save(assembly.Engine.Strategy, writer.DirectoryPath, assembly.Engine.LastSliceTimeUtc);
        var stats = statistics.Compute(run.Statistics);
        var stopReason = failure is not null ? LiveStopReasonText.StrategyError : cancellationToken.IsCancellationRequested ? LiveStopReasonText.Cancelled : null;
        var session = new JsonObject { ["stop_reason"] = stopReason ?? LiveStopReasonText.EndOfData };
        timings?.End("finish");
        // The folder's last files and report.html at the same time, on two threads (the same bytes as one after the other).
        RunCompletion.Complete(writer, RunSnapshot.Of(assembly.Engine, stats) with { Session = session, Daily = statistics.Daily(run.Statistics) }, report);
        timings?.End(report is null ? "run_folder" : "run_folder_and_report");

        if (failure is not null)
        {
            throw new StrategyRunException(folder, failure);
        }

        return new RunOutcome(folder, RunMode.Backtest, stats, assembly.Engine.Counters, assembly.Portfolio, data.Description, data.IsSynthetic, stopReason);
    }

    /// <summary>
    /// Once the engine is done: one full, compacting collection (large objects too) of what the run left behind. The
    /// run's garbage was promoted as it went (the recorders' ladders and buffers live throughout, so the older
    /// generations grow between their collections); collected now, the folder's last files and the report (the page's
    /// ladders, the data block's buffers) are built in that room instead of growing the heap past the run's peak. Only
    /// for a heap past <see cref="CollectAboveBytes"/>: a small run's end costs nothing.
    /// </summary>
    private static void CollectRunGarbage()
    {
        if (GC.GetTotalMemory(forceFullCollection: false) < CollectAboveBytes)
        {
            return;
        }

        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>
    /// The bars of a run, moved to the first one (<see cref="MoveFirst"/>) before the engine takes them: that bar, then
    /// the rest, until the token is cancelled. One enumerator layer between the data and the engine (each layer costs
    /// two interface calls and a bar copy per bar). It owns the data's enumerator: disposed (once) as soon as the
    /// engine's loop ends, it lets go of it.
    /// </summary>
    private sealed class RemainingBars(IEnumerator<Core.Domain.Bar> bars, CancellationToken token) : IEnumerable<Core.Domain.Bar>, IEnumerator<Core.Domain.Bar>
    {
        private IEnumerator<Core.Domain.Bar>? _bars = bars;
        private bool _started;

        public Core.Domain.Bar Current => _bars!.Current;

        object System.Collections.IEnumerator.Current => Current;

        /// <summary>Moves the data to its first bar; false when it has none.</summary>
        public bool MoveFirst() => _bars!.MoveNext();

        public IEnumerator<Core.Domain.Bar> GetEnumerator() => this;

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => this;

        public bool MoveNext()
        {
            if (!_started)
            {
                _started = true;
            }
            else if (!_bars!.MoveNext())
            {
                return false;
            }

            return !token.IsCancellationRequested;
        }

        public void Reset() => throw new NotSupportedException();

        /// <summary>
        /// Runs <paramref name="engine"/> over the bars from the first: slices cut straight out of the read-ahead's
        /// chunks when the data is read ahead (<see cref="IBarChunkReader"/>), else through this enumerator. Either way
        /// the data is let go of (disposed) when the loop ends.
        /// </summary>
        public void RunOn(TradingEngine engine)
        {
            if (_started || _bars is not IBarChunkReader chunks)
            {
                engine.Run(this);
                return;
            }

            _started = true;
            try
            {
                if (!token.IsCancellationRequested)
                {
                    SliceFeed.Run(engine, _bars.Current, chunks, token);
                }
            }
            finally
            {
                Dispose(); // as the engine's foreach does: the reader's buffers and read-ahead go before the folder and report are written
            }
        }

        public void Dispose()
        {
            var owned = _bars;
            _bars = null;
            owned?.Dispose();
        }
    }
}
