namespace StrategyLab.FakeServers.Common;

/// <summary>
/// A fixed-window request limit as Finnhub and Polygon apply it: at most N requests in each calendar minute of the
/// fake's clock (UTC), the count starting again at the minute's turn. Thread-safe. A limit of zero or less means none.
/// </summary>
internal sealed class PerMinuteRequestBudget(TimeProvider time, int requestsPerMinute)
{
    private readonly Lock _gate = new();
    private long _window = -1;
    private int _count;

    /// <summary>Takes one request from the current minute's budget; false when it is spent (the caller answers 429).</summary>
    public bool TryTake()
    {
        if (requestsPerMinute <= 0)
        {
            return true;
        }

        var window = time.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;
        lock (_gate)
        {
            if (window != _window)
            {
                _window = window;
                _count = 0;
            }

            if (_count >= requestsPerMinute)
            {
                return false;
            }

            _count++;
            return true;
        }
    }
}
