using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Alpaca;

/// <summary>What an <see cref="AlpacaDataFeed"/> streams per symbol.</summary>
public enum AlpacaDataStream
{
    /// <summary>Minute bars (<c>bars</c>, <c>T:"b"</c>), delivered as <see cref="Core.Data.BarEvent"/>s (default).</summary>
    MinuteBars,

    /// <summary>Trades (<c>trades</c>, <c>T:"t"</c>), delivered as <see cref="Core.Data.TradeEvent"/>s (for sub-minute bars).</summary>
    Trades,
}

/// <summary>
/// Settings of an <see cref="AlpacaDataFeed"/>: the shared <see cref="AlpacaOptions"/> (keys, <see cref="AlpacaOptions.DataUrl"/>,
/// <see cref="AlpacaOptions.DataStreamUrl"/>, <see cref="AlpacaOptions.Feed"/>, REST retries, stream back-off) plus what only
/// the data feed needs.
/// </summary>
public sealed class AlpacaDataFeedOptions
{
    /// <summary>Keys, URLs, feed (<c>iex</c>/<c>sip</c>), retries and stream settings.</summary>
    public AlpacaOptions Alpaca { get; set; } = new();

    /// <summary>What is streamed per symbol (default minute bars).</summary>
    public AlpacaDataStream Stream { get; set; } = AlpacaDataStream.MinuteBars;

    /// <summary>
    /// Whether silence on the stream means a dead socket at a given instant; null (default) means always. Alpaca sends no
    /// heartbeat and quiet symbols are normal, so a live runner should say "only while the market is open".
    /// </summary>
    public Func<DateTime, bool>? SilenceMatters { get; set; }

    /// <summary>
    /// How long to wait before reconnecting after error 406 (<c>connection limit exceeded</c>; default 30 s): another client
    /// holds the account's stream, and reconnecting at once would make the two evict each other.
    /// </summary>
    public TimeSpan ConnectionLimitHoldOff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Keep pre-market and after-hours bars in history results (default true); false keeps the regular session only.</summary>
    public bool ExtendedHours { get; set; } = true;

    /// <summary>Checks every value; the message names the setting (never a key).</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Alpaca, nameof(Alpaca));
        Alpaca.Validate();
        if (Alpaca.DataStreamUrl is not { IsAbsoluteUri: true } ws || ws.Scheme is not ("ws" or "wss"))
        {
            throw new ArgumentException($"{nameof(AlpacaOptions)}.{nameof(AlpacaOptions.DataStreamUrl)} must be an absolute ws or wss URL.", nameof(Alpaca));
        }

        if (Alpaca.DataUrl is not { IsAbsoluteUri: true } rest || rest.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"{nameof(AlpacaOptions)}.{nameof(AlpacaOptions.DataUrl)} must be an absolute http or https URL.", nameof(Alpaca));
        }

        if (ConnectionLimitHoldOff < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(ConnectionLimitHoldOff)} must not be negative (was {ConnectionLimitHoldOff}).", nameof(ConnectionLimitHoldOff));
        }
    }

    /// <summary>The view the shared streaming base reads.</summary>
    internal IStreamingFeedOptions AsStreaming() => new StreamingView(this);

    private sealed class StreamingView(AlpacaDataFeedOptions options) : IStreamingFeedOptions
    {
        // The base redacts this one secret from everything it logs; the feed's own texts go through a redactor of both keys.
        public string ApiKey => options.Alpaca.SecretKey;

        public ReconnectingWebSocketOptions Stream => options.Alpaca.Stream;

        public Func<DateTime, bool>? SilenceMatters => options.SilenceMatters;

        public void Validate() => options.Validate();
    }
}
