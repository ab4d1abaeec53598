using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Core.Execution;

/// <summary>A simulated exchange with a portfolio that applies its fills, recording every event.</summary>
internal sealed class ExchangeHarness : IOrderEventListener
{
    public ExchangeHarness(ExchangeSettings? settings = null, decimal cash = 100_000m, AccountType account = AccountType.Cash, IMarketCalendar? calendar = null, params Symbol[] symbols)
    {
        Portfolio = new Portfolio(cash, account);
        var cal = calendar ?? WeekdayTestCalendar.Instance;
        Exchange = new SimulatedExchange(
            settings ?? new ExchangeSettings { Commission = ZeroCommission.Instance },
            Portfolio,
            _ => cal,
            symbols.Length == 0 ? [Spy] : symbols)
        {
            Listener = this,
        };
    }

    public static Symbol Spy { get; } = Symbol.Equity("SPY");

    public Portfolio Portfolio { get; }

    public SimulatedExchange Exchange { get; }

    public List<OrderEvent> Events { get; } = [];

    public List<Fill> Fills { get; } = [];

    public Action<OrderEvent>? OnEvent { get; set; }

    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        if (orderEvent.Fill is { } f)
        {
            Portfolio.ApplyFill(f);
            Fills.Add(f);
        }

        Events.Add(orderEvent);
        OnEvent?.Invoke(orderEvent);
    }

    /// <summary>Shows a bar to the exchange and marks the portfolio, as the engine does.</summary>
    public void Bar(in Bar bar)
    {
        Exchange.OnBar(bar);
        Portfolio.Mark(bar.Symbol, bar.Close, bar.End);
    }

    public Order Submit(OrderRequest request, string nyTime) => Exchange.Submit(request, Bars.Ny(nyTime));
}
