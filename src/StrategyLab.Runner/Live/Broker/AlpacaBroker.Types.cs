using StrategyLab.Core.Execution;
using StrategyLab.Providers.Alpaca;

namespace StrategyLab.Runner.Live.Broker;

/// <content>The adapter's bookkeeping of an order and the commands its sender executes.</content>
public sealed partial class AlpacaBroker
{
    /// <summary>One order of the run and its broker-side identity (the broker id changes with each replace).</summary>
    private sealed class Tracked(Order order, string clientOrderId)
    {
        private string? _brokerOrderId;

        public Order Order { get; } = order;

        public string ClientOrderId { get; } = clientOrderId;

        /// <summary>Alpaca's id of the current order (set by the sender, read by the engine's thread).</summary>
        public string? BrokerOrderId
        {
            get => Volatile.Read(ref _brokerOrderId);
            set => Volatile.Write(ref _brokerOrderId, value);
        }

        /// <summary>Engine thread only.</summary>
        public bool CancelRequested { get; set; }

        /// <summary>Engine thread only.</summary>
        public int Replacements { get; set; }

        /// <summary>A journalled fill of it did not name its broker order (an old journal): its fills keep the old count (engine thread only).</summary>
        public bool UnattributedFills { get; set; }

        /// <summary>Alpaca ids replaced by a later one (engine thread only).</summary>
        public HashSet<string> Superseded { get; } = new(StringComparer.Ordinal);
    }

    private abstract record Command;

    private sealed record SendCommand(Tracked Tracked, AlpacaOrderRequest Request) : Command
    {
        public override string ToString() => "submit " + Request.ClientOrderId;
    }

    private sealed record CancelCommand(Tracked Tracked) : Command
    {
        public override string ToString() => "cancel " + Tracked.ClientOrderId;
    }

    private sealed record ReplaceCommand(Tracked Tracked, string ClientOrderId, decimal? Quantity, decimal? LimitPrice, decimal? StopPrice) : Command
    {
        public override string ToString() => "replace " + Tracked.ClientOrderId;
    }

    private sealed record ReconcileCommand(DateTime SinceUtc) : Command
    {
        public override string ToString() => "reconcile";
    }
}
