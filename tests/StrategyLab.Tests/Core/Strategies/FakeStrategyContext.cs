using StrategyLab.Core.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Tests.Core.Strategies;

/// <summary>What a strategy asked for.</summary>
public enum IntentKind
{
    EnterLong,
    EnterShort,
    Exit,
    TargetPercent,
    TargetQuantity,
    Liquidate,
}

/// <summary>One recorded intent: kind, symbol, reason and the decision time.</summary>
public sealed record Intent(IntentKind Kind, Symbol Symbol, string Reason, DateTime TimeUtc, decimal Value = 0m)
{
    public override string ToString() => Kind is IntentKind.TargetPercent or IntentKind.TargetQuantity
        ? $"{Kind} {Symbol} {Value} {Reason} @ {TimeUtc:yyyy-MM-ddTHH:mm}Z"
        : $"{Kind} {Symbol} {Reason} @ {TimeUtc:yyyy-MM-ddTHH:mm}Z";
}

/// <summary>
/// A hand-driven <see cref="IStrategyContext"/> that records intents. By default an intent "fills" at once
/// (EnterLong → position +1, EnterShort → −1, Exit → 0) so strategies see realistic positions; tests can also set
/// positions and pending entries directly (e.g. to simulate a stop-loss exit by the trade manager).
/// </summary>
internal sealed class FakeStrategyContext : IStrategyContext
{
    private readonly Dictionary<Symbol, decimal> _positions = [];
    private readonly HashSet<Symbol> _pendingEntries = [];
    private readonly List<Bar> _history = [];
    private readonly IMarketCalendar _calendar;

    public FakeStrategyContext(Timeframe timeframe, IMarketCalendar calendar, params Symbol[] symbols)
    {
        Timeframe = timeframe;
        _calendar = calendar;
        Symbols = symbols;
    }

    public List<Intent> Intents { get; } = [];

    /// <summary>When true (the default), intents change the position at once.</summary>
    public bool FillImmediately { get; set; } = true;

    public DateTime TimeUtc { get; set; }

    public IReadOnlyList<Symbol> Symbols { get; }

    public Timeframe Timeframe { get; }

    public bool IsWarmingUp { get; set; }

    public Portfolio Portfolio { get; } = new(100_000m);

    public ILogger Log => NullLogger.Instance;

    public IMarketCalendar CalendarOf(Symbol symbol) => _calendar;

    public TradingSession? CurrentSession(Symbol symbol) =>
        // A decision at the close instant belongs to the session it closes.
        _calendar.SessionAt(TimeUtc.AddTicks(-1), extendedHours: true);

    public void Record(in Bar bar) => _history.Add(bar);

    public ReadOnlySpan<Bar> History(Symbol symbol, int count)
    {
        var mine = _history.Where(b => b.Symbol == symbol).ToArray();
        return mine.AsSpan(Math.Max(0, mine.Length - count));
    }

    public decimal PositionOf(Symbol symbol) => _positions.GetValueOrDefault(symbol);

    public void SetPosition(Symbol symbol, decimal quantity) => _positions[symbol] = quantity;

    public bool HasPendingEntry(Symbol symbol) => _pendingEntries.Contains(symbol);

    public void SetPendingEntry(Symbol symbol, bool pending)
    {
        if (pending)
        {
            _pendingEntries.Add(symbol);
        }
        else
        {
            _pendingEntries.Remove(symbol);
        }
    }

    public IEnumerable<Order> OpenOrdersOf(Symbol symbol) => [];

    public void EnterLong(Symbol symbol, string reason = "signal") => Add(IntentKind.EnterLong, symbol, reason, 1m);

    public void EnterShort(Symbol symbol, string reason = "signal") => Add(IntentKind.EnterShort, symbol, reason, -1m);

    public void Exit(Symbol symbol, string reason = "signal") => Add(IntentKind.Exit, symbol, reason, 0m);

    public Order SubmitOrder(OrderRequest request) =>
        throw new NotSupportedException("The built-in strategies express intents; they never submit orders directly.");

    public bool CancelOrder(long orderId) =>
        throw new NotSupportedException("The built-in strategies never cancel orders directly.");

    // --- timeframes ---
    public List<(Symbol? Symbol, Timeframe Timeframe, BarHandler Handler)> Subscriptions { get; } = [];

    public List<(Symbol? Symbol, string Series, double Value)> Plots { get; } = [];

    public void Subscribe(Timeframe timeframe, BarHandler handler) => Subscriptions.Add((null, timeframe, handler));

    public void Subscribe(Symbol symbol, Timeframe timeframe, BarHandler handler) => Subscriptions.Add((symbol, timeframe, handler));

    public ReadOnlySpan<Bar> History(Symbol symbol, Timeframe timeframe, int count) => [];

    // --- plots ---
    public void Plot(string series, double value) => Plots.Add((null, series, value));

    public void Plot(Symbol symbol, string series, double value) => Plots.Add((symbol, series, value));

    public List<(Symbol Symbol, string Series, double Value, PlotPane Pane)> PanePlots { get; } = [];

    public void Plot(Symbol symbol, string series, double value, PlotPane pane) => PanePlots.Add((symbol, series, value, pane));


    // --- schedules ---
    public IStrategySchedule Schedule =>
        throw new NotSupportedException("Scheduled callbacks need the engine: test them through TradingEngine.");

    // --- targets --- (a percent target cannot be priced here: it is recorded and leaves the position as it is)
    public void SetTarget(Symbol symbol, decimal percentOfEquity, string reason = "target") =>
        Intents.Add(new Intent(IntentKind.TargetPercent, symbol, reason, TimeUtc, percentOfEquity));

    public void SetTargetQuantity(Symbol symbol, decimal quantity, string reason = "target") =>
        Add(IntentKind.TargetQuantity, symbol, reason, quantity, quantity);

    public void Liquidate(string reason = "liquidate")
    {
        foreach (var symbol in Symbols)
        {
            Liquidate(symbol, reason);
        }
    }

    public void Liquidate(Symbol symbol, string reason = "liquidate") => Add(IntentKind.Liquidate, symbol, reason, 0m);

    private void Add(IntentKind kind, Symbol symbol, string reason, decimal positionAfter, decimal value = 0m)
    {
        Intents.Add(new Intent(kind, symbol, reason, TimeUtc, value));
        if (FillImmediately && !IsWarmingUp)
        {
            _positions[symbol] = positionAfter;
            _pendingEntries.Remove(symbol);
        }
    }
}

/// <summary>
/// Feeds bars to a strategy as the engine does: Initialize once; for each bar, OnSessionOpen when the bar is the
/// symbol's first of a new session (optional), then OnBar with <see cref="IStrategyContext.TimeUtc"/> at the bar's end.
/// </summary>
internal sealed class StrategyDriver
{
    private readonly Dictionary<Symbol, DateOnly> _sessionOf = [];

    public StrategyDriver(IStrategy strategy, FakeStrategyContext context, bool announceSessions = true)
    {
        Strategy = strategy;
        Context = context;
        AnnounceSessions = announceSessions;
        strategy.Initialize(context);
    }

    public IStrategy Strategy { get; }

    public FakeStrategyContext Context { get; }

    public bool AnnounceSessions { get; }

    public void Feed(params Bar[] bars)
    {
        foreach (var bar in bars)
        {
            Feed(bar);
        }
    }

    public void Feed(IEnumerable<Bar> bars)
    {
        foreach (var bar in bars)
        {
            Feed(bar);
        }
    }

    public void Feed(in Bar bar)
    {
        Context.TimeUtc = bar.End;
        Context.Record(bar);
        if (AnnounceSessions)
        {
            var session = Context.CalendarOf(bar.Symbol).SessionAt(bar.Start, extendedHours: true)
                ?? throw new InvalidOperationException($"Test bar outside every session: {bar}");
            if (!_sessionOf.TryGetValue(bar.Symbol, out var date) || date != session.Date)
            {
                _sessionOf[bar.Symbol] = session.Date;
                Strategy.OnSessionOpen(bar.Symbol, session, Context);
            }
        }

        Strategy.OnBar(bar, Context);
    }
}
