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
    private int _presses;

    private ShutdownSignals(CancellationToken outer, TextWriter error, bool install)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _error = error;
        _installed = install;
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

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (Interlocked.Increment(ref _presses) > 1)
        {
            _error.WriteLine("Second Ctrl+C: exiting now.");
            Environment.Exit(130);
        }

        e.Cancel = true;
        Request("Ctrl+C");
    }

    private void Request(string what)
    {
        _error.WriteLine($"{what}: stopping gracefully (writing results); press Ctrl+C again to exit at once.");
        _stop.Cancel();
    }
}
