using System.Collections.Concurrent;

namespace StrategyLab.Cluster;

/// <summary>
/// The chunks a worker has received and not yet answered, by their first combination index: what its probe answer
/// lists (<see cref="WorkerInfo.Holding"/>), so a client can tell a chunk the worker is running from one whose call
/// never arrived or whose answer was lost. A multiset: two sweeps on one cluster may send chunks that start alike.
/// </summary>
public sealed class ChunkLedger
{
    private readonly ConcurrentDictionary<int, int> _held = new();

    /// <summary>Notes a chunk received.</summary>
    public void Add(int firstIndex) => _held.AddOrUpdate(firstIndex, 1, static (_, n) => n + 1);

    /// <summary>Notes a chunk answered (or failed).</summary>
    public void Remove(int firstIndex)
    {
        while (_held.TryGetValue(firstIndex, out var n))
        {
            if (n <= 1 ? _held.TryRemove(new KeyValuePair<int, int>(firstIndex, n)) : _held.TryUpdate(firstIndex, n - 1, n))
            {
                return;
            }
        }
    }

    /// <summary>The first indexes held now, ascending.</summary>
    public int[] Snapshot()
    {
        var keys = _held.Keys.ToArray();
        Array.Sort(keys);
        return keys;
    }
}

/// <summary>
/// A test hook for the lost-call path: <c>STRATEGYLAB_FAULT_DROP_CHUNK=&lt;n&gt;</c> makes a worker treat the n-th chunk
/// it receives as if its call had been lost on the way (never run, never answered, not held). Unset: one read per chunk.
/// </summary>
public static class ChunkFaults
{
    /// <summary>The environment variable.</summary>
    public const string Variable = "STRATEGYLAB_FAULT_DROP_CHUNK";

    private static readonly int Target = int.TryParse(Environment.GetEnvironmentVariable(Variable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
    private static int _received;

    /// <summary>Counts a chunk received; true for the one to drop.</summary>
    public static bool DropsNext() => Target > 0 && Interlocked.Increment(ref _received) == Target;
}
