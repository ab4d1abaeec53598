namespace StrategyLab.Providers.Streaming;

/// <summary>
/// The settings a <see cref="StreamingFeed"/> reads from a provider's options. They are read when needed (the stream settings
/// on connect, <see cref="SilenceMatters"/> at every watchdog check), so they behave as the provider's options document.
/// </summary>
internal interface IStreamingFeedOptions
{
    /// <summary>The API key: every text the feed logs or reports is redacted of it.</summary>
    string ApiKey { get; }

    /// <summary>Reconnect back-off, silence timeout and socket timeouts of the stream.</summary>
    ReconnectingWebSocketOptions Stream { get; }

    /// <summary>Whether silence on the stream means a dead socket at a given instant; null means always.</summary>
    Func<DateTime, bool>? SilenceMatters { get; }

    /// <summary>Checks every value; the message names the setting that is wrong (never the key's value).</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    void Validate();
}
