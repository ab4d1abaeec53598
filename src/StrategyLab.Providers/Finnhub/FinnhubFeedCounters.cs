using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Finnhub;

/// <summary>
/// Live, thread-safe counters of a <see cref="FinnhubFeed"/>'s stream (over all its connections); malformed frames are
/// logged as <c>finnhub.frame.malformed</c>.
/// </summary>
public sealed class FinnhubFeedCounters : StreamingFeedCounters
{
    private long _trades;
    private long _pings;
    private long _errors;
    private long _other;
    private long _subscribesSent;

    /// <summary>Trade prints delivered as <see cref="Core.Data.TradeEvent"/>s (duplicates included).</summary>
    public long Trades => Interlocked.Read(ref _trades);

    /// <summary><c>ping</c> frames received.</summary>
    public long Pings => Interlocked.Read(ref _pings);

    /// <summary><c>error</c> frames received.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Well-formed frames of other types (ignored).</summary>
    public long OtherFrames => Interlocked.Read(ref _other);

    /// <summary>Prints skipped inside otherwise readable trade frames.</summary>
    public long SkippedPrints => SkippedItems;

    /// <summary>Subscribe messages sent (one per symbol per connection).</summary>
    public long SubscribesSent => Interlocked.Read(ref _subscribesSent);

    internal void AddTrades(int count) => Interlocked.Add(ref _trades, count);

    internal void AddPing() => Interlocked.Increment(ref _pings);

    internal void AddError() => Interlocked.Increment(ref _errors);

    internal void AddOther() => Interlocked.Increment(ref _other);

    internal void AddSubscribeSent() => Interlocked.Increment(ref _subscribesSent);
}
