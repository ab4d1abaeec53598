using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Polygon;

/// <summary>
/// Live, thread-safe counters of a <see cref="PolygonFeed"/>'s stream (over all its connections); malformed frames are
/// logged as <c>polygon.frame.malformed</c>.
/// </summary>
public sealed class PolygonFeedCounters : StreamingFeedCounters
{
    private long _minuteBars;
    private long _secondBars;
    private long _trades;
    private long _statuses;
    private long _other;
    private long _maxConnections;

    /// <summary><c>AM</c> events delivered as bars (re-sent corrections included).</summary>
    public long MinuteBars => Interlocked.Read(ref _minuteBars);

    /// <summary><c>A</c> events delivered as bars.</summary>
    public long SecondBars => Interlocked.Read(ref _secondBars);

    /// <summary><c>T</c> events delivered as trades (duplicates included).</summary>
    public long Trades => Interlocked.Read(ref _trades);

    /// <summary>Status events received.</summary>
    public long Statuses => Interlocked.Read(ref _statuses);

    /// <summary>Well-formed events of other types (ignored).</summary>
    public long OtherEvents => Interlocked.Read(ref _other);

    /// <summary>Events skipped inside otherwise readable frames.</summary>
    public long SkippedEvents => SkippedItems;

    /// <summary><c>max_connections</c> statuses received.</summary>
    public long MaxConnections => Interlocked.Read(ref _maxConnections);

    internal void AddMinuteBar() => Interlocked.Increment(ref _minuteBars);

    internal void AddSecondBar() => Interlocked.Increment(ref _secondBars);

    internal void AddTrade() => Interlocked.Increment(ref _trades);

    internal void AddStatus() => Interlocked.Increment(ref _statuses);

    internal void AddOther() => Interlocked.Increment(ref _other);

    internal void AddMaxConnections() => Interlocked.Increment(ref _maxConnections);
}
