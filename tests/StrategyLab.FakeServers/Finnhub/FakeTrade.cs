namespace StrategyLab.FakeServers.Finnhub;

/// <summary>One print on the fake Finnhub tape.</summary>
/// <param name="Symbol">The ticker as Finnhub spells it (<c>AAPL</c>, <c>BINANCE:BTCUSDT</c>).</param>
/// <param name="TimeUtc">When it traded (UTC; sent as epoch milliseconds, sub-millisecond parts dropped).</param>
/// <param name="Price">Price (<c>p</c>).</param>
/// <param name="Volume">Volume (<c>v</c>); 0 is a price-only update.</param>
/// <param name="Conditions">Condition codes (<c>c</c>); null omits the field from the frame.</param>
public sealed record FakeTrade(string Symbol, DateTime TimeUtc, decimal Price, decimal Volume, IReadOnlyList<string>? Conditions = null)
{
    /// <summary>The time as Finnhub sends it: epoch milliseconds.</summary>
    public long TimeMs => (TimeUtc.ToUniversalTime() - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond;
}
