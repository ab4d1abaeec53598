namespace StrategyLab.Runner.Configuration;

/// <summary>The <c>broker</c> section: where a live run's orders go.</summary>
public sealed record BrokerConfig
{
    /// <summary><c>simulated</c> (default: the simulated exchange fills against the live bars) or <c>alpaca</c>.</summary>
    public string Type { get; set; } = "simulated";

    /// <summary>
    /// Trade real money (Alpaca's live endpoints). False (default) is paper trading. True also needs the command line's
    /// <c>--i-understand-live-trading</c>: a file alone never sends real orders.
    /// </summary>
    public bool Live { get; set; }
}
