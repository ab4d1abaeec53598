using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Risk;

/// <summary>An intent of a strategy, for the trade manager.</summary>
public enum IntentKind
{
    /// <summary>Go long.</summary>
    EnterLong,

    /// <summary>Go short.</summary>
    EnterShort,

    /// <summary>Close the position and cancel the symbol's orders.</summary>
    Exit,

    /// <summary>Hold <see cref="Intent.Value"/> percent of the equity (signed) in the symbol.</summary>
    TargetPercent,

    /// <summary>Hold <see cref="Intent.Value"/> units (signed) of the symbol.</summary>
    TargetQuantity,

    /// <summary>Close the position and cancel every open order of the symbol, the strategy's own included.</summary>
    Liquidate,
}

/// <summary>A strategy's intent, collected during a time slice.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Kind">What the strategy wants.</param>
/// <param name="Reason">Why (becomes the order tag / exit reason).</param>
/// <param name="Value">The target of <see cref="IntentKind.TargetPercent"/> (percent) or <see cref="IntentKind.TargetQuantity"/> (units); 0 otherwise.</param>
public readonly record struct Intent(Symbol Symbol, IntentKind Kind, string Reason, decimal Value = 0m);

/// <summary>
/// Turns intents into orders: sizes entries, enforces the position limit, the daily loss limit and the no-entry
/// window before the close, and attaches the protective exits (stop-loss, take-profit, trailing stop) as real orders
/// in one OCO group once an entry fills. Exits cancel the symbol's open orders and flatten with a market order.
/// Target positions are in TradeManager.Targets.cs.
/// </summary>
public sealed partial class TradeManager
{
    private readonly TradeManagerSettings _settings;
    private readonly RiskSettings _risk;
    private readonly IExecutionVenue _venue;

    // The simulated exchange takes orders by their fields: no OrderRequest (nor OCO group name) per order.
    private readonly SimulatedExchange? _exchange;
    private readonly Portfolio _portfolio;
    private readonly ILogger _logger;
    // Each symbol's orders: looked up by the symbol's dense id on every order event, walked in first-use order.
    private readonly SymbolTable<SymbolOrders> _orders = new();
    private readonly List<SymbolOrders> _orderStates = [];

    // The reasons an entry is refused, spelt once (they depend on the settings only).
    private string? _maxPositionsReason;
    private string? _closingWindowReason;
    private DateOnly _day;
    private decimal _dayStartEquity;

    // The protective levels' factors, 1 ∓ percent / 100: the same decimals on every entry, so each division is done
    // once here rather than per entry (the settings are init-only).
    private readonly decimal _stopFactorLong;
    private readonly decimal _stopFactorShort;
    private readonly decimal _targetFactorLong;
    private readonly decimal _targetFactorShort;
    private bool _dailyLimitHit;

    // Whether a daily loss limit is set (the settings are init-only): read on every cycle instead of the nullable.
    private readonly bool _hasDailyLossLimit;

    /// <summary>Creates a trade manager sending orders to <paramref name="venue"/>.</summary>
    public TradeManager(TradeManagerSettings settings, RiskSettings risk, IExecutionVenue venue, Portfolio portfolio, ILogger logger)
    {
        _settings = settings;
        _risk = risk;
        _hasDailyLossLimit = risk.DailyLossLimitPct is not null;
        _venue = venue;
        _exchange = venue as SimulatedExchange;
        _portfolio = portfolio;
        _logger = logger;
        if (risk.StopLossPct is { } sl)
        {
            _stopFactorLong = 1 - (sl / 100m);
            _stopFactorShort = 1 + (sl / 100m);
        }

        if (risk.TakeProfitPct is { } tp)
        {
            _targetFactorLong = 1 + (tp / 100m);
            _targetFactorShort = 1 - (tp / 100m);
        }
    }

    /// <summary>Entries refused by a limit (max positions, daily loss, closing window, zero size).</summary>
    public int BlockedEntries { get; private set; }

    /// <summary>True when an entry order for <paramref name="symbol"/> is working.</summary>
    public bool HasPendingEntry(Symbol symbol) => _orders.Get(symbol) is { Entry.IsOpen: true };

    /// <summary>
    /// Starts a new trading day for the loss limit (call at the first slice of each session date of the run's calendar).
    /// </summary>
    public void BeginDay(DateOnly day)
    {
        if (day == _day)
        {
            return;
        }

        _day = day;
        _dayStartEquity = _portfolio.Equity;
        _dailyLimitHit = false;
    }

    /// <summary>Checks the daily loss limit against the current equity.</summary>
    /// <remarks>The engine calls it on every cycle: without a limit (or once it was hit today) that is two flags, inlined.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CheckDailyLoss(DateTime nowUtc)
    {
        if (_hasDailyLossLimit && !_dailyLimitHit)
        {
            CheckDailyLossNow(nowUtc);
        }
    }

    private void CheckDailyLossNow(DateTime nowUtc)
    {
        if (_dailyLimitHit || _risk.DailyLossLimitPct is not { } pct || _dayStartEquity <= 0)
        {
            return;
        }

        var loss = _dayStartEquity - _portfolio.Equity;
        if (loss >= _dayStartEquity * pct / 100m)
        {
            _dailyLimitHit = true;
            _logger.LogWarning(
                EngineEvents.DailyLossLimit,
                "day {Day:yyyy-MM-dd} lost {Loss} of {StartEquity} (limit {Pct}%) at {Time:O}; no new entries today",
                _day,
                loss,
                _dayStartEquity,
                pct,
                nowUtc);
        }
    }

    /// <summary>Acts on the intents of one time slice: exits first, then entries, each in symbol order.</summary>
    /// <param name="intents">The slice's intents (the list is read, not kept).</param>
    /// <param name="nowUtc">The decision time.</param>
    /// <param name="priceOf">The reference price of a symbol (its last close).</param>
    /// <param name="sessionOf">The session a decision at <paramref name="nowUtc"/> belongs to, per symbol.</param>
    public void Process(List<Intent> intents, DateTime nowUtc, Func<Symbol, decimal?> priceOf, Func<Symbol, TradingSession?> sessionOf)
    {
        ArgumentNullException.ThrowIfNull(intents);
        // Deterministic: symbol order (the slice order), keeping each symbol's intents in the order given
        // (a stable insertion sort: intents are few).
        for (var i = 1; i < intents.Count; i++)
        {
            var current = intents[i];
            var j = i - 1;
            while (j >= 0 && intents[j].Symbol.CompareTo(current.Symbol) > 0)
            {
                intents[j + 1] = intents[j];
                j--;
            }

            intents[j + 1] = current;
        }

        var targets = _deferred.Count > 0;
        foreach (var intent in intents)
        {
            switch (intent.Kind)
            {
                case IntentKind.Exit:
                    DropDeferred(intent.Symbol);
                    Exit(intent.Symbol, intent.Reason, nowUtc);
                    break;
                case IntentKind.Liquidate:
                    DropDeferred(intent.Symbol);
                    Liquidate(intent.Symbol, intent.Reason, nowUtc);
                    break;
                case IntentKind.TargetPercent or IntentKind.TargetQuantity:
                    targets = true;
                    break;
            }
        }

        if (targets)
        {
            ProcessTargets(intents, nowUtc, priceOf, sessionOf);
        }

        foreach (var intent in intents)
        {
            if (intent.Kind is IntentKind.EnterLong or IntentKind.EnterShort)
            {
                Enter(intent, nowUtc, priceOf(intent.Symbol), sessionOf(intent.Symbol));
            }
        }
    }

    /// <summary>Closes the position in <paramref name="symbol"/> and cancels its open orders.</summary>
    public void Exit(Symbol symbol, string reason, DateTime nowUtc)
    {
        CancelAll(symbol, nowUtc);
        var held = _portfolio.QuantityOf(symbol);
        if (held == 0)
        {
            return;
        }

        // Exits are GTC: one decided on the session's last bar fills at the next open rather than expiring, so a
        // position is never kept against the strategy's will. Entries stay DAY: a stale entry is not taken tomorrow.
        var side = held > 0 ? OrderSide.Sell : OrderSide.Buy;
        var order = SubmitMarket(symbol, side, Math.Abs(held), TimeInForce.Gtc, reason, nowUtc);
        State(symbol).Exit = order;
    }

    /// <summary>
    /// Trading halted (an operator flattened the run): forgets <paramref name="symbol"/>'s deferred targets and working
    /// orders (the caller has cancelled them at the venue, and a late fill of a forgotten entry attaches no protective
    /// order), then closes its position with a GTC market order tagged <paramref name="reason"/>.
    /// </summary>
    /// <returns>The closing order; null when the symbol is flat.</returns>
    public Order? CloseForHalt(Symbol symbol, string reason, DateTime nowUtc)
    {
        DropDeferred(symbol);
        if (_orders.Get(symbol) is { } state)
        {
            state.Protective.Clear();
            state.Entry = null;
            state.Targets?.Clear();
        }

        var held = _portfolio.QuantityOf(symbol);
        if (held == 0)
        {
            return null;
        }

        var order = SubmitMarket(symbol, held > 0 ? OrderSide.Sell : OrderSide.Buy, Math.Abs(held), TimeInForce.Gtc, reason, nowUtc);
        State(symbol).Exit = order;
        return order;
    }

    /// <summary>Reacts to an order event (after the portfolio has applied any fill).</summary>
    public void OnOrderEvent(in OrderEvent e)
    {
        var symbol = e.Order.Symbol;
        if (_orders.Get(symbol) is not { } state)
        {
            return;
        }

        if (e.Fill is not null && state.Entry?.Id == e.Order.Id)
        {
            AttachExits(symbol, state, e.TimeUtc);
        }

        if (e.Fill is not null && _portfolio.QuantityOf(symbol) == 0)
        {
            // Flat: whatever protective orders are left have nothing to protect.
            foreach (var o in state.Protective)
            {
                if (o.IsOpen)
                {
                    _venue.Cancel(o.Id, e.TimeUtc);
                }
            }

            state.Protective.Clear();
        }
    }

    private void Enter(Intent intent, DateTime nowUtc, decimal? price, TradingSession? session)
    {
        var symbol = intent.Symbol;
        var held = _portfolio.QuantityOf(symbol);
        var wantLong = intent.Kind == IntentKind.EnterLong;
        if ((wantLong && held > 0) || (!wantLong && held < 0) || HasPendingEntry(symbol) || HasWorkingTarget(symbol))
        {
            return; // already positioned that way, or on the way there (a working target owns the symbol's position)
        }

        if (Block(intent, nowUtc, price, session) is { } why)
        {
            BlockedEntries++;
            if (!_logger.IsEnabled(LogLevel.Information))
            {
                return;
            }

            _logger.LogInformation(
                EngineEvents.EntryBlocked,
                "{Symbol} {Kind} at {Time:O}: {Why}",
                symbol,
                intent.Kind,
                nowUtc,
                why);
            return;
        }

        if (held != 0 && !(State(symbol).Exit is { IsOpen: true } exit && exit.RemainingQuantity == Math.Abs(held)))
        {
            Exit(symbol, intent.Reason, nowUtc); // reversal: flatten first (unless an exit for all of it is working), then enter
        }

        var quantity = Size(symbol, price!.Value);
        if (quantity <= 0)
        {
            BlockedEntries++;
            if (!_logger.IsEnabled(LogLevel.Information))
            {
                return;
            }

            _logger.LogInformation(
                EngineEvents.EntryBlocked,
                "{Symbol} {Kind} at {Time:O}: size rounds to zero at price {Price}",
                symbol,
                intent.Kind,
                nowUtc,
                price);
            return;
        }

        var side = wantLong ? OrderSide.Buy : OrderSide.Sell;
        var order = SubmitMarket(symbol, side, quantity, TimeInForce.Day, intent.Reason, nowUtc);
        if (order.Status != OrderStatus.Rejected)
        {
            State(symbol).Entry = order;
        }
    }

    private string? Block(Intent intent, DateTime nowUtc, decimal? price, TradingSession? session)
    {
        if (CommonBlock(nowUtc, price, session) is { } why)
        {
            return why;
        }

        var open = _portfolio.OpenPositionCount;
        foreach (var st in _orderStates)
        {
            if (st.Entry is { IsOpen: true } && _portfolio.QuantityOf(st.Symbol) == 0)
            {
                open++;
            }
        }

        if (_portfolio.QuantityOf(intent.Symbol) == 0 && open >= _settings.MaxPositions)
        {
            return MaxPositionsReason;
        }

        return null;
    }

    /// <summary>The limits an entry and a target's increase share: a price, the daily loss limit, the closing window.</summary>
    private string? CommonBlock(DateTime nowUtc, decimal? price, TradingSession? session)
    {
        if (price is not > 0)
        {
            return "no price yet";
        }

        if (_dailyLimitHit)
        {
            return "daily loss limit reached";
        }

        if (session is not null && _risk.StopEntriesMinutesBeforeClose > 0
            && nowUtc >= session.RegularClose.AddMinutes(-_risk.StopEntriesMinutesBeforeClose))
        {
            return _closingWindowReason ??= FormattableString.Invariant($"within {_risk.StopEntriesMinutesBeforeClose} minutes of the close");
        }

        return null;
    }

    private string MaxPositionsReason => _maxPositionsReason ??= FormattableString.Invariant($"max positions ({_settings.MaxPositions}) reached");

    private decimal Size(Symbol symbol, decimal price)
    {
        var raw = _settings.Sizing switch
        {
            SizingMode.FixedQuantity => _settings.Quantity,
            SizingMode.FixedNotional => _settings.Notional / price,
            SizingMode.RiskPercent => RiskSized(price),
            _ => _portfolio.Equity * _settings.PositionSizePct / 100m / price,
        };
        return _settings.Instruments.RoundQuantityDown(symbol, raw);
    }

    /// <summary>The quantity whose stop-loss loses the risk percent of equity, within the position cap and buying power.</summary>
    private decimal RiskSized(decimal price)
    {
        var equity = _portfolio.Equity;
        var stopPct = _settings.StopDistancePct ?? throw new InvalidOperationException("risk_percent sizing needs a stop distance.");
        var atRisk = equity * _settings.RiskPct / 100m / (price * stopPct / 100m);
        var capped = Math.Min(atRisk, equity * _settings.MaxPositionPct / 100m / price);
        return Math.Max(0m, Math.Min(capped, _portfolio.BuyingPower() / price));
    }

    private void AttachExits(Symbol symbol, SymbolOrders state, DateTime timeUtc)
    {
        var position = _portfolio.GetPosition(symbol);
        if (position is null || position.Quantity == 0)
        {
            return;
        }

        var quantity = Math.Abs(position.Quantity);
        var resized = false;
        foreach (var o in state.Protective)
        {
            if (o.IsOpen)
            {
                // A further partial fill of the entry: resize what protects it.
                _venue.Replace(o.Id, quantity, null, null, timeUtc);
                resized = true;
            }
        }

        if (resized)
        {
            return;
        }

        var isLong = position.Quantity > 0;
        var exitSide = isLong ? OrderSide.Sell : OrderSide.Buy;
        var entry = position.AveragePrice;
        var group = state.Entry!.Id; // the exits' OCO group is "oco-{entry id}"
        if (_risk.StopLossPct is not null)
        {
            var stop = AwayFromMarket(symbol, entry * (isLong ? _stopFactorLong : _stopFactorShort), isLong, isStop: true);
            state.Protective.Add(Submit(symbol, exitSide, quantity, OrderType.Stop, null, stop, TimeInForce.Gtc, "stop_loss", group, timeUtc));
        }

        if (_risk.TrailingStopPct is { } trail)
        {
            state.Protective.Add(_venue.Submit(
                new OrderRequest(symbol, exitSide, quantity, OrderType.TrailingStop, TrailPercent: trail, TimeInForce: TimeInForce.Gtc, Tag: "trailing_stop", OcoGroup: Order.OcoGroupName(group)),
                timeUtc));
        }

        if (_risk.TakeProfitPct is not null)
        {
            var limit = AwayFromMarket(symbol, entry * (isLong ? _targetFactorLong : _targetFactorShort), isLong, isStop: false);
            state.Protective.Add(Submit(symbol, exitSide, quantity, OrderType.Limit, limit, null, TimeInForce.Gtc, "take_profit", group, timeUtc));
        }
    }

    private Order SubmitMarket(Symbol symbol, OrderSide side, decimal quantity, TimeInForce timeInForce, string reason, DateTime nowUtc) =>
        Submit(symbol, side, quantity, OrderType.Market, null, null, timeInForce, reason, 0, nowUtc);

    /// <summary>Sends an order: by its fields to the simulated exchange, as a request to any other venue.</summary>
    /// <remarks>The parameters are those of <see cref="OrderRequest"/>, except <paramref name="ocoEntryId"/>: the entry whose exits form the OCO group, 0 for none.</remarks>
    private Order Submit(
        Symbol symbol,
        OrderSide side,
        decimal quantity,
        OrderType type,
        decimal? limitPrice,
        decimal? stopPrice,
        TimeInForce timeInForce,
        string tag,
        long ocoEntryId,
        DateTime nowUtc) =>
        _exchange is { } exchange
            ? exchange.Submit(symbol, side, quantity, type, limitPrice, stopPrice, timeInForce, tag, ocoEntryId, nowUtc)
            : _venue.Submit(
                new OrderRequest(symbol, side, quantity, type, limitPrice, stopPrice, null, timeInForce, tag, ocoEntryId == 0 ? null : Order.OcoGroupName(ocoEntryId)),
                nowUtc);

    /// <summary>
    /// Rounds a protective level to the instrument's increment away from the market: a long's stop down and its target
    /// up, a short's stop up and its target down. A level is never moved toward the entry, so a stop-loss can never sit
    /// at or beyond the entry price however coarse the increment is relative to the price.
    /// </summary>
    private decimal AwayFromMarket(Symbol symbol, decimal level, bool isLong, bool isStop) =>
        _settings.Instruments.RoundPrice(symbol, level, isLong == isStop ? PriceRounding.Down : PriceRounding.Up);

    private void CancelAll(Symbol symbol, DateTime nowUtc)
    {
        if (_orders.Get(symbol) is not { } state)
        {
            return;
        }

        var open = _venue.OpenOrders;
        for (var i = open.Count - 1; i >= 0; i--)
        {
            // Cancelling removes the order from the list: walk it backwards.
            if (i < open.Count && open[i].Symbol == symbol)
            {
                _venue.Cancel(open[i].Id, nowUtc);
            }
        }

        state.Protective.Clear();
        state.Entry = null;
        state.Targets?.Clear();
    }

    private SymbolOrders State(Symbol symbol)
    {
        if (_orders.Get(symbol) is not { } s)
        {
            s = new SymbolOrders(symbol);
            _orders.Set(symbol, s);
            _orderStates.Add(s);
        }

        return s;
    }

    private sealed class SymbolOrders(Symbol symbol)
    {
        public Symbol Symbol { get; } = symbol;

        public Order? Entry { get; set; }

        public Order? Exit { get; set; }

        public List<Order> Protective { get; } = [];

        /// <summary>The working orders of the symbol's last target (a flip has two legs); null until a target is set.</summary>
        public List<Order>? Targets { get; set; }
    }
}
