using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

/// <summary>How the simulated exchange fills orders and what it charges.</summary>
public sealed record ExchangeSettings
{
    /// <summary>Commission per execution (default: per share, IB style).</summary>
    public ICommissionModel Commission { get; init; } = new PerShareCommission();

    /// <summary>Adverse slippage on market and stop fills, in basis points of the price (default 0).</summary>
    public decimal SlippageBps { get; init; }

    /// <summary>
    /// When set, at most this fraction (0–1] of a bar's volume fills per symbol and bar; the rest keeps working.
    /// </summary>
    public decimal? MaxVolumeFraction { get; init; }

    /// <summary>Fill (and accept orders) in pre-market and after-hours too (default false: regular hours only).</summary>
    public bool ExtendedHours { get; init; }

    /// <summary>
    /// Keep every finished order in memory (<see cref="SimulatedExchange.AllOrders"/>; default false: only open orders are
    /// kept — a run's orders reach the recorders as events, and a long backtest must not carry them all).
    /// </summary>
    public bool KeepOrderHistory { get; init; }

    /// <summary>
    /// What happens to an order decided when its market is closed, including at the close instant (where every daily
    /// bar and every session's last bar is decided). Default <see cref="Execution.OrdersAtClose.NextOpen"/>.
    /// </summary>
    public OrdersAtClose OrdersAtClose { get; init; } = OrdersAtClose.NextOpen;

    /// <summary>Price increments and quantity steps of the instruments traded (protective levels, trailing stops).</summary>
    public InstrumentCatalog Instruments { get; init; } = new();
}

/// <summary>How the simulated exchange treats an order decided at or after the close of its market.</summary>
public enum OrdersAtClose
{
    /// <summary>
    /// The order belongs to the next session: a market order fills at the open of that session's first bar (a
    /// market-on-open order, as LEAN and backtrader do), and a DAY order expires at that session's close.
    /// </summary>
    NextOpen,

    /// <summary>
    /// The order belongs to the session that just closed: a DAY order decided at the close expires unfilled, and one
    /// decided while the market is closed is rejected (<see cref="RejectReason.MarketClosed"/>). GTC orders still work
    /// at the next open.
    /// </summary>
    Expire,
}
