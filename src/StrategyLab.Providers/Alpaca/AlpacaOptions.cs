using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Alpaca;

/// <summary>
/// Settings of the Alpaca clients. The keys come from <see cref="KeyIdVariable"/>/<see cref="SecretKeyVariable"/> or the
/// configuration; every URL is a setting (tests point them at the loopback fake). Paper trading unless <see cref="Live"/>
/// is set explicitly: only then do the default URLs become the live ones.
/// </summary>
/// <remarks>The key id and secret travel only in the APCA headers and the stream's auth message; never in a URL or a log.</remarks>
public sealed class AlpacaOptions : IRestClientOptions
{
    /// <summary>The environment variable of the key id.</summary>
    public const string KeyIdVariable = "ALPACA_API_KEY_ID";

    /// <summary>The environment variable of the secret key.</summary>
    public const string SecretKeyVariable = "ALPACA_API_SECRET_KEY";

    /// <summary>The paper trading REST base.</summary>
    public static readonly Uri PaperTradingUrl = new("https://paper-api.alpaca.markets");

    /// <summary>The live trading REST base.</summary>
    public static readonly Uri LiveTradingUrl = new("https://api.alpaca.markets");

    /// <summary>The paper <c>trade_updates</c> stream.</summary>
    public static readonly Uri PaperTradeStreamUrl = new("wss://paper-api.alpaca.markets/stream");

    /// <summary>The live <c>trade_updates</c> stream.</summary>
    public static readonly Uri LiveTradeStreamUrl = new("wss://api.alpaca.markets/stream");

    /// <summary>The key id (<c>APCA-API-KEY-ID</c>).</summary>
    public string KeyId { get; set; } = string.Empty;

    /// <summary>The secret key (<c>APCA-API-SECRET-KEY</c>).</summary>
    public string SecretKey { get; set; } = string.Empty;

    /// <summary>
    /// Trade with real money. False (default) means paper; the runner sets it only from an explicit <c>broker.live: true</c>
    /// plus a confirmation flag. It only changes the default URLs: an explicit <see cref="TradingUrl"/> wins.
    /// </summary>
    public bool Live { get; set; }

    /// <summary>The trading REST base; null: paper or live per <see cref="Live"/>.</summary>
    public Uri? TradingUrl { get; set; }

    /// <summary>The <c>trade_updates</c> stream; null: paper or live per <see cref="Live"/>.</summary>
    public Uri? TradeStreamUrl { get; set; }

    /// <summary>The market data REST base (default <c>https://data.alpaca.markets</c>).</summary>
    public Uri DataUrl { get; set; } = new("https://data.alpaca.markets");

    /// <summary>The market data stream base, without the feed path (default <c>wss://stream.data.alpaca.markets</c>).</summary>
    public Uri DataStreamUrl { get; set; } = new("wss://stream.data.alpaca.markets");

    /// <summary>The stock data feed: <c>iex</c> (free, default), <c>sip</c>, <c>delayed_sip</c>, or <c>test</c>.</summary>
    public string Feed { get; set; } = "iex";

    /// <summary>How many times a 429 or 5xx answer is retried (default 3, as Alpaca's own SDK).</summary>
    public int RateLimitRetries { get; set; } = 3;

    /// <summary>The first back-off before a retry (default 1 s, doubling with jitter).</summary>
    public TimeSpan RateLimitBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest back-off (default 30 s).</summary>
    public TimeSpan MaxRateLimitBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait for one answer (default 15 s). An order whose answer times out may still exist: see the trading client.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Reconnect, back-off and watchdog settings of both streams (the silence timeout is the client-side ping timeout).</summary>
    public ReconnectingWebSocketOptions Stream { get; set; } = new();

    /// <summary>The trading REST base in use.</summary>
    public Uri EffectiveTradingUrl => TradingUrl ?? (Live ? LiveTradingUrl : PaperTradingUrl);

    /// <summary>The <c>trade_updates</c> stream in use.</summary>
    public Uri EffectiveTradeStreamUrl => TradeStreamUrl ?? (Live ? LiveTradeStreamUrl : PaperTradeStreamUrl);

    /// <summary>"paper" or "live", and the URL, for the start-up line (no secret).</summary>
    public string Describe() => (Live ? "LIVE trading" : "paper trading") + " at " + EffectiveTradingUrl.GetLeftPart(UriPartial.Authority);

    Uri IRestClientOptions.RestUrl => EffectiveTradingUrl;

    string IRestClientOptions.ApiKey => KeyId;

    /// <summary>Fills empty keys from the environment (<see cref="KeyIdVariable"/>, <see cref="SecretKeyVariable"/>).</summary>
    public AlpacaOptions WithKeysFromEnvironment()
    {
        if (string.IsNullOrEmpty(KeyId))
        {
            KeyId = Environment.GetEnvironmentVariable(KeyIdVariable) ?? string.Empty;
        }

        if (string.IsNullOrEmpty(SecretKey))
        {
            SecretKey = Environment.GetEnvironmentVariable(SecretKeyVariable) ?? string.Empty;
        }

        return this;
    }

    /// <summary>A redactor that hides both keys.</summary>
    public SecretRedactor CreateRedactor() => new(KeyId, SecretKey);

    /// <summary>Checks the settings; the message names what is wrong (never a key).</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(KeyId) || string.IsNullOrWhiteSpace(SecretKey))
        {
            throw new ArgumentException(
                $"Alpaca needs a key id and a secret key: set {KeyIdVariable} and {SecretKeyVariable} (or the configuration's keys).");
        }

        if (Feed is not ("iex" or "sip" or "delayed_sip" or "test"))
        {
            throw new ArgumentException($"Unknown Alpaca feed '{Feed}' (expected iex, sip, delayed_sip or test).", nameof(Feed));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(RateLimitRetries);
        Stream.Validate();
    }
}
