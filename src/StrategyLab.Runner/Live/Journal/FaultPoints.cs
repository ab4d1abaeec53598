using System.Diagnostics;
using System.Globalization;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>
/// A test hook for the kill -9 fault loop: <c>STRATEGYLAB_FAULT_KILL_AT=&lt;point&gt;:&lt;n&gt;</c> makes the process
/// SIGKILL itself the n-th time it reaches the named point (<c>before_order_request</c>, <c>after_order_request</c>,
/// <c>before_broker_ack</c>, <c>before_fill</c>, <c>after_fill</c>, <c>before_position</c>, <c>before_cancel</c>…: before or
/// after a journal row of that kind is committed). Deterministic where timing is not. Unset: one string compare per row.
/// </summary>
public static class FaultPoints
{
    /// <summary>The environment variable.</summary>
    public const string Variable = "STRATEGYLAB_FAULT_KILL_AT";

    private static readonly (string Point, int Count)? Target = Parse(Environment.GetEnvironmentVariable(Variable));
    private static int _hits;

    /// <summary>Counts a pass through <paramref name="point"/>; kills the process (SIGKILL, no cleanup) on the n-th.</summary>
    public static void Hit(string point)
    {
        if (Target is not { } target || !string.Equals(point, target.Point, StringComparison.Ordinal))
        {
            return;
        }

        if (Interlocked.Increment(ref _hits) == target.Count)
        {
            using var self = Process.GetCurrentProcess();
            self.Kill(); // SIGKILL: as abrupt as kill -9 from outside
        }
    }

    private static (string, int)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? (value[..colon], n)
            : (value, 1);
    }
}
