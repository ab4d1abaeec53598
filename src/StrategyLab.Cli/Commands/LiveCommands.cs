using System.CommandLine;
using Spectre.Console;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;

namespace StrategyLab.Cli.Commands;

/// <summary><c>strategylab live</c> and <c>strategylab replay</c>: the same engine on a live feed or a scaled historical clock.</summary>
internal static class LiveCommands
{
    public static Command CreateLive()
    {
        var options = new RunOptions();
        var command = new Command(
            "live",
            "Run live: real-time data from Finnhub or Polygon (key in FINNHUB_API_KEY / POLYGON_API_KEY), orders to the simulated exchange. Stops at auto_stop_at, Ctrl+C or SIGTERM.");
        options.AddTo(command);
        command.SetAction((parse, token) => RunCommand.Execute(
            parse,
            options,
            "live",
            token,
            (run, context) => RunAsync(run, context, token),
            run => LiveFeeds.SecretsOf(run)));
        return command;
    }

    public static Command CreateReplay()
    {
        var options = new RunOptions();
        var speedup = new Option<string?>("--speedup") { Description = "Clock speed: 60 = a minute of market time per second; any value > 0; 0 = as fast as possible. Overrides speedup." };
        var command = new Command(
            "replay",
            "Replay historical data through the live engine on a clock scaled by --speedup; makes the same trades as a backtest of the same data.");
        options.AddTo(command);
        command.Options.Add(speedup);
        options.Extra.Add((speedup, "speedup", v => ConfigLoader.Number("--speedup", "speedup", v)));
        command.SetAction((parse, token) => RunCommand.Execute(parse, options, "replay", token, (run, context) => RunAsync(run, context, token)));
        return command;
    }

    private static async Task<RunOutcome> RunAsync(ResolvedRun run, RunContext context, CancellationToken token)
    {
        var claim = OutputFolder.Claim(run.Config.Output.Dir, run.StrategyFactory.Name, DateTime.UtcNow);
        return await RunCommand.InClaimedFolder(claim, () => RunInFolderAsync(run, claim.Path, context, token)).ConfigureAwait(false);
    }

    private static async Task<RunOutcome> RunInFolderAsync(ResolvedRun run, string folder, RunContext context, CancellationToken token)
    {
        using var signals = ShutdownSignals.For(token, context.Error);
        if (context.ShowProgress)
        {
            var sink = new ConsoleStatusSink();
            RunOutcome? outcome = null;
            await context.Console.Live(sink.Table).AutoClear(false).StartAsync(async ctx =>
            {
                sink.Attach(ctx);
                outcome = await LiveSession.RunAsync(run, folder, context.Loggers, TimeProvider.System, signals.Token, status: sink).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return outcome!;
        }

        return await LiveSession.RunAsync(run, folder, context.Loggers, TimeProvider.System, signals.Token).ConfigureAwait(false);
    }

}
