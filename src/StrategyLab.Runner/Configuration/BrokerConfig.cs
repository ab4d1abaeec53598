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

/// <summary>The <c>providers.alpaca</c> section: keys and endpoints of Alpaca (trading).</summary>
public sealed record AlpacaConfig
{
    /// <summary>The key id; prefer <c>ALPACA_API_KEY_ID</c>. Never logged.</summary>
    public string? ApiKeyId { get; set; }

    /// <summary>The secret key; prefer <c>ALPACA_API_SECRET_KEY</c>. Never logged.</summary>
    public string? ApiSecretKey { get; set; }

    /// <summary>The trading REST base; null: paper (<c>https://paper-api.alpaca.markets</c>) or live per <c>broker.live</c>.</summary>
    public string? TradingUrl { get; set; }

    /// <summary>The <c>trade_updates</c> stream; null: paper or live per <c>broker.live</c>.</summary>
    public string? TradeStreamUrl { get; set; }
}
