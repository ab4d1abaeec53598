namespace StrategyLab.FakeServers.Alpaca;

/// <summary>Settings of a <see cref="FakeAlpacaServer"/>.</summary>
public sealed record FakeAlpacaOptions
{
    /// <summary>The valid key id → secret pairs (APCA headers, stream auth).</summary>
    public IReadOnlyDictionary<string, string> Keys { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal) { ["PKFAKE"] = "fake-secret" };

    /// <summary>The clock of timestamps, ack delays and the market clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Paper sends <c>trade_updates</c> as binary frames (the default); false sends text, as live does.</summary>
    public bool BinaryTradeUpdates { get; init; } = true;

    /// <summary>The account's starting cash (paper: 100 000 USD).</summary>
    public decimal StartingCash { get; init; } = 100_000m;

    /// <summary>Requests per rolling minute before HTTP 429 (0: no limit). Alpaca's trading API allows 200.</summary>
    public int RequestsPerMinute { get; init; }

    /// <summary>Whether the market clock says open; null: weekdays 09:30–16:00 New York.</summary>
    public bool? MarketOpen { get; init; }
}

/// <summary>Fault switches of a <see cref="FakeAlpacaServer"/>, flippable at any time.</summary>
public sealed class FakeAlpacaFaults
{
    private int _failStatus;
    private int _failCount;
    private int _dropOnFill;

    /// <summary>How long <c>POST /v2/orders</c> waits, after the order is accepted, before it answers (a slow ack).</summary>
    public TimeSpan OrderAckDelay { get; set; }

    /// <summary>Each fill executes at most half the remaining quantity (rounded up): partial fills on every price.</summary>
    public bool SplitFills { get; set; }

    /// <summary>While true, <c>/stream</c> upgrades are answered 503 (the client cannot reconnect; events are lost).</summary>
    public bool RefuseStreamUpgrades { get; set; }

    /// <summary>Answers the next <paramref name="count"/> REST requests with <paramref name="status"/> (429, 500, 503…).</summary>
    public void FailNext(int status, int count)
    {
        lock (this)
        {
            _failStatus = status;
            _failCount = count;
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> fills drop every <c>trade_updates</c> socket instead of sending their event: the
    /// order is filled on the server, the client never hears of it on the stream.
    /// </summary>
    public void DropStreamOnNextFills(int count) => Interlocked.Exchange(ref _dropOnFill, count);

    internal bool TakeFailure(out int status)
    {
        lock (this)
        {
            status = _failStatus;
            if (_failCount <= 0)
            {
                return false;
            }

            _failCount--;
            return true;
        }
    }

    internal bool TakeDropOnFill()
    {
        while (true)
        {
            var current = Volatile.Read(ref _dropOnFill);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _dropOnFill, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}

/// <summary>A snapshot of one order on the fake.</summary>
public sealed record FakeAlpacaOrder(
    string Id,
    string ClientOrderId,
    string Symbol,
    string Side,
    string Type,
    string TimeInForce,
    string OrderClass,
    string Status,
    decimal Qty,
    decimal FilledQty,
    decimal? FilledAvgPrice,
    decimal? LimitPrice,
    decimal? StopPrice,
    string? ParentId,
    string? ReplacedBy,
    DateTime? FilledAt = null);

/// <summary>A bar of the fake's market data (stream and history).</summary>
public sealed record FakeAlpacaBar(string Symbol, DateTime StartUtc, decimal Open, decimal High, decimal Low, decimal Close, long Volume, int Trades = 1, decimal? Vwap = null);
