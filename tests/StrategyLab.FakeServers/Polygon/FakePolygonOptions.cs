namespace StrategyLab.FakeServers.Polygon;

/// <summary>What happens when a key authenticates on more sockets than <see cref="FakePolygonOptions.ConnectionsPerKey"/>.</summary>
public enum FakeConnectionLimitMode
{
    /// <summary>The oldest socket of the key gets <c>max_connections</c> and is closed (1008); the new one is authenticated.</summary>
    EvictOld,

    /// <summary>The new socket gets <c>max_connections</c> instead of <c>auth_success</c> and is closed (1008).</summary>
    EvictNew,

    /// <summary>No limit.</summary>
    Allow,
}

/// <summary>How aggregates are emitted on the stream.</summary>
public enum FakeClockMode
{
    /// <summary>Only when the test says so (<see cref="FakePolygonServer.EmitMinute"/>, <see cref="FakePolygonServer.AdvanceTo"/>): fast and exact.</summary>
    Manual,

    /// <summary>Every second of the server's clock: <c>A</c> for the second that ended, <c>AM</c> for the minute that ended.</summary>
    Automatic,
}

/// <summary>How duplicated trades are sent (polygon-io/issues#56, #57).</summary>
public enum FakeDuplicateTrades
{
    /// <summary>No duplicates.</summary>
    None,

    /// <summary>Each <c>T</c> event appears twice in the same frame.</summary>
    SameFrame,

    /// <summary>Each <c>T</c> frame is sent twice.</summary>
    SeparateFrames,
}

/// <summary>Settings of a <see cref="FakePolygonServer"/>.</summary>
public sealed class FakePolygonOptions
{
    /// <summary>The keys the server accepts (WebSocket <c>auth</c>, REST <c>apiKey</c> or <c>Authorization: Bearer</c>).</summary>
    public IReadOnlyCollection<string> ApiKeys { get; init; } = ["fake-polygon-key"];

    /// <summary>How long a socket may wait before authenticating (default 10 s); then <c>auth_timeout</c> and close.</summary>
    public TimeSpan AuthTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Authenticated sockets allowed per key (default 1: one per cluster per account).</summary>
    public int ConnectionsPerKey { get; init; } = 1;

    /// <summary>What a socket over the limit does (default: the old one is evicted).</summary>
    public FakeConnectionLimitMode ConnectionLimitMode { get; init; } = FakeConnectionLimitMode.EvictOld;

    /// <summary>Close the socket after <c>auth_failed</c> (default true).</summary>
    public bool CloseAfterAuthFailed { get; init; } = true;

    /// <summary>REST calls accepted per clock minute (default 5, the free plan; 0 = unlimited); more get HTTP 429.</summary>
    public int RequestsPerMinute { get; init; } = 5;

    /// <summary>Most results per aggregates page (default 50000); the page is the smaller of this and the call's <c>limit</c>.</summary>
    public int PageSize { get; init; } = 50_000;

    /// <summary>When aggregates are emitted (default <see cref="FakeClockMode.Manual"/>).</summary>
    public FakeClockMode ClockMode { get; init; } = FakeClockMode.Manual;

    /// <summary>Send frames as binary (UTF-8 JSON inside) instead of text (default false).</summary>
    public bool SendBinaryFrames { get; init; }

    /// <summary>The time zone whose dates day aggregates follow (default <c>America/New_York</c>).</summary>
    public string ExchangeTimeZoneId { get; init; } = "America/New_York";

    /// <summary>The clock of the auth timeout, the rate-limit minute and <see cref="FakeClockMode.Automatic"/> emission (default: system).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Switches that make the fake misbehave; they can be flipped while it runs.</summary>
public sealed class FakePolygonFaults
{
    private volatile bool _stall;
    private volatile bool _notEntitled;
    private int _duplicateTrades;
    private int _rateLimitNext;
    private int _serverErrorNext;

    /// <summary>How trades are duplicated (default none).</summary>
    public FakeDuplicateTrades DuplicateTrades
    {
        get => (FakeDuplicateTrades)Volatile.Read(ref _duplicateTrades);
        set => Volatile.Write(ref _duplicateTrades, (int)value);
    }

    /// <summary>Nothing is sent on the sockets any more while they stay open (silence).</summary>
    public bool Stall
    {
        get => _stall;
        set => _stall = value;
    }

    /// <summary>Every aggregates call is answered 403 "not entitled".</summary>
    public bool NotEntitled
    {
        get => _notEntitled;
        set => _notEntitled = value;
    }

    /// <summary>The next this-many REST calls are answered 429, whatever the per-minute count.</summary>
    public int RateLimitNext
    {
        get => Volatile.Read(ref _rateLimitNext);
        set => Volatile.Write(ref _rateLimitNext, value);
    }

    /// <summary>The next this-many REST calls are answered 502.</summary>
    public int ServerErrorNext
    {
        get => Volatile.Read(ref _serverErrorNext);
        set => Volatile.Write(ref _serverErrorNext, value);
    }

    internal bool TakeRateLimit() => TakeOne(ref _rateLimitNext);

    internal bool TakeServerError() => TakeOne(ref _serverErrorNext);

    private static bool TakeOne(ref int counter)
    {
        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}
