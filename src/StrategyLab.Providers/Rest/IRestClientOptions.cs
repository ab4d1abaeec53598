namespace StrategyLab.Providers.Rest;

/// <summary>
/// The settings a <see cref="ProviderRestClient"/> reads from a provider's options (when needed, as the provider's options
/// document them).
/// </summary>
internal interface IRestClientOptions
{
    /// <summary>The REST base URL: the key is only ever sent to its origin (scheme, host and port).</summary>
    Uri RestUrl { get; }

    /// <summary>The API key, sent in a header by the provider's client and redacted from every text.</summary>
    string ApiKey { get; }

    /// <summary>How many times a call the provider asks to retry (HTTP 429, …) is retried before giving up.</summary>
    int RateLimitRetries { get; }

    /// <summary>The first delay before a retry; it doubles with jitter up to <see cref="MaxRateLimitBackoff"/>.</summary>
    TimeSpan RateLimitBackoff { get; }

    /// <summary>The longest delay between retries, also the cap on a server's <c>Retry-After</c>.</summary>
    TimeSpan MaxRateLimitBackoff { get; }

    /// <summary>The longest wait for one answer.</summary>
    TimeSpan RequestTimeout { get; }
}
