using System.Runtime.InteropServices;

namespace StrategyLab.Cli;

/// <summary>
/// Ctrl+C and SIGTERM for long runs: the first asks for a graceful stop (the run cancels or keeps its orders as
/// configured, disconnects and writes its results); a second Ctrl+C exits at once (exit code 130).
/// Only the real process installs the handlers; in-process callers pass their own token.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration? _sigterm;
    private readonly TextWriter _error;
    private readonly bool _installed;
    private readonly Action<int> _exit;
    private int _presses;

    /// <summary>
    /// The handlers for this process when <paramref name="install"/>; <paramref name="exit"/> ends the process on a second
    /// Ctrl+C (<see cref="Environment.Exit"/> unless a test gives its own).
    /// </summary>
    internal ShutdownSignals(CancellationToken outer, TextWriter error, bool install, Action<int>? exit = null)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _error = error;
        _installed = install;
        _exit = exit ?? Environment.Exit;
        if (!install)
        {
            return;
        }

        Console.CancelKeyPress += OnCancelKeyPress;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true; // keep the process alive until the run has written its results
            Request("SIGTERM");
        });
    }

    /// <summary>The graceful-stop token.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Installs the handlers when <paramref name="error"/> is the real stderr (the CLI process).</summary>
    public static ShutdownSignals For(CancellationToken outer, TextWriter error) =>
        new(outer, error, install: ReferenceEquals(error is RecordingTextWriter recording ? recording.Inner : error, Console.Error));

    public void Dispose()
    {
        if (_installed)
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
        }

        _sigterm?.Dispose();
        _stop.Dispose();
    }

    /// <summary>A Ctrl+C: the first asks for a graceful stop; a second, while that stop runs, exits at once (code 130).</summary>
    internal void Interrupt()
    {
        if (Interlocked.Increment(ref _presses) > 1)
        {
            _error.WriteLine("Second Ctrl+C: exiting now.");
            _exit(130);
            return;
        }

        Request("Ctrl+C");
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true; // the process stays alive for the graceful stop (a second press exits through Interrupt)
        Interrupt();
    }

    private void Request(string what)
    {
        _error.WriteLine($"{what}: stopping gracefully (writing results); press Ctrl+C again to exit at once.");
        _stop.Cancel();
    }
}
