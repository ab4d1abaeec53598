using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Data;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Strategies;
using StrategyLab.Reporting;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Data;
using StrategyLab.Runner.Live.Broker;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Runner.Logging;

namespace StrategyLab.Runner.Live;

/// <summary>
/// Runs a live or replay session end to end: run folder written incrementally (equity every cycle, trades as they
/// close, <c>bars.csv</c>, <c>log.jsonl</c> with every structured event), the engine, the runner, and the final
/// summary whatever the way it stops.
/// </summary>
public static class LiveSession
{
    /// <summary>Runs <paramref name="run"/> (live or replay) into <paramref name="folder"/>.</summary>
    /// <param name="run">The validated configuration (mode live or replay).</param>
    /// <param name="folder">The run folder (created if needed).</param>
    /// <param name="loggers">Logging; a <c>log.jsonl</c> provider is added for the run.</param>
    /// <param name="time">The clock (the system's, or a fake in tests).</param>
    /// <param name="stopToken">Graceful stop (Ctrl+C, SIGTERM).</param>
    /// <param name="feedFactory">Creates the live feed (default: <see cref="LiveFeeds.Create"/>).</param>
    /// <param name="status">A status display, if any.</param>
    /// <param name="resume">
    /// Resume the run of <paramref name="folder"/> (<c>--resume</c>): its journal is replayed, the run re-derives its
    /// events from the start (the engine is deterministic), writes only what the journal lacks, and carries on.
    /// </param>
    /// <param name="liveTradingConfirmed">The command line confirmed real-money trading (needed with <c>broker.live: true</c>).</param>
    /// <param name="observer">Also sees the run's events (a status display's last fills), after the run's own recorders.</param>
    public static async Task<RunOutcome> RunAsync(
        ResolvedRun run,
        string folder,
        ILoggerFactory loggers,
        TimeProvider time,
        CancellationToken stopToken,
        Func<ResolvedRun, ILoggerFactory, TimeProvider, ILiveMarketDataFeed>? feedFactory = null,
        ILiveStatusSink? status = null,
        bool resume = false,
        bool liveTradingConfirmed = false,
        IRunRecorder? observer = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(loggers);
        Directory.CreateDirectory(folder);
        using var jsonl = JsonLinesLoggerProvider.ToFile(Path.Combine(folder, "log.jsonl"), time, [.. LiveFeeds.SecretsOf(run), .. BrokerSettings.SecretsOf(run)], text: new LogText(run.CalendarOf(run.Symbols[0])));
        using var runLoggers = new ForwardingLoggerFactory(loggers, jsonl);
        var logger = runLoggers.CreateLogger("StrategyLab.Live");
        foreach (var warning in run.Warnings)
        {
            logger.LogWarning(LiveEvents.ReplayWinsOverLive, "{Warning}", warning);
        }

        using var journal = RunJournal.Open(folder, run.Echo, resume, time, logger, fsyncEachCommit: run.Mode == RunMode.Live);
        var primary = run.CalendarOf(run.Symbols[0]);
        var statistics = BenchmarkData.Recorder(run, runLoggers);
        HistoricalData? replayData = run.Mode == RunMode.Replay ? HistoricalDataFactory.Open(run, runLoggers) : null;
        var description = replayData?.Description ?? $"live {run.Config.Data.Provider} {run.Timeframe} bars";
        var synthetic = replayData?.IsSynthetic ?? false;
        using var writer = new RunFolderWriter(folder, new RunFolderOptions
        {
            Mode = run.Mode,
            Calendars = run.CalendarOf,
            EquityCalendar = primary,
            Incremental = true,
            Equity = run.Equity,
            Excursions = statistics,
            WriteBars = run.Config.Output.BarsCsv ?? true,
            Configuration = run.Echo,
            Data = new DataDescription(description, synthetic, synthetic ? "SYNTHETIC" : null, replayData?.Adjustment),
        });
        var report = run.Config.Output.Report ? new ReportRefresher(folder, time, logger) : null;
        var stateJournal = journal.StateRecorder();
        IRunRecorder[] recorders = [statistics, writer, .. report is null ? Array.Empty<IRunRecorder>() : [report], stateJournal, .. observer is null ? Array.Empty<IRunRecorder>() : [observer]];
        IRunRecorder recorder = new CompositeRecorder(recorders);
        await using var broker = BrokerSettings.CreateVenue(run, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), runLoggers, liveTradingConfirmed);
        var assembly = EngineAssembly.Build(
            replayData is null ? run : run with { Engine = run.Engine with { CorporateActions = replayData.Actions } },
            recorder,
            runLoggers,
            outsideSession: replayData?.OutsideSession,
            journal: journal,
            broker: broker);
        stateJournal.Strategy = assembly.Engine.Strategy;
        if (report is not null && StrategyStateFile.StateTypeOf(assembly.Engine.Strategy) is not null)
        {
            // The state file follows the report, so a crash leaves a recent one.
            report.Refreshing = () => StrategyStateFile.Save(assembly.Engine.Strategy, folder, assembly.Engine.LastSliceTimeUtc);
        }
        string? stopReason;
        JsonObject session;
        try
        {
            if (run.Mode == RunMode.Replay)
            {
                var replay = new ReplayRunner(run, replayData!.Bars, assembly, time, runLoggers, status)
                {
                    CatchUpUntilUtc = journal.Writer.Resumed.LastMarketTimeUtc,
                };
                stopReason = (await replay.RunAsync(stopToken).ConfigureAwait(false))?.ToText();
                if (stopReason is null && assembly.Engine.Counters.Bars == 0)
                {
                    // The data ran out without a bar to act on: say so instead of writing a 0-trade summary.
                    throw RunChecks.NoBars(run, description, assembly.Engine.OutsideSession);
                }

                session = new JsonObject
                {
                    ["stop_reason"] = stopReason ?? LiveStopReasonText.EndOfData,
                    ["speedup"] = run.Config.Speedup,
                    ["slices"] = replay.Cycles,
                };
            }
            else
            {
                await using var feed = (feedFactory ?? LiveFeeds.Create)(run, runLoggers, time);
                await LiveFeeds.CheckSymbolsAsync(feed, run.Symbols, logger, stopToken).ConfigureAwait(false);
                var live = new LiveRunner(run, feed, assembly, time, runLoggers, status);
                if (resume)
                {
                    // Before the feed connects: the engine back where it was, then the broker's news while we were down.
                    await LiveCatchUp.ResumeAsync(journal, assembly, live, logger, time.GetUtcNow().UtcDateTime, stopToken).ConfigureAwait(false);
                }

                using var desk = new OperatorDesk(journal, assembly, logger); // after the catch-up: it knows the requests already answered
                live.Desk = desk;
                try
                {
                    stopReason = (await live.RunAsync(stopToken).ConfigureAwait(false)).ToText();
                }
                catch (FeedAuthenticationException)
                {
                    writer.Complete(RunSnapshot.Of(assembly.Engine, statistics.Compute(run.Statistics)) with { Daily = statistics.Daily(run.Statistics), Session = new JsonObject { ["stop_reason"] = LiveStopReasonText.AuthenticationFailed } });
                    throw;
                }

                var c = live.Counters;
                var t = live.TradeCounters;
                session = new JsonObject
                {
                    ["stop_reason"] = stopReason,
                    ["provider"] = feed.Name,
                    ["broker"] = broker?.Name ?? "simulated",
                    ["live_cycles"] = c.Cycles,
                    ["trades_received"] = c.Trades,
                    ["trades_accepted"] = t.Accepted,
                    ["duplicates"] = t.Duplicates,
                    ["late"] = t.Late,
                    ["outside_hours"] = t.OutsideHours,
                    ["provider_bars"] = c.ProviderBars,
                    ["late_provider_bars"] = c.LateProviderBars,
                    ["disconnects"] = c.Disconnects,
                    ["bars_backfilled"] = c.BarsBackfilled,
                    ["gaps_unfilled"] = c.GapsUnfilled,
                    ["warmup_bars"] = c.WarmupBars,
                    ["intents_suppressed"] = assembly.Engine.Counters.IntentsSuppressed,
                };
                if (desk.HaltedBy is { } haltedBy)
                {
                    session["halted_by"] = haltedBy; // an operator flattened the run: it traded no more
                    session["intents_halted"] = assembly.Engine.Counters.IntentsHalted;
                }
            }
        }
        catch (StrategyException e)
        {
            // The engine silenced the strategy and the runner handled open orders (engine.cancel_orders_on_stop):
            // write what ran, then report the failure.
            var failure = new StrategyRunException(folder, e);
            logger.LogError(LiveEvents.StrategyError, "{Failure}", failure.Message);
            writer.Complete(RunSnapshot.Of(assembly.Engine, statistics.Compute(run.Statistics)) with { Daily = statistics.Daily(run.Statistics), Session = new JsonObject { ["stop_reason"] = LiveStopReasonText.StrategyError } });
            report?.Refresh();
            throw failure;
        }

        StrategyStateFile.Save(assembly.Engine.Strategy, folder, assembly.Engine.LastSliceTimeUtc);
        journal.ReportResume();
        var stats = statistics.Compute(run.Statistics);
        writer.Complete(RunSnapshot.Of(assembly.Engine, stats) with { Session = session, Daily = statistics.Daily(run.Statistics) });
        report?.Refresh();
        return new RunOutcome(folder, run.Mode, stats, assembly.Engine.Counters, assembly.Portfolio, description, synthetic, stopReason);
    }

    /// <summary>A logger factory that writes to the caller's providers and to one more (the run's log.jsonl).</summary>
    private sealed class ForwardingLoggerFactory(ILoggerFactory inner, ILoggerProvider extra) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public ILogger CreateLogger(string categoryName) => new Tee(inner.CreateLogger(categoryName), extra.CreateLogger(categoryName));

        public void Dispose()
        {
            // The caller owns both.
        }

        private sealed class Tee(ILogger a, ILogger b) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => a.IsEnabled(logLevel) || b.IsEnabled(logLevel);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (a.IsEnabled(logLevel))
                {
                    a.Log(logLevel, eventId, state, exception, formatter);
                }

                if (b.IsEnabled(logLevel))
                {
                    b.Log(logLevel, eventId, state, exception, formatter);
                }
            }
        }
    }
}
