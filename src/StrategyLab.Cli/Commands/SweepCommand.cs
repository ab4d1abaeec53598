using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StrategyLab.Cluster;
using StrategyLab.Core.Strategies;
using StrategyLab.Data;
using StrategyLab.Data.Text;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Sweeps;
using StrategyLab.Scripting;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab sweep</c>: every combination of some strategy parameters, each a normal backtest of the same engine
/// over bars read once, ranked by an objective; <c>sweep.csv</c>, <c>sweep.json</c>, <c>sweep.html</c> and the best
/// combinations' run folders.
/// </summary>
internal static class SweepCommand
{
    /// <summary>The sweep folder when neither --out nor sweep-specific output is given.</summary>
    public const string DefaultOut = "runs/sweep-{timestamp}";

    public static Command Create()
    {
        var options = new RunOptions("Run configuration (JSON) of the base run; its optional \"sweep\" section names what to vary.") { IncludeParam = false };
        var param = new Option<string[]>("--param", "-p") { Description = "A parameter to sweep: name=start..end[:step], name=a,b,c or name=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var objective = new Option<string?>("--objective") { Description = "The statistic to optimise (default sharpe; costs such as max_drawdown are minimised)." };
        var constraint = new Option<string[]>("--constraint") { Description = "A condition every combination must meet, e.g. \"fast<slow\" (repeatable).", AllowMultipleArgumentsPerToken = false };
        var jobs = new Option<int?>("--jobs", "-j") { Description = "Combinations run at once (default: one per core)." };
        var top = new Option<int?>("--top") { Description = "How many of the best combinations keep a full run folder (default 3)." };
        var walkForward = new Option<string?>("--walk-forward") { Description = "Walk-forward optimisation: train=252d,test=63d[,step=63d] (trading days)." };
        var cluster = new Option<string?>("--cluster") { Description = "Run the combinations on the workers of an Orleans cluster (strategylab worker) instead of this machine's cores: redis://host:port.", HelpName = "redis://host:port" };
        cluster.Validators.Add(r =>
        {
            try
            {
                if (r.GetValueOrDefault<string?>() is { } text)
                {
                    ClusterAddress.Parse(text);
                }
            }
            catch (FormatException e)
            {
                r.AddError(e.Message);
            }
        });
        var command = new Command("sweep", "Run a parameter sweep (grid or random search, optional walk-forward) on every core: sweep.csv, sweep.json, sweep.html.");
        options.AddTo(command);
        foreach (var option in new Option[] { param, objective, constraint, jobs, top, walkForward, cluster })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, token) => Execute(parse, options, new Flags(param, objective, constraint, jobs, top, walkForward, cluster), token));
        return command;
    }

    private sealed record Flags(Option<string[]> Param, Option<string?> Objective, Option<string[]> Constraint, Option<int?> Jobs, Option<int?> Top, Option<string?> WalkForward, Option<string?> Cluster);

    private static async Task<int> Execute(ParseResult parse, RunOptions options, Flags flags, CancellationToken token)
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        var json = parse.GetValue(options.Json);
        var quiet = parse.GetValue(options.Quiet);
        using var loggers = CliLogging.Create(stderr, parse.GetValue(options.Verbose) ? LogLevel.Information : LogLevel.Warning);
        SweepJob job;
        SweepPlan plan;
        RunFolderClaim claim;
        try
        {
            var overrides = options.Overrides(parse).Where(o => o.Key != "output.dir").ToList();
            var (config, effective) = ConfigLoader.Load(parse.GetValue(options.Config), overrides);
            plan = SweepPlan.Build(
                config.Sweep,
                parse.GetValue(flags.Param) ?? [],
                parse.GetValue(flags.Constraint) ?? [],
                parse.GetValue(flags.Objective),
                parse.GetValue(flags.Jobs),
                parse.GetValue(flags.Top),
                parse.GetValue(flags.WalkForward));
            var spec = BaseSpec(config, effective, plan);
            var run = ResolveBase(spec, loggers);
            plan.CheckParameters(run);
            job = SweepJob.Prepare(spec, run, loggers);
            claim = OutputFolder.Claim(parse.GetValue(options.Out) ?? DefaultOut, run.StrategyFactory.Name, DateTime.UtcNow);
        }
        catch (ConfigException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.ExitBadInput;
        }
        catch (StrategyCompilationException e)
        {
            await RunCommand.WriteCompileErrors(stderr, e, "sweep").ConfigureAwait(false);
            return CliApp.ExitBadInput;
        }
        catch (Exception e) when (e is DataFormatException or StrategyDefinitionException or StrategyConfigurationException)
        {
            await stderr.WriteLineAsync("error: " + TextEscape.ForMessage(e.Message)).ConfigureAwait(false);
            return CliApp.ExitBadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.ExitFailure;
        }

        SweepResult result;
        try
        {
            using var signals = ShutdownSignals.For(token, stderr);
            if (parse.GetValue(flags.Cluster) is { } address)
            {
                // The combinations run on the cluster's workers; the top runs and walk-forward bookkeeping stay here.
                await using var remote = await Connect(address, loggers, signals.Token).ConfigureAwait(false);
                if (!quiet && !json)
                {
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"sweep: {plan.Combinations.Count} combination(s) of {string.Join(", ", plan.Dimensions.Select(d => d.Name))} on the cluster at {address}")).ConfigureAwait(false);
                }

                result = await SweepProgress.RunAsync(stdout, quiet || json, plan.Objective, plan.Combinations.Count, progress =>
                    SweepRunner.RunAsync(job, plan, remote, claim.Path, loggers, progress, signals.Token)).ConfigureAwait(false);
            }
            else
            {
                var executor = new LocalSweepExecutor(plan.Jobs);
                if (!quiet && !json)
                {
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"sweep: {plan.Combinations.Count} combination(s) of {string.Join(", ", plan.Dimensions.Select(d => d.Name))} on {executor.Jobs} worker(s), {job.BarCount:N0} bars read once ({job.DataDescription})")).ConfigureAwait(false);
                }

                result = await SweepProgress.RunAsync(stdout, quiet || json, plan.Objective, plan.Combinations.Count, progress =>
                    SweepRunner.RunAsync(job, plan, executor, claim.Path, loggers, progress, signals.Token)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            claim.DiscardIfEmpty();
            await stderr.WriteLineAsync("error: the sweep was cancelled before it finished.").ConfigureAwait(false);
            return CliApp.ExitFailure;
        }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            claim.DiscardIfEmpty();
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return e is ConfigException ? CliApp.ExitBadInput : CliApp.ExitFailure;
        }

        if (json)
        {
            await stdout.WriteLineAsync(await File.ReadAllTextAsync(Path.Combine(result.Folder, SweepOutput.JsonFileName), CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);
        }
        else
        {
            await WriteSummary(stdout, result).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Connects to the cluster's workers; a cluster that cannot be reached is an error naming it.</summary>
    private static async Task<ClusterSweepRunner> Connect(string address, ILoggerFactory loggers, CancellationToken token)
    {
        try
        {
            // The sweep's own events (a worker lost, a chunk handed out again, a sweep waiting) on stderr; not Orleans'.
            return await ClusterSweepRunner.ConnectAsync(
                new ClusterSweepOptions { Cluster = address },
                token,
                logging => logging.AddProvider(new SharedLoggerProvider(loggers)).AddFilter((category, _) => category?.StartsWith("StrategyLab.", StringComparison.Ordinal) == true)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not InvalidOperationException)
        {
            throw new InvalidOperationException($"--cluster: cannot reach the cluster at {address}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The base run's spec: the effective configuration without the <c>sweep</c> section and without the swept
    /// parameters (each combination sets them; the strategy's defaults stand in while the base run is checked).
    /// </summary>
    private static SweepJobSpec BaseSpec(RunConfig config, JsonObject effective, SweepPlan plan)
    {
        effective.Remove("sweep");
        if (effective["strategy"]?["params"] is JsonObject parameters)
        {
            foreach (var d in plan.Dimensions)
            {
                parameters.Remove(d.Name);
            }
        }

        return new SweepJobSpec(effective.ToJsonString(), config.Strategy.BaseDirectory);
    }

    private static ResolvedRun ResolveBase(SweepJobSpec spec, ILoggerFactory loggers)
    {
        var config = System.Text.Json.JsonSerializer.Deserialize<RunConfig>(spec.ConfigJson, ConfigLoader.SerializerOptions)!;
        config = config with { Strategy = config.Strategy with { BaseDirectory = spec.StrategyBaseDirectory } };
        var run = ResolvedRun.Resolve(config, JsonNode.Parse(spec.ConfigJson)!.AsObject(), loggers);
        return run.Mode == Reporting.RunMode.Backtest
            ? run
            : throw new ConfigException("mode", $"a sweep runs backtests; the configuration asks for a {run.Mode.ToString().ToLowerInvariant()} run.");
    }

    private static async Task WriteSummary(TextWriter stdout, SweepResult result)
    {
        var objective = result.Plan.Objective;
        var failed = result.Rows.Count(r => r.Statistics is null);
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{result.Rows.Count} combination(s) in {result.Elapsed.TotalSeconds:0.0} s{(failed > 0 ? $", {failed} without a result (see the error column)" : string.Empty)}"),
        };
        if (result.Best is { } best)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"best by {objective.Name}: #{best.Index} {string.Join(", ", best.Parameters.Select(p => p.Key + "=" + p.Value))}: {objective.Name} {objective.Value(best.Statistics!):0.####}, return {best.Statistics!.TotalReturn:P2}, {best.TradeCount} trade(s)"));
        }
        else
        {
            lines.Add($"no combination has a value for {objective.Name}");
        }

        if (result.Overfitting is { } o)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"probabilistic Sharpe ratio of the best {o.Psr:0.000}; deflated over {o.Trials} trials {o.Dsr:0.000}"));
        }

        if (result.WalkForward is { } wf)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"walk-forward: {wf.Windows.Count} window(s), stitched out-of-sample return {wf.StitchedReturn:P2}"));
        }

        lines.Add($"results: {Path.Combine(result.Folder, SweepOutput.CsvFileName)}, {SweepOutput.JsonFileName}, {SweepHtml.FileName}");
        foreach (var (row, folder) in result.TopFolders)
        {
            lines.Add($"  #{row.Index}: {folder}");
        }

        foreach (var line in lines)
        {
            await stdout.WriteLineAsync(line).ConfigureAwait(false);
        }
    }
}
