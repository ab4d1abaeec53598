using Microsoft.Extensions.Logging;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Engine;

/// <summary>What one <see cref="TradingEngine.Halt"/> pass did.</summary>
/// <param name="Canceled">The open orders it asked the venue to cancel.</param>
/// <param name="Closing">The market orders it sent to close positions.</param>
public sealed record HaltPass(IReadOnlyList<Order> Canceled, IReadOnlyList<Order> Closing);

// Trading halted by an operator (strategylab flatten on a live run): the engine's own orders and positions are closed
// through its venue, so the fills take the normal path (journal, orders.csv, trades), and the strategy trades no more.
public sealed partial class TradingEngine
{
    private bool _halted;

    /// <summary>True once <see cref="Halt"/> was called: the strategy's intents and orders are dropped for the rest of the run.</summary>
    public bool IsHalted => _halted;

    /// <summary>
    /// Halts trading: cancels every open order except the closing ones of an earlier pass (tagged <paramref name="tag"/>),
    /// closes every position that has no closing order working (a GTC market order through the trade manager), and drops
    /// every later intent or order of the strategy. The strategy still sees its bars. Calling it again is a further pass:
    /// it catches what arrived after the previous one (a late fill of a cancelled entry).
    /// </summary>
    /// <param name="nowUtc">The decision time of the cancels and the closing orders.</param>
    /// <param name="tag">The closing orders' tag (their round trips' exit reason), e.g. <c>flatten</c>.</param>
    public HaltPass Halt(DateTime nowUtc, string tag)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        _halted = true;
        _intents.Clear();
        var canceled = new List<Order>();
        foreach (var o in _venue.OpenOrders.ToArray())
        {
            if (o.Tag != tag && o.IsOpen && _venue.Cancel(o.Id, nowUtc))
            {
                canceled.Add(o);
            }
        }

        var closing = new List<Order>();
        foreach (var symbol in _symbols)
        {
            if (_venue.OpenOrders.Any(o => o.Symbol == symbol && o.Tag == tag))
            {
                continue; // an earlier pass's close is still working
            }

            if (_tradeManager.CloseForHalt(symbol, tag, nowUtc) is { } order)
            {
                closing.Add(order);
            }
        }

        _logger.LogWarning(
            EngineEvents.TradingHalted,
            "trading halted at {Time:O} ({Tag}): {Canceled} order(s) cancelled, {Closing} closing order(s) sent",
            nowUtc,
            tag,
            canceled.Count,
            closing.Count);
        return new HaltPass(canceled, closing);
    }

    private void DropHaltedIntents(DateTime now)
    {
        Counters.IntentsHalted += _intents.Count;
        if (_intents.Count > 0 && _logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation(EngineEvents.HaltedIntentDropped, "{Count} intent(s) at {Time:O} dropped: trading is halted", _intents.Count, now);
        }
    }

    private Order RefuseHalted(OrderRequest request)
    {
        Counters.IntentsHalted++;
        _logger.LogInformation(EngineEvents.HaltedIntentDropped, "order {Side} {Quantity} {Symbol} at {Time:O} dropped: trading is halted", request.Side, request.Quantity, request.Symbol, _now);
        return new Order(0, request.ClientOrderId, request, _now) { Status = OrderStatus.Rejected, RejectReason = RejectReason.TradingHalted };
    }
}
