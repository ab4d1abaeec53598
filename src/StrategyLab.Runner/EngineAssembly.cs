using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live.Broker;
using StrategyLab.Runner.Live.Journal;

namespace StrategyLab.Runner;

/// <summary>
/// The engine of one run, wired from its configuration: portfolio, simulated exchange, trade manager, strategy and
/// orchestrator. Backtest, replay and live build it the same way; only the clock and the bar source differ.
/// </summary>
public sealed class EngineAssembly
{
    private readonly SimulatedExchange? _exchange;

    private EngineAssembly(Portfolio portfolio, SimulatedExchange? exchange, IExecutionVenue venue, ILiveVenue? broker, TradeManager tradeManager, TradingEngine engine, BarJournal bars)
    {
        Bars = bars;
        Portfolio = portfolio;
        _exchange = exchange;
        Venue = venue;
        Broker = broker;
        TradeManager = tradeManager;
        Engine = engine;
    }

    /// <summary>The account.</summary>
    public Portfolio Portfolio { get; }

    /// <summary>The simulated exchange.</summary>
    /// <exception cref="InvalidOperationException">The run trades through a broker (see <see cref="Venue"/>).</exception>
    public SimulatedExchange Exchange => _exchange ?? throw new InvalidOperationException("This run trades through a broker, not the simulated exchange: see Venue.");

    /// <summary>Where orders go: the simulated exchange or a broker adapter, or the journal in front of either (live and replay runs).</summary>
    public IExecutionVenue Venue { get; }

    /// <summary>The broker adapter a live run trades through; null when orders go to the simulated exchange.</summary>
    public ILiveVenue? Broker { get; }

    /// <summary>The trade manager.</summary>
    public TradeManager TradeManager { get; }

    /// <summary>The orchestrator.</summary>
    public TradingEngine Engine { get; }

    /// <summary>How a live run hands bars to <see cref="Engine"/>: journalled first (<c>bars</c> rows) when the run has a journal.</summary>
    public BarJournal Bars { get; }

    /// <summary>Wires the engine of <paramref name="run"/>, reporting to <paramref name="recorder"/>.</summary>
    /// <param name="run">The validated configuration.</param>
    /// <param name="recorder">Receives bars, order events, trades and equity marks.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="strategy">A strategy object to run instead of the configured one (embedding a custom strategy).</param>
    /// <param name="outsideSession">The data source's tally of bars outside the sessions (<see cref="Data.HistoricalData.OutsideSession"/>), shared with the engine.</param>
    /// <param name="journal">The run's journal: orders and venue events go through it (live and replay runs).</param>
    /// <param name="broker">A broker adapter to trade through instead of the simulated exchange (live runs).</param>
    public static EngineAssembly Build(
        ResolvedRun run,
        IRunRecorder recorder,
        ILoggerFactory loggers,
        IStrategy? strategy = null,
        OutsideSessionBars? outsideSession = null,
        RunJournal? journal = null,
        ILiveVenue? broker = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(loggers);
        var portfolio = new Portfolio(run.Config.Exchange.InitialCash, run.Account, run.Config.Exchange.MarginLeverage);
        var instruments = run.CreateInstruments(); // one per run, shared: the exchange teaches it what the trade manager asks
        var exchange = broker is null ? new SimulatedExchange(run.Exchange with { Instruments = instruments }, portfolio, run.CalendarOf, run.Symbols) : null;
        IExecutionVenue inner = (IExecutionVenue?)exchange ?? broker!;
        var journalled = journal?.Wrap(inner, portfolio);
        IExecutionVenue venue = (IExecutionVenue?)journalled ?? inner;
        var tradeManager = new TradeManager(
            run.TradeManager with { Instruments = instruments },
            run.Risk,
            venue,
            portfolio,
            loggers.CreateLogger("StrategyLab.Risk"));
        var engine = new TradingEngine(
            strategy ?? run.CreateStrategy(),
            venue,
            portfolio,
            tradeManager,
            run.Symbols,
            run.CalendarOf,
            recorder,
            loggers.CreateLogger("StrategyLab.Engine"),
            run.Engine,
            outsideSession);
        // The venue's events go through the journal, when there is one, before they reach the engine.
        IOrderEventListener listener = journalled is null ? engine : journalled;
        if (journalled is not null)
        {
            journalled.Downstream = engine;
        }

        if (exchange is not null)
        {
            exchange.Listener = listener;
        }
        else
        {
            broker!.Listener = listener;
        }

        return new EngineAssembly(portfolio, exchange, venue, broker, tradeManager, engine, new BarJournal(engine, journal?.Writer));
    }

    /// <summary>Cancels every open order (a stopped live or replay run with <c>engine.cancel_orders_on_stop</c>).</summary>
    public int CancelOpenOrders(DateTime nowUtc)
    {
        var open = Venue.OpenOrders.ToArray();
        foreach (var o in open)
        {
            Venue.Cancel(o.Id, nowUtc);
        }

        return open.Length;
    }
}
