using System.Globalization;
using System.Text;

namespace StrategyLab.Cluster;

/// <summary>
/// The client's ledger of one cluster sweep: what is pending, which slot of which worker holds which chunk (under which
/// call), what is done, and per worker how many chunks were handed out, answered, lost and failed. Kept on the
/// dispatching thread only; <see cref="Describe"/> renders it for the log and for a test that gives up waiting.
/// </summary>
internal sealed class SweepState(IReadOnlyList<WorkItem> items, int chunkSize)
{
    private readonly Dictionary<int, int> _failures = [];
    private long _sequence;

    public int Total { get; } = items.Count;

    public Queue<WorkItem[]> Pending { get; } = new(items.Chunk(chunkSize));

    public HashSet<int> Done { get; } = [];

    public Dictionary<SiloAddress, WorkerState> Workers { get; } = [];

    /// <summary>Workers dropped from this sweep (kept for <see cref="Describe"/>); a dropped silo never joins again.</summary>
    public Dictionary<SiloAddress, WorkerState> Lost { get; } = [];

    /// <summary>Join attempts per silo: each uses fresh grains, so one placed on the wrong silo is never reused.</summary>
    public Dictionary<SiloAddress, int> JoinAttempts { get; } = [];

    public Dictionary<Task<WorkResult[]>, SlotState> Running { get; } = [];

    /// <summary>Why the last silo that tried to join did not (for the error when no worker ever joins), or null.</summary>
    public string? JoinProblem { get; set; }

    public bool Complete => Done.Count == Total;

    /// <summary>Orders hand-outs and probes: a probe answer can only tell of chunks handed out before it was sent.</summary>
    public long NextSequence() => ++_sequence;

    /// <summary>The next chunk with something still to do, or null.</summary>
    public WorkItem[]? NextChunk()
    {
        while (Pending.TryDequeue(out var chunk))
        {
            var open = Array.FindAll(chunk, i => !Done.Contains(i.Index));
            if (open.Length > 0)
            {
                return open;
            }
        }

        return null;
    }

    /// <summary>Puts what is not done of <paramref name="chunk"/> back in the queue; returns how many that is.</summary>
    public int Requeue(WorkItem[] chunk)
    {
        var open = Array.FindAll(chunk, i => !Done.Contains(i.Index));
        if (open.Length > 0)
        {
            Pending.Enqueue(open);
        }

        return open.Length;
    }

    public int CountFailure(WorkItem[] chunk)
    {
        var most = 0;
        foreach (var item in chunk)
        {
            _failures[item.Index] = _failures.GetValueOrDefault(item.Index) + 1;
            most = Math.Max(most, _failures[item.Index]);
        }

        return most;
    }

    /// <summary>
    /// Reads a probe answer of <paramref name="worker"/> (the probe sent at <paramref name="probeSent"/>): a slot whose
    /// call the answer lists is held; one it does not list, handed out before the probe was sent, misses once (a
    /// probe sent earlier cannot know of it). Returns the slots that missed <paramref name="limit"/> answers in a row:
    /// their call never arrived or their answer was lost. Slots stay as they are; the caller hands their chunks out again.
    /// </summary>
    public List<SlotState> ReadHolding(WorkerState worker, long probeSent, IReadOnlyCollection<Guid> holding, int limit)
    {
        var lost = new List<SlotState>();
        foreach (var slot in worker.Slots)
        {
            if (slot.Chunk is null || slot.HandedAt > probeSent)
            {
                continue;
            }

            if (holding.Contains(slot.Call))
            {
                slot.MissedHolds = 0;
                slot.Held = true;
            }
            else if (++slot.MissedHolds >= Math.Max(1, limit))
            {
                lost.Add(slot);
            }
        }

        return lost;
    }

    /// <summary>The whole ledger in a few lines: totals, then each worker's counts and slots.</summary>
    public string Describe()
    {
        var running = Running.Values.Sum(s => s.Chunk?.Length ?? 0);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Total} combination(s): {Done.Count} done, {Pending.Sum(c => c.Length)} pending in {Pending.Count} chunk(s), {running} running");
        foreach (var worker in Workers.Values.Concat(Lost.Values))
        {
            text.AppendLine().Append("  ").Append(worker.Describe());
        }

        if (Workers.Count + Lost.Count == 0)
        {
            text.AppendLine().Append("  no worker has joined");
        }

        return text.ToString();
    }
}

/// <summary>A worker of the sweep: its silo, its slots, its probe, and what it was handed.</summary>
internal sealed class WorkerState(SiloAddress silo, string name, ISweepWorkerGrain describer)
{
    public SiloAddress Silo { get; } = silo;

    public string Name { get; } = name;

    /// <summary>The grain on that worker that says its name and the calls it holds: what a probe calls.</summary>
    public ISweepWorkerGrain Describer { get; } = describer;

    /// <summary>The probe in flight (bounded by the probe timeout), or null.</summary>
    public Task<WorkerInfo>? Probe { get; set; }

    /// <summary>The sequence number the probe in flight was sent at.</summary>
    public long ProbeSent { get; set; }

    public TimeSpan? LastProbe { get; set; }

    public int MissedProbes { get; set; }

    public List<SlotState> Slots { get; } = [];

    public TimeSpan RestUntil { get; set; } = TimeSpan.MinValue;

    /// <summary>Why it was dropped from the sweep, or null.</summary>
    public string? DroppedBecause { get; set; }

    /// <summary>Chunks handed to it.</summary>
    public int Handed { get; set; }

    /// <summary>Chunks it answered.</summary>
    public int Answered { get; set; }

    /// <summary>Chunks handed out again because it did not hold them (the call or its answer lost).</summary>
    public int NotHeld { get; set; }

    /// <summary>Chunks handed out again because their call failed, or it was dropped while holding them.</summary>
    public int Failed { get; set; }

    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"worker {Name}");
        if (DroppedBecause is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" (dropped: {DroppedBecause})");
        }

        text.Append(CultureInfo.InvariantCulture, $": handed {Handed}, answered {Answered}, not held {NotHeld}, failed {Failed}, missed probes {MissedProbes}; slots:");
        for (var n = 0; n < Slots.Count; n++)
        {
            var slot = Slots[n];
            text.Append(CultureInfo.InvariantCulture, $" #{n} ");
            text.Append(slot.Chunk is null
                ? "idle"
                : $"[{string.Join(',', slot.Chunk.Select(i => i.Index))}] " + (slot.Held ? "held" : slot.MissedHolds > 0 ? $"not held x{slot.MissedHolds}" : "not yet probed"));
        }

        return text.ToString();
    }
}

/// <summary>One slot of a worker: a grain placed on it, and the chunk (and call) it runs now.</summary>
internal sealed class SlotState(WorkerState worker, ISweepWorkerGrain grain)
{
    public WorkerState Worker { get; } = worker;

    public ISweepWorkerGrain Grain { get; } = grain;

    public WorkItem[]? Chunk { get; private set; }

    /// <summary>The id of the call that handed <see cref="Chunk"/> out (what the worker's probe answers list).</summary>
    public Guid Call { get; private set; }

    /// <summary>The sequence number it was handed out at.</summary>
    public long HandedAt { get; private set; }

    /// <summary>Probe answers in a row (to probes sent after the hand-out) that did not list <see cref="Call"/>.</summary>
    public int MissedHolds { get; set; }

    /// <summary>Calls of this slot handed out again because the worker did not list them.</summary>
    public int NotHeld { get; set; }

    /// <summary>A probe answer listed <see cref="Call"/>.</summary>
    public bool Held { get; set; }

    public void Assign(WorkItem[] chunk, Guid call, long handedAt)
    {
        Chunk = chunk;
        Call = call;
        HandedAt = handedAt;
        MissedHolds = 0;
        Held = false;
    }

    /// <summary>Frees the slot; returns the chunk it held.</summary>
    public WorkItem[] Release()
    {
        var chunk = Chunk ?? throw new InvalidOperationException("the slot holds no chunk.");
        Chunk = null;
        MissedHolds = 0;
        Held = false;
        return chunk;
    }
}
