using System.Collections.Concurrent;

namespace StrategyLab.Cluster;

/// <summary>
/// The chunk calls a worker has received and not yet answered, by their call id: what its probe answer lists
/// (<see cref="WorkerInfo.Holding"/>), so a client can tell a chunk the worker is running from one whose call never
/// arrived or whose answer was lost. A call id names one call (one hand-out of a chunk), so a chunk handed out again
/// is never mistaken for its first, lost, call.
/// </summary>
public sealed class ChunkLedger
{
    private readonly ConcurrentDictionary<Guid, byte> _held = new();

    /// <summary>Notes a call received.</summary>
    public void Add(Guid call) => _held.TryAdd(call, 0);

    /// <summary>Notes a call answered (or failed).</summary>
    public void Remove(Guid call) => _held.TryRemove(call, out _);

    /// <summary>The calls held now, sorted (a client looks them up by binary search).</summary>
    public Guid[] Snapshot()
    {
        var calls = _held.Keys.ToArray();
        Array.Sort(calls);
        return calls;
    }
}

/// <summary>
/// A test hook for the lost-call path: <c>STRATEGYLAB_FAULT_DROP_CHUNK=&lt;n&gt;</c> makes a worker treat the n-th chunk
/// call it receives as if it had been lost on the way (never run, never answered, not held). Unset: one read per process.
/// </summary>
public static class ChunkFaults
{
    /// <summary>The environment variable.</summary>
    public const string Variable = "STRATEGYLAB_FAULT_DROP_CHUNK";

    private static readonly int Target = int.TryParse(Environment.GetEnvironmentVariable(Variable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
    private static int _received;

    /// <summary>Counts a chunk call received; true for the one to drop.</summary>
    public static bool DropsNext() => Target > 0 && Interlocked.Increment(ref _received) == Target;
}
