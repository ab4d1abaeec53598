using System.CommandLine;
using Spectre.Console;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Runner.Live.Broker;
using StrategyLab.Runner.Live.Journal;

namespace StrategyLab.Cli.Commands;

/// <summary><c>strategylab live</c> and <c>strategylab replay</c>: the same engine on a live feed or a scaled historical clock.</summary>
internal static class LiveCommands
{
    public static Command CreateLive()
    {
        // Live has no built-in default: a synthetic market has no real-time feed, so the provider must be chosen.
        var options = new RunOptions("Run configuration (JSON), needed: data.provider finnhub, polygon or alpaca and its key (see the README's Live and replay section). Without it, live stops with an error naming data.provider.");
        var confirmLive = new Option<bool>(BrokerSettings.LiveConfirmationFlag)
        {
            Description = "Confirms real-money trading: needed, with broker.live: true, before any order goes to Alpaca's live endpoint.",
        };
        var command = new Command(
            "live",
            "Run live: real-time data from Finnhub, Polygon or Alpaca (keys in FINNHUB_API_KEY / POLYGON_API_KEY / ALPACA_API_KEY_ID + ALPACA_API_SECRET_KEY), orders to the simulated exchange or, with broker.type: alpaca, to Alpaca (paper unless broker.live). Stops at auto_stop_at, Ctrl+C or SIGTERM.");
        options.AddTo(command);
        var resume = ResumeOption();
        command.Options.Add(resume);
        command.Options.Add(confirmLive);
        command.SetAction((parse, token) => RunCommand.Execute(
            parse,
            options,
            "live",
            token,
            (run, context) => RunAsync(run, context, token, parse.GetValue(resume), parse.GetValue(confirmLive)),
            run => [.. LiveFeeds.SecretsOf(run), .. BrokerSettings.SecretsOf(run)],
            ResumeConfig(parse.GetValue(resume))));
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
        var resume = ResumeOption();
        command.Options.Add(resume);
        command.SetAction((parse, token) => RunCommand.Execute(
            parse,
            options,
            "replay",
            token,
            (run, context) => RunAsync(run, context, token, parse.GetValue(resume), liveTradingConfirmed: false),
            configPath: ResumeConfig(parse.GetValue(resume))));
        return command;
    }

    private static Option<string?> ResumeOption() => new("--resume")
    {
        Description = "Resume the run in this run folder after a crash or a stop: its config.json and journal.db are read (a live run replays its journalled bars, then reconciles with the broker), and the run carries on in the same folder.",
    };

    // A missing config.json fails in the loader, naming the file.
    private static string? ResumeConfig(string? folder) => folder is null ? null : RunJournal.ConfigPathIn(folder);

    private static async Task<RunOutcome> RunAsync(ResolvedRun run, RunContext context, CancellationToken token, string? resume, bool liveTradingConfirmed)
    {
        if (resume is not null)
        {
            if (!File.Exists(Path.Combine(resume, LiveJournal.FileName)))
            {
                throw new ConfigException("--resume", $"{Path.GetFullPath(resume)} has no {LiveJournal.FileName}: not a run folder this build can resume.");
            }

            return await RunInFolderAsync(run, Path.GetFullPath(resume), context, token, resume: true, liveTradingConfirmed).ConfigureAwait(false);
        }

        var claim = OutputFolder.Claim(run.Config.Output.Dir, run.StrategyFactory.Name, DateTime.UtcNow);
        return await RunCommand.InClaimedFolder(claim, () => RunInFolderAsync(run, claim.Path, context, token, resume: false, liveTradingConfirmed)).ConfigureAwait(false);
    }

    private static async Task<RunOutcome> RunInFolderAsync(ResolvedRun run, string folder, RunContext context, CancellationToken token, bool resume, bool liveTradingConfirmed)
    {
        using var signals = ShutdownSignals.For(token, context.Error);
        if (context.ShowProgress)
        {
            var sink = new ConsoleStatusSink(run.Mode, run.CalendarOf(run.Symbols[0]));
            context.Loggers.AddProvider(sink.Activity); // the last events, shown in the display
            RunOutcome? outcome = null;
            await context.Console.Live(sink.Table).AutoClear(false).StartAsync(async ctx =>
            {
                sink.Attach(ctx);
                outcome = await LiveSession.RunAsync(run, folder, context.Loggers, TimeProvider.System, signals.Token, status: sink, resume: resume, liveTradingConfirmed: liveTradingConfirmed, observer: sink.Activity).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return outcome!;
        }

        return await LiveSession.RunAsync(run, folder, context.Loggers, TimeProvider.System, signals.Token, resume: resume, liveTradingConfirmed: liveTradingConfirmed).ConfigureAwait(false);
    }

}
