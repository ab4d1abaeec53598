using System.CommandLine;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using StrategyLab.Core.Data;
using StrategyLab.Core.Strategies;
using StrategyLab.Data;
using StrategyLab.Data.Text;
using StrategyLab.Runner;
using StrategyLab.Runner.Logging;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Data;
using StrategyLab.Scripting;

namespace StrategyLab.Cli.Commands;

/// <summary><c>strategylab backtest</c>: a configuration's historical run, as fast as the CPU allows.</summary>
internal static class BacktestCommand
{
    public static Command Create()
    {
        var options = new RunOptions { Timings = new Option<bool>("--timings") { Description = "After the run, print on stderr where its time went, stage by stage (start-up, config, data, engine, run folder, report): wall and CPU ms, collections, MB allocated, methods JIT-compiled." } };
        var command = new Command(
            "backtest",
            "Run a backtest. Without --config it runs the built-in default: ORB on a deterministic synthetic market (no key, no network).");
        options.AddTo(command);
        command.SetAction((parse, token) => RunCommand.Execute(parse, options, "backtest", token, async (run, context) =>
        {
            using var signals = ShutdownSignals.For(token, context.Error);
            var claim = OutputFolder.Claim(run.Config.Output.Dir, run.StrategyFactory.Name, DateTime.UtcNow);
            return await RunCommand.InClaimedFolder(claim, () => Task.FromResult(Run(run, claim.Path, context, signals.Token))).ConfigureAwait(false);
        }));
        return command;
    }

    private static RunOutcome Run(ResolvedRun run, string folder, RunContext context, CancellationToken token)
    {
        if (!context.ShowProgress)
        {
            return BacktestRunner.Run(run, folder, context.Loggers, null, token, timings: context.Timings);
        }

        var (from, to) = Range(run);
        return context.Console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("backtest", maxValue: 100);
                var progress = new ProgressObserver(task, from, to);
                var result = BacktestRunner.Run(run, folder, context.Loggers, progress, token, timings: context.Timings);
                progress.Complete();
                return result;
            });
    }

    private static (DateTime From, DateTime To) Range(ResolvedRun run)
    {
        var calendar = run.CalendarOf(run.Symbols[0]);
        var from = run.From ?? (run.Config.Data.Provider == "synthetic" ? HistoricalDataFactory.DefaultSyntheticRange.From : DateOnly.MinValue);
        var to = run.To ?? (run.Config.Data.Provider == "synthetic" && run.From is null ? HistoricalDataFactory.DefaultSyntheticRange.To : DateOnly.MaxValue);
        if (from == DateOnly.MinValue || to == DateOnly.MaxValue)
        {
            return (default, default); // unknown range: the bar shows counts and rate only
        }

        return (calendar.ToUtc(from.ToDateTime(TimeOnly.MinValue)), calendar.ToUtc(to.AddDays(1).ToDateTime(TimeOnly.MinValue)));
    }
}

/// <summary>What a run command's body gets.</summary>
internal sealed class RunContext(ILoggerFactory loggers, bool showProgress, TextWriter output, TextWriter error, StageTimings? timings = null)
{
    private IAnsiConsole? _console;

    /// <summary>A Spectre console over <see cref="Output"/>, made when first asked for (a run without a live display never needs one).</summary>
    public IAnsiConsole Console => _console ??= RunConsole.For(Output);

    /// <summary>The command's loggers.</summary>
    public ILoggerFactory Loggers { get; } = loggers;

    /// <summary>True when the run shows a live display (progress or status) instead of informational log lines.</summary>
    public bool ShowProgress { get; } = showProgress;

    /// <summary>The command's standard output.</summary>
    public TextWriter Output { get; } = output;

    /// <summary>The command's standard error.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>The run's stage timings when <c>--timings</c> asked for them; else null.</summary>
    public StageTimings? Timings { get; } = timings;
}

/// <summary>The shared frame of run commands: configuration, logging, errors and exit codes, summary or JSON.</summary>
internal static class RunCommand
{
    /// <summary>
    /// Runs <paramref name="body"/> into the claimed folder; if it fails before producing results, removes what it
    /// created there (a failed run leaves no empty run folder behind).
    /// </summary>
    public static async Task<RunOutcome> InClaimedFolder(RunFolderClaim claim, Func<Task<RunOutcome>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch
        {
            claim.DiscardIfEmpty();
            throw;
        }
    }

    /// <summary>
    /// A user strategy's compile errors: one line per error, as dotnet build prints them (editors and CI annotate
    /// these), then what it means for the <paramref name="what"/> (run, sweep).
    /// </summary>
    public static async Task WriteCompileErrors(TextWriter stderr, StrategyCompilationException e, string what)
    {
        foreach (var error in e.Errors)
        {
            await stderr.WriteLineAsync(TextEscape.ForMessage(error)).ConfigureAwait(false);
        }

        await stderr.WriteLineAsync($"error: strategy.source: {e.Errors.Count} compile error(s); the {what} did not start.").ConfigureAwait(false);
    }

    /// <summary>Stage timings from the command's <c>Main</c> (or from now, when the CLI runs inside another program); the first stage is the command line's parsing.</summary>
    private static StageTimings StartTimings()
    {
        var timings = new StageTimings(Program.MainTimestamp);
        timings.End("command_line");
        return timings;
    }

    /// <summary>Writes <paramref name="timings"/> with the runtime's own start before <c>Main</c>, when it is known.</summary>
    private static void WriteTimings(TextWriter stderr, StageTimings timings)
    {
        if (Program.MainTimestamp != 0 && StageTimings.ProcessAge() is { } age)
        {
            var before = age - System.Diagnostics.Stopwatch.GetElapsedTime(Program.MainTimestamp);
            timings.BeforeOrigin = before > TimeSpan.Zero ? before : TimeSpan.Zero;
        }

        timings.WriteTo(stderr);
    }

    public static async Task<int> Execute(
        ParseResult parse,
        RunOptions options,
        string mode,
        CancellationToken token,
        Func<ResolvedRun, RunContext, Task<RunOutcome>> body,
        Func<ResolvedRun, IEnumerable<string?>>? secrets = null,
        string? configPath = null)
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        var json = parse.GetValue(options.Json);
        var quiet = parse.GetValue(options.Quiet);
        var verbose = parse.GetValue(options.Verbose);
        var timings = options.Timings is { } timingsOption && parse.GetValue(timingsOption) ? StartTimings() : null;

        // A terminal display (progress bar, live status) replaces the informational log lines on the console;
        // they still reach log.jsonl in live and replay runs.
        var showProgress = !quiet && !json && RunConsole.IsTerminal(stdout);
        var minimum = verbose ? LogLevel.Information : mode == "backtest" || showProgress ? LogLevel.Warning : LogLevel.Information;
        ResolvedRun run;
        try
        {
            var (config, effective) = ConfigLoader.Load(configPath ?? parse.GetValue(options.Config), options.Overrides(parse));
            if (mode != "backtest" && config.Mode == "backtest")
            {
                // The command names the mode when the file does not.
                config = config with { Mode = mode };
                effective["mode"] = mode;
            }

            if (config.Mode == "backtest")
            {
                RunEndWarmUp.Start(config.Output.Report, stdout); // the report's one-time cost on the other core while the run starts
            }

            using var strategyLoggers = CliLogging.Create(stderr, minimum); // compiling a strategy: no secret is known yet, none is logged
            timings?.End("config_load");
            run = ResolvedRun.Resolve(config, effective, strategyLoggers);
            if (mode == "backtest" && run.Mode != Reporting.RunMode.Backtest)
            {
                throw new ConfigException("mode", $"the configuration asks for a {run.Mode.ToString().ToLowerInvariant()} run; use 'strategylab {run.Mode.ToString().ToLowerInvariant()}'.");
            }
        }
        catch (ConfigException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.ExitBadInput;
        }
        catch (StrategyCompilationException e)
        {
            await WriteCompileErrors(stderr, e, "run").ConfigureAwait(false);
            return CliApp.ExitBadInput;
        }
        catch (StrategyDefinitionException e)
        {
            // The strategy class's constructor threw while the configuration was checked.
            var at = e.InnerException is { } inner && UserStrategyLoader.Locate(inner) is { } location ? $" (at {location})" : string.Empty;
            await stderr.WriteLineAsync("error: " + TextEscape.ForMessage(e.Message + at)).ConfigureAwait(false);
            return CliApp.ExitBadInput;
        }
        catch (StrategyException e)
        {
            await stderr.WriteLineAsync("error: " + TextEscape.ForMessage(StrategyRunException.Describe(e))).ConfigureAwait(false);
            return CliApp.ExitFailure;
        }
        using var loggers = CliLogging.Create(stderr, minimum, secrets?.Invoke(run), new LogText(run.CalendarOf(run.Symbols[0])));
        var startup = loggers.CreateLogger("StrategyLab.Cli");
        foreach (var warning in run.Warnings)
        {
            startup.LogWarning(new EventId(1010, "config.warning"), "{Warning}", warning);
        }

        timings?.End("config_resolve");
        var context = new RunContext(loggers, showProgress, stdout, stderr, timings);
        try
        {
            var outcome = await body(run, context).ConfigureAwait(false);
            if (json)
            {
                RunConsole.WriteJson(stdout, outcome);
            }
            else
            {
                RunConsole.WriteSummary(stdout, outcome);
            }

            if (timings is not null)
            {
                timings.End("summary");
                WriteTimings(stderr, timings);
            }

            return 0;
        }
        catch (StrategyRunException e)
        {
            await stderr.WriteLineAsync("error: " + TextEscape.ForMessage(e.Message)).ConfigureAwait(false);
            await stderr.WriteLineAsync($"the run stopped (stop_reason: strategy_error); what ran is in {e.Folder}").ConfigureAwait(false);
            return CliApp.ExitFailure;
        }
        catch (StrategyException e)
        {
            await stderr.WriteLineAsync("error: " + TextEscape.ForMessage(StrategyRunException.Describe(e))).ConfigureAwait(false);
            return CliApp.ExitFailure;
        }
        catch (FeedAuthenticationException e)
        {
            await stderr.WriteLineAsync("error: the provider refused the API key: " + e.Message).ConfigureAwait(false);
            return CliApp.ExitAuthenticationFailed;
        }
        catch (Exception e) when (e is ConfigException or DataFormatException or StrategyConfigurationException or StrategyDefinitionException)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.ExitBadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or InvalidDataException)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.ExitFailure;
        }
    }
}
