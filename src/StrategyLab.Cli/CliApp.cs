using System.CommandLine;
using System.CommandLine.Invocation;
using StrategyLab.Cli.Commands;

namespace StrategyLab.Cli;

/// <summary>Builds the command tree. Each command lives in its own file under <c>Commands/</c>.</summary>
public static class CliApp
{
    /// <summary>Exit code for a run that failed on bad input (config, data, arguments).</summary>
    public const int ExitBadInput = 2;

    /// <summary>Exit code for a run that failed for another reason.</summary>
    public const int ExitFailure = 1;

    /// <summary>Exit code for any command whose provider refused the API key (<c>live</c>, <c>data download</c>).</summary>
    public const int ExitAuthenticationFailed = 3;

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Build() => Build(only: null);

    /// <summary>
    /// The root command for <paramref name="args"/>: with only the subcommand its first word names when it names one (a
    /// <c>backtest</c> does not build the options, descriptions and validators of the twelve other commands: part of
    /// every run's start-up), else with every subcommand (<c>--help</c>, a typo: the full list and its suggestions).
    /// </summary>
    public static RootCommand BuildFor(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Length > 0 && Array.Exists(Commands, c => c.Name == args[0]) ? Build(args[0]) : Build(only: null);
    }

    /// <summary>The root command with every subcommand, or only the one named <paramref name="only"/>.</summary>
    internal static RootCommand Build(string? only)
    {
        var root = new RootCommand(
            "Strategy Lab: one engine for backtest, replay and live trading of US equities and crypto.");
        foreach (var (name, create) in Commands)
        {
            if (only is null || only == name)
            {
                root.Subcommands.Add(create());
            }
        }

        return root;
    }

    /// <summary>The subcommands by name, in the order the help lists them.</summary>
    internal static readonly (string Name, Func<Command> Create)[] Commands =
    [
        ("calendar", CalendarCommand.Create),
        ("data", DataCommand.Create),
        ("backtest", BacktestCommand.Create),
        ("sweep", SweepCommand.Create),
        ("replay", LiveCommands.CreateReplay),
        ("live", LiveCommands.CreateLive),
        ("report", ReportCommand.Create),
        ("status", StatusCommand.Create),
        ("flatten", FlattenCommand.Create),
        ("compare", CompareCommand.Create),
        ("strategies", StrategiesCommand.Create),
        ("new", NewCommand.Create),
        ("worker", WorkerCommand.Create),
    ];

    /// <summary>
    /// Parses and runs <paramref name="args"/>, writing to the given streams. Arguments that do not parse or validate
    /// (a missing or malformed option, an unknown name) print their errors and suggestions on <paramref name="error"/>
    /// and exit with <see cref="ExitBadInput"/>. With <c>--json</c>, a failure also prints
    /// <c>{"error": "…", "exit_code": n}</c> on <paramref name="output"/> (see <see cref="JsonErrors"/>).
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(Build(), args, output, error, cancellationToken);

    /// <summary>Parses and runs <paramref name="args"/> against <paramref name="root"/> (a tree made by <see cref="Build()"/> or <see cref="BuildFor"/>); see the overload without it.</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        var parse = root.Parse(args);
        var json = JsonErrors.Requested(parse);
        if (parse.Errors.Count > 0)
        {
            // The errors and any "did you mean" suggestions on stderr: stdout stays empty for scripts (--help shows
            // the usage), but for the one JSON document --json promises.
            if (parse.Action is ParseErrorAction errorAction)
            {
                errorAction.ShowHelp = false;
            }

            await parse.InvokeAsync(new InvocationConfiguration { Output = error, Error = error }, cancellationToken).ConfigureAwait(false);
            if (json)
            {
                JsonErrors.Write(output, string.Join('\n', parse.Errors.Select(e => e.Message)), ExitBadInput);
            }

            return ExitBadInput;
        }

        // Run commands handle Ctrl+C / SIGTERM themselves (graceful stop, then a second Ctrl+C exits at once).
        if (!json)
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken)
                .ConfigureAwait(false);
        }

        // --json: whatever fails, stdout gets one JSON document; the command's own one when it wrote it.
        var stdout = new RecordingTextWriter(output);
        var stderr = new RecordingTextWriter(error);
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, ProcessTerminationTimeout = null }, cancellationToken)
            .ConfigureAwait(false);
        if (code != 0 && !stdout.HasWritten)
        {
            JsonErrors.Write(output, JsonErrors.MessageOf(stderr.Text, code), code);
        }

        return code;
    }
}
