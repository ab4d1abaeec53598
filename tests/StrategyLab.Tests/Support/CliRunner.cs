using System.Diagnostics;
using StrategyLab.Cli;

namespace StrategyLab.Tests.Support;

/// <summary>The result of one CLI invocation.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Both streams, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>Runs the <c>strategylab</c> CLI in-process (fast) or as a real process (end to end).</summary>
public static class CliRunner
{
    /// <summary>Runs the command tree in this process with captured output.</summary>
    public static async Task<CliResult> RunInProcessAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Starts <c>strategylab</c> as a separate process (<c>dotnet strategylab.dll …</c>), as a user would,
    /// with no terminal attached, and waits for it to exit.
    /// </summary>
    public static async Task<CliResult> RunProcessAsync(
        IEnumerable<string> args,
        string? workingDirectory = null,
        IDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestPaths.RepoRoot,
        };
        psi.ArgumentList.Add(CliDllPath);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"strategylab {string.Join(' ', args)} did not exit in time.\n{await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The built CLI assembly, copied next to the tests by the project reference.</summary>
    public static string CliDllPath => Path.Combine(AppContext.BaseDirectory, "strategylab.dll");
}
