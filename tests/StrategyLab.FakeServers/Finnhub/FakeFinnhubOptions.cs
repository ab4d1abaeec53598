namespace StrategyLab.FakeServers.Finnhub;

/// <summary>What the fake does with a WebSocket upgrade that carries no valid token.</summary>
public enum FakeTokenRejection
{
    /// <summary>Answer the upgrade with HTTP 401 and <c>{"error":"Invalid API key"}</c>.</summary>
    Http401,

    /// <summary>Accept the upgrade, then close the socket at once (close frame 1008 "Invalid API key").</summary>
    CloseImmediately,
}

/// <summary>What happens when a second socket opens with a key that already has one (Finnhub allows one per key).</summary>
public enum FakeSecondSocketPolicy
{
    /// <summary>The old socket is dropped (aborted); the new one works.</summary>
    DropOld,

    /// <summary>Both sockets are dropped (observed on the real service).</summary>
    DropBoth,

    /// <summary>Both stay open (no enforcement).</summary>
    Allow,
}

/// <summary>Settings of a <see cref="FakeFinnhubServer"/>.</summary>
public sealed class FakeFinnhubOptions
{
    /// <summary>The keys the server accepts (WebSocket <c>token</c>, REST <c>token</c> or <c>X-Finnhub-Token</c>).</summary>
    public IReadOnlyCollection<string> ApiKeys { get; init; } = ["fake-finnhub-key"];

    /// <summary>How an upgrade with a wrong token is refused (default HTTP 401).</summary>
    public FakeTokenRejection TokenRejection { get; init; } = FakeTokenRejection.Http401;

    /// <summary>How often each socket gets <c>{"type":"ping"}</c> (default 60 s; zero or negative: never).</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Symbols one socket may subscribe to (default 50); one more gets the error frame.</summary>
    public int SymbolCap { get; init; } = 50;

    /// <summary>What a second socket with the same key does (default: the old one is dropped).</summary>
    public FakeSecondSocketPolicy SecondSocketPolicy { get; init; } = FakeSecondSocketPolicy.DropOld;

    /// <summary>REST calls accepted per clock minute and key-independent (default 60; 0 = unlimited); more get HTTP 429.</summary>
    public int RequestsPerMinute { get; init; } = 60;

    /// <summary>When true, <c>/stock/candle</c> answers as for a free key: <see cref="PremiumDeniedStatus"/> (default false).</summary>
    public bool CandlesRequirePremium { get; set; }

    /// <summary>The status of the premium refusal (default 403; older reports: 401).</summary>
    public int PremiumDeniedStatus { get; init; } = 403;

    /// <summary>Send frames as binary (UTF-8 JSON inside) instead of text (default false, as the real service).</summary>
    public bool SendBinaryFrames { get; init; }

    /// <summary>Send <c>p</c> and <c>v</c> as JSON strings instead of numbers (default false).</summary>
    public bool NumbersAsStrings { get; init; }

    /// <summary>The time zone whose dates daily candles and quotes follow (default <c>America/New_York</c>).</summary>
    public string ExchangeTimeZoneId { get; init; } = "America/New_York";

    /// <summary>The clock of pings, the rate-limit minute, tape playback and generated prints (default: the system clock).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Switches that make the fake misbehave; they can be flipped while it runs.</summary>
public sealed class FakeFinnhubFaults
{
    private volatile bool _duplicateFrames;
    private volatile bool _outOfOrder;
    private volatile bool _stall;

    /// <summary>Every trade frame is sent twice (Finnhub-API#143).</summary>
    public bool DuplicateFrames
    {
        get => _duplicateFrames;
        set => _duplicateFrames = value;
    }

    /// <summary>The prints of each trade frame are sent in reverse time order.</summary>
    public bool OutOfOrder
    {
        get => _outOfOrder;
        set => _outOfOrder = value;
    }

    /// <summary>Nothing is sent any more (no trades, no pings) while the sockets stay open (Finnhub-API#517).</summary>
    public bool Stall
    {
        get => _stall;
        set => _stall = value;
    }
}
