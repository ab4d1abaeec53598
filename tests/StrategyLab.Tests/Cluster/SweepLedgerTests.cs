using System.Net;
using StrategyLab.Cluster;

namespace StrategyLab.Tests.Cluster;

/// <summary>
/// Issue 14: the client's ledger decides when a live worker's chunk is lost (its probe answers do not list the call),
/// without processes: only probes sent after the hand-out count, a listed call resets the count, and a slot handed a
/// new chunk starts from zero.
/// </summary>
public sealed class SweepLedgerTests
{
    private static readonly Guid[] Nothing = [];

    [Fact]
    public void AChunkNotListed_InThreeAnswersToProbesSentAfterItsHandOut_IsLost()
    {
        var (sweep, worker) = OneWorker(slots: 2);
        var slot = worker.Slots[0];
        var call = Guid.NewGuid();
        var probeBefore = sweep.NextSequence();
        slot.Assign(sweep.NextChunk()!, call, sweep.NextSequence());

        // A probe sent before the hand-out cannot know of it, however many times it is read.
        Assert.Empty(sweep.ReadHolding(worker, probeBefore, Nothing, limit: 3));
        Assert.Empty(sweep.ReadHolding(worker, probeBefore, Nothing, limit: 3));
        Assert.Empty(sweep.ReadHolding(worker, probeBefore, Nothing, limit: 3));
        Assert.Equal(0, slot.MissedHolds);

        Assert.Empty(sweep.ReadHolding(worker, sweep.NextSequence(), Nothing, limit: 3));
        Assert.Empty(sweep.ReadHolding(worker, sweep.NextSequence(), Nothing, limit: 3));
        Assert.Equal([slot], sweep.ReadHolding(worker, sweep.NextSequence(), Nothing, limit: 3));
        Assert.Contains("not held x3", sweep.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void AListedCall_ResetsTheCount_AndAnotherCallOfTheSameChunkIsNotTakenForIt()
    {
        var (sweep, worker) = OneWorker(slots: 1);
        var slot = worker.Slots[0];
        var chunk = sweep.NextChunk()!;
        var call = Guid.NewGuid();
        slot.Assign(chunk, call, sweep.NextSequence());
        Assert.Empty(sweep.ReadHolding(worker, sweep.NextSequence(), Nothing, limit: 3));
        Assert.Empty(sweep.ReadHolding(worker, sweep.NextSequence(), Nothing, limit: 3));
        Assert.Empty(sweep.ReadHolding(worker, sweep.NextSequence(), [call], limit: 3));
        Assert.Equal(0, slot.MissedHolds);
        Assert.Contains("held", sweep.Describe(), StringComparison.Ordinal);

        // The same combinations handed out again under a new call: the worker still holding the first call does not
        // hold this one.
        slot.Release();
        var again = Guid.NewGuid();
        slot.Assign(chunk, again, sweep.NextSequence());
        Assert.Empty(sweep.ReadHolding(worker, sweep.NextSequence(), [call], limit: 3));
        Assert.Empty(sweep.ReadHolding(worker, sweep.NextSequence(), [call], limit: 3));
        Assert.Equal([slot], sweep.ReadHolding(worker, sweep.NextSequence(), [call], limit: 3));
    }

    [Fact]
    public void ASlotHandedANewChunk_StartsCountingFromZero()
    {
        // The answer to a probe sent while the slot's last chunk was finishing may not list it; that miss must not
        // count against the next chunk handed to the slot.
        var (sweep, worker) = OneWorker(slots: 1);
        var slot = worker.Slots[0];
        slot.Assign(sweep.NextChunk()!, Guid.NewGuid(), sweep.NextSequence());
        Assert.Empty(sweep.ReadHolding(worker, sweep.NextSequence(), Nothing, limit: 3));
        Assert.Empty(sweep.ReadHolding(worker, sweep.NextSequence(), Nothing, limit: 3));
        slot.Release();
        slot.Assign(sweep.NextChunk()!, Guid.NewGuid(), sweep.NextSequence());
        Assert.Empty(sweep.ReadHolding(worker, sweep.NextSequence(), Nothing, limit: 3));
        Assert.Equal(1, slot.MissedHolds);
    }

    [Fact]
    public void Describe_SaysPerWorker_WhatWasHandedOutAnsweredAndLost_AndWhatEachSlotHolds()
    {
        var (sweep, worker) = OneWorker(slots: 2);
        worker.Handed = 3;
        worker.Answered = 1;
        worker.NotHeld = 1;
        sweep.Done.UnionWith([0, 1]);
        worker.Slots[1].Assign(sweep.NextChunk()!, Guid.NewGuid(), sweep.NextSequence());
        var text = sweep.Describe();
        Assert.Contains("6 combination(s): 2 done", text, StringComparison.Ordinal);
        Assert.Contains("worker 127.0.0.1:11111: handed 3, answered 1, not held 1, failed 0", text, StringComparison.Ordinal);
        Assert.Contains("#0 idle #1 [2,3] not yet probed", text, StringComparison.Ordinal);
    }

    private static (SweepState Sweep, WorkerState Worker) OneWorker(int slots)
    {
        var items = Enumerable.Range(0, 6).Select(i => new WorkItem(i, "{}")).ToList();
        var sweep = new SweepState(items, chunkSize: 2);
        var silo = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
        var worker = new WorkerState(silo, "127.0.0.1:11111", null!);
        for (var n = 0; n < slots; n++)
        {
            worker.Slots.Add(new SlotState(worker, null!));
        }

        sweep.Workers[silo] = worker;
        return (sweep, worker);
    }
}
