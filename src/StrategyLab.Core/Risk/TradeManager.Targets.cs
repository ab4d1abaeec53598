using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Risk;

// Target positions (SetTarget / SetTargetQuantity / Liquidate). The semantics, in the order they apply:
// - The last target of a symbol in a slice wins. A target first cancels the symbol's working target orders (a new
//   target replaces the old one), then compares the target with what is held: equal, nothing more happens (the
//   symbol's protective exits stay). Otherwise every other open order of the symbol (a pending entry or exit, the
//   protective exits of an EnterLong/EnterShort, the strategy's own orders) is cancelled: they were sized for the old
//   position, and a stop for more than is held would open a position when it fires.
// - Quantities: percent × equity ÷ last close (equity and prices as of the decision), then the signed target is rounded
//   toward zero to the instrument's quantity step; a quantity target is rounded the same way.
// - All reductions of the slice are sent first (a flip's closing leg included), then the increases in symbol order, so
//   a rotation frees its position slot before it takes a new one.
// - A reduction is never blocked: market, GTC (like an exit, so one decided at the close fills at the next open and
//   exposure is never kept against the strategy's will). An increase is an entry: market, DAY (a stale increase is not
//   taken a day later), refused exactly where an entry would be (no price, daily loss limit, closing window, max
//   positions when it opens a new position; a position being closed by a working order no longer counts) and capped by
//   the buying power left after the open orders, less a 0.25 % buffer for commission and slippage.
// - A flip (long to short or back) is two legs: the closing one (a reduction) and the opening one (an increase).
// - A cash account cannot go short: a negative target counts as 0 (logged as a blocked entry).
// - An increase the buying power does not cover while reductions are working (the sells of a rotation, which free the
//   cash only when they fill) is deferred whole: once those reductions are done, the target quantity is applied at the
//   next orders step (capped then, never deferred twice). A new target, exit or liquidation of the symbol drops it.
//   Without working reductions the increase is cut to what the buying power covers.
// - Targets attach no protective exits: a position held by targets is the strategy's to manage.
public sealed partial class TradeManager
{
    /// <summary>Percent of the buying power an increase leaves unspent: room for commission and slippage.</summary>
    private const decimal BuyingPowerBufferPct = 0.25m;

    private readonly List<TargetPlan> _plans = [];
    private readonly List<TargetPlan> _deferred = [];
    private readonly List<Order> _awaited = [];

    /// <summary>True when a target's increase waits for reductions to fill (the engine then calls <see cref="Process"/> each slice).</summary>
    public bool HasDeferredTargets => _deferred.Count > 0;

    /// <summary>True when an order of a target for <paramref name="symbol"/> is working.</summary>
    public bool HasWorkingTarget(Symbol symbol) =>
        _orders.Get(symbol) is { Targets: { } targets } && targets.Exists(static o => o.IsOpen);

    /// <summary>Closes the position in <paramref name="symbol"/> and cancels every open order of it, the strategy's own included.</summary>
    public void Liquidate(Symbol symbol, string reason, DateTime nowUtc)
    {
        _ = State(symbol); // with a state, the exit's cancel covers every open order of the symbol
        Exit(symbol, reason, nowUtc);
    }

    private static int Sign(decimal value) => Math.Sign(value);

    // Called on every exit intent: a loop, not RemoveAll with a lambda, whose captured symbol would be a new closure
    // object on every call, even with nothing deferred.
    private void DropDeferred(Symbol symbol) => RemoveSymbol(_deferred, symbol);

    private static void RemoveSymbol(List<TargetPlan> plans, Symbol symbol)
    {
        var kept = 0;
        for (var i = 0; i < plans.Count; i++)
        {
            if (plans[i].Symbol != symbol)
            {
                plans[kept++] = plans[i];
            }
        }

        plans.RemoveRange(kept, plans.Count - kept);
    }

    private void ProcessTargets(List<Intent> intents, DateTime nowUtc, Func<Symbol, decimal?> priceOf, Func<Symbol, TradingSession?> sessionOf)
    {
        _plans.Clear();
        if (_deferred.Count > 0 && !_awaited.Exists(static o => o.IsOpen))
        {
            // The reductions they waited for are done: the deferred targets are applied once more.
            _plans.AddRange(_deferred);
            _deferred.Clear();
            _awaited.Clear();
        }

        for (var i = 0; i < intents.Count; i++)
        {
            var intent = intents[i];
            if (intent.Kind is not (IntentKind.TargetPercent or IntentKind.TargetQuantity) || LaterTargetFor(intents, i))
            {
                continue; // intents are in symbol order: the last target of a symbol wins
            }

            DropDeferred(intent.Symbol);
            RemoveSymbol(_plans, intent.Symbol);
            var price = priceOf(intent.Symbol);
            decimal target;
            if (intent.Kind == IntentKind.TargetPercent)
            {
                if (price is not > 0)
                {
                    LogBlocked(intent.Symbol, intent.Value, nowUtc, "no price yet");
                    continue;
                }

                target = intent.Value * _portfolio.Equity / 100m / price.Value;
            }
            else
            {
                target = intent.Value;
            }

            _plans.Add(new TargetPlan(intent.Symbol, RoundTowardZero(intent.Symbol, target), intent.Reason, Retry: false));
        }

        _plans.Sort(static (a, b) => a.Symbol.CompareTo(b.Symbol));

        // Pass 1: cancel what the targets replace, send the reductions, note the increases.
        for (var i = 0; i < _plans.Count; i++)
        {
            _plans[i] = Reduce(_plans[i], nowUtc);
        }

        // Pass 2: the increases, in symbol order.
        foreach (var plan in _plans)
        {
            if (plan.Increase > 0)
            {
                Increase(plan, nowUtc, priceOf(plan.Symbol), sessionOf(plan.Symbol), priceOf);
            }
        }

        _plans.Clear();
    }

    private static bool LaterTargetFor(List<Intent> intents, int index)
    {
        var symbol = intents[index].Symbol;
        for (var j = index + 1; j < intents.Count && intents[j].Symbol == symbol; j++)
        {
            if (intents[j].Kind is IntentKind.TargetPercent or IntentKind.TargetQuantity)
            {
                return true;
            }
        }

        return false;
    }

    private decimal RoundTowardZero(Symbol symbol, decimal quantity) =>
        Sign(quantity) * _settings.Instruments.RoundQuantityDown(symbol, Math.Abs(quantity));

    private TargetPlan Reduce(TargetPlan plan, DateTime nowUtc)
    {
        var symbol = plan.Symbol;
        var state = State(symbol);
        if (state.Targets is { } working)
        {
            foreach (var o in working)
            {
                if (o.IsOpen)
                {
                    _venue.Cancel(o.Id, nowUtc);
                }
            }

            working.Clear();
        }

        var target = plan.Target;
        if (target < 0 && _portfolio.AccountType == AccountType.Cash)
        {
            LogBlocked(symbol, target, nowUtc, "a cash account cannot sell short; the target counts as 0");
            target = 0;
        }

        var held = _portfolio.QuantityOf(symbol);
        if (target == held)
        {
            return plan with { Increase = 0 };
        }

        CancelAll(symbol, nowUtc); // every open order of the symbol (the state exists)
        state.Targets ??= [];
        decimal closing, opening;
        if (held == 0)
        {
            (closing, opening) = (0, Math.Abs(target));
        }
        else if (Sign(target) == Sign(held))
        {
            var change = Math.Abs(target) - Math.Abs(held);
            (closing, opening) = change < 0 ? (-change, 0m) : (0m, change);
        }
        else
        {
            (closing, opening) = (Math.Abs(held), Math.Abs(target)); // to flat, or a flip: close, then open the other side
        }

        if (closing > 0)
        {
            var side = held > 0 ? OrderSide.Sell : OrderSide.Buy;
            var order = SubmitMarket(symbol, side, closing, TimeInForce.Gtc, plan.Reason, nowUtc);
            state.Targets.Add(order);
        }

        return plan with { Target = target, Increase = opening };
    }

    private void Increase(TargetPlan plan, DateTime nowUtc, decimal? price, TradingSession? session, Func<Symbol, decimal?> priceOf)
    {
        var symbol = plan.Symbol;
        var opensPosition = _portfolio.QuantityOf(symbol) == 0;
        if ((CommonBlock(nowUtc, price, session) ?? (opensPosition ? MaxPositionsBlock(symbol) : null)) is { } why)
        {
            LogBlocked(symbol, plan.Target, nowUtc, why);
            return;
        }

        var quantity = plan.Increase;
        var cap = IncreaseCap(symbol, price!.Value, priceOf);
        if (quantity > cap)
        {
            var defer = !plan.Retry && CollectWorkingReductions();
            _logger.LogInformation(
                EngineEvents.TargetCapped,
                "{Symbol} target {Target} at {Time:O}: buying power covers {Cap} of {Quantity}{Deferred}",
                symbol,
                plan.Target,
                nowUtc,
                cap,
                quantity,
                defer ? "; it waits for the working reductions to fill" : string.Empty);
            if (defer)
            {
                // Nothing now: a part sized on the last of the cash would fail the fill's cash check on any gap up,
                // and the whole increase is sent once the reductions have freed the cash.
                _deferred.Add(plan with { Retry = true });
                return;
            }

            quantity = cap;
        }

        if (quantity <= 0)
        {
            return;
        }

        var side = plan.Target > 0 ? OrderSide.Buy : OrderSide.Sell;
        var order = SubmitMarket(symbol, side, quantity, TimeInForce.Day, plan.Reason, nowUtc);
        (State(symbol).Targets ??= []).Add(order);
    }

    /// <summary>Max positions for a target that opens a position; a position a working order is closing no longer counts.</summary>
    private string? MaxPositionsBlock(Symbol symbol)
    {
        var open = 0;
        foreach (var p in _portfolio.Positions)
        {
            if (p.Quantity != 0 && !IsBeingClosed(p.Symbol, p.Quantity))
            {
                open++;
            }
        }

        foreach (var st in _orderStates)
        {
            var s = st.Symbol;
            if (s != symbol && _portfolio.QuantityOf(s) == 0
                && (st.Entry is { IsOpen: true } || (st.Targets is { } t && t.Exists(static o => o.IsOpen))))
            {
                open++; // on its way to a new position
            }
        }

        return open >= _settings.MaxPositions ? MaxPositionsReason : null;
    }

    private bool IsBeingClosed(Symbol symbol, decimal held)
    {
        if (_orders.Get(symbol) is not { } st)
        {
            return false;
        }

        var closingSide = held > 0 ? OrderSide.Sell : OrderSide.Buy;
        if (st.Exit is { IsOpen: true } exit && exit.Side == closingSide && exit.RemainingQuantity >= Math.Abs(held))
        {
            return true;
        }

        if (st.Targets is not { } targets)
        {
            return false;
        }

        // A loop rather than Exists with a lambda: the captured side and quantity would be a closure object per call.
        foreach (var o in targets)
        {
            if (o.IsOpen && o.Side == closingSide && o.TimeInForce == TimeInForce.Gtc && o.RemainingQuantity >= Math.Abs(held))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What the buying power left after the open orders buys of <paramref name="symbol"/> at <paramref name="price"/>.</summary>
    private decimal IncreaseCap(Symbol symbol, decimal price, Func<Symbol, decimal?> priceOf)
    {
        var reserved = 0m;
        foreach (var o in _venue.OpenOrders)
        {
            var held = _portfolio.QuantityOf(o.Symbol);
            var adds = o.Side == OrderSide.Buy ? held >= 0 : held <= 0;
            if (adds)
            {
                reserved += o.RemainingQuantity * (o.LimitPrice ?? priceOf(o.Symbol) ?? 0m);
            }
        }

        var available = _portfolio.BuyingPower(reserved) * (1m - (BuyingPowerBufferPct / 100m));
        return available <= 0 ? 0m : _settings.Instruments.RoundQuantityDown(symbol, available / price);
    }

    /// <summary>Notes the working reductions (target legs and exits) a deferred increase waits for; false when there are none.</summary>
    private bool CollectWorkingReductions()
    {
        var any = false;
        foreach (var st in _orderStates)
        {
            if (st.Exit is { IsOpen: true } exit && !_awaited.Contains(exit))
            {
                _awaited.Add(exit);
                any = true;
            }

            if (st.Targets is { } targets)
            {
                foreach (var o in targets)
                {
                    if (o.IsOpen && o.TimeInForce == TimeInForce.Gtc)
                    {
                        if (!_awaited.Contains(o))
                        {
                            _awaited.Add(o);
                        }

                        any = true;
                    }
                }
            }
        }

        return any || _awaited.Exists(static o => o.IsOpen);
    }

    private void LogBlocked(Symbol symbol, decimal target, DateTime nowUtc, string why)
    {
        BlockedEntries++;
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        _logger.LogInformation(EngineEvents.EntryBlocked, "{Symbol} target {Target} at {Time:O}: {Why}", symbol, target, nowUtc, why);
    }

    /// <summary>A target being acted on: the signed target quantity and, after the reductions, what is left to add.</summary>
    private readonly record struct TargetPlan(Symbol Symbol, decimal Target, string Reason, bool Retry, decimal Increase = 0m);
}
