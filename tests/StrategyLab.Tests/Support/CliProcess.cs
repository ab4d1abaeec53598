using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace StrategyLab.Tests.Support;

/// <summary>
/// A <c>strategylab</c> process the test keeps a hold of (<see cref="CliRunner.RunProcessAsync"/> only waits): it can be
/// signalled (<c>TERM</c> for a graceful stop, <c>KILL</c> for kill -9) while it runs; its output is captured.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private CliProcess(Process process)
    {
        _process = process;
    }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code (137 after SIGKILL).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>dotnet strategylab.dll <paramref name="args"/></c> with <paramref name="environment"/> added.</summary>
    public static CliProcess Start(IEnumerable<string> args, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = TestPaths.RepoRoot,
        };
        psi.ArgumentList.Add(CliRunner.CliDllPath);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start dotnet.");
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => cli.Append(cli._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => cli.Append(cli._stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Sends a signal (<c>TERM</c>, <c>INT</c>, <c>KILL</c>).</summary>
    public void Signal(string signal)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    /// <summary>Waits for the exit; kills the process and throws after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"strategylab did not exit within {timeout.TotalSeconds} s\n{this}");
        }

        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    /// <summary>The captured output, for assertion messages.</summary>
    public override string ToString()
    {
        lock (_stdout)
        {
            return $"stdout:\n{_stdout}\nstderr:\n{_stderr}";
        }
    }

    private void Append(StringBuilder to, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout)
        {
            to.AppendLine(line);
        }
    }
}
