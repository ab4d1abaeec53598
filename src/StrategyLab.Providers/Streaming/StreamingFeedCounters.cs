namespace StrategyLab.Providers.Streaming;

/// <summary>
/// The live, thread-safe counters every <see cref="StreamingFeed"/> keeps over all its connections: frames received and
/// frames that could not be read in full. Each provider's counters add what its frames carry.
/// </summary>
public abstract class StreamingFeedCounters
{
    private long _frames;
    private long _malformedFrames;
    private long _skipped;

    /// <summary>Creates zeroed counters (only this library's providers derive from this class).</summary>
    private protected StreamingFeedCounters()
    {
    }

    /// <summary>Frames received (every kind, including malformed ones).</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Frames that were unreadable or held unreadable items (each logged as <c>&lt;provider&gt;.frame.malformed</c>).</summary>
    public long MalformedFrames => Interlocked.Read(ref _malformedFrames);

    /// <summary>Items (prints, events) skipped inside otherwise readable frames; each provider names them.</summary>
    private protected long SkippedItems => Interlocked.Read(ref _skipped);

    internal void AddFrame() => Interlocked.Increment(ref _frames);

    /// <summary>Counts a malformed frame and the items skipped in it; returns the malformed frames so far (for the log).</summary>
    internal long AddMalformed(int skippedItems)
    {
        Interlocked.Add(ref _skipped, skippedItems);
        return Interlocked.Increment(ref _malformedFrames);
    }
}
