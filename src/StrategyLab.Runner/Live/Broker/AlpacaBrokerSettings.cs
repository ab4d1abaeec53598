namespace StrategyLab.Runner.Live.Broker;

/// <summary>Retry and stop settings of <see cref="AlpacaBroker"/>.</summary>
public sealed record AlpacaBrokerSettings
{
    /// <summary>Sends of one command before giving up when the outcome stays unknown (default 5).</summary>
    public int SendAttempts { get; init; } = 5;

    /// <summary>The wait between two of them (default 2 s).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long stopping waits for queued commands (cancels at the stop) to be sent (default 10 s).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
