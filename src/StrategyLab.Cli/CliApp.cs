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
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "Strategy Lab: one engine for backtest, replay and live trading of US equities and crypto.");
        root.Subcommands.Add(CalendarCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(BacktestCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(LiveCommands.CreateReplay());
        root.Subcommands.Add(LiveCommands.CreateLive());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(FlattenCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(StrategiesCommand.Create());
        root.Subcommands.Add(NewCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>, writing to the given streams. Arguments that do not parse or validate
    /// (a missing or malformed option, an unknown name) print their errors and suggestions on <paramref name="error"/>
    /// and exit with <see cref="ExitBadInput"/>. With <c>--json</c>, a failure also prints
    /// <c>{"error": "…", "exit_code": n}</c> on <paramref name="output"/> (see <see cref="JsonErrors"/>).
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(Build(), args, output, error, cancellationToken);

    /// <summary>Parses and runs <paramref name="args"/> against <paramref name="root"/> (a tree made by <see cref="Build"/>); see the overload without it.</summary>
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
