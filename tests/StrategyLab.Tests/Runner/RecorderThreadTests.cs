using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Data;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner;

/// <summary>
/// A backtest's recorders on a thread of their own (<see cref="RecorderThread"/>, session 33): the same run folder as
/// on the engine's thread, whatever the ring's size; an order recorded as it was at its event; a recorder's exception
/// thrown on the engine's thread, never a hang.
/// </summary>
public sealed class RecorderThreadTests : IDisposable
{
    private static readonly RecorderThreadOptions Tiny = new() { BlockEvents = 1, Blocks = 2 };
    private static readonly Symbol Aapl = Symbol.Equity("AAPL");
    private static readonly DateTime T0 = new(2024, 1, 2, 15, 0, 0, DateTimeKind.Utc);
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-recthread-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ALeanMinuteRun_WithShortsTrailingStopsAndPartialFills_LeavesTheSameFolder_OnEitherThread()
    {
        var lean = TestPaths.RequireLean();
        var config = Config("lean", $$"""
            { "data": { "provider": "lean", "path": {{System.Text.Json.JsonSerializer.Serialize(lean)}}, "symbols": ["SPY","AIG","BAC","IBM"], "timeframe": "1m", "from": "2013-10-07", "to": "2013-10-09" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 5, "slow": 15, "allow_short": true } },
              "risk": { "stop_loss_pct": null, "trailing_stop_pct": 0.3, "take_profit_pct": 0.4 },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 2000, "max_positions": 4 },
              "exchange": { "account": "margin", "margin_leverage": 4, "max_volume_pct": 5 },
              "output": { "bars_csv": true, "equity": "cycle" } }
            """);

        var inline = Run(config, "inline", null);
        Assert.Null(inline.Error);
        var orders = File.ReadAllText(Path.Combine(inline.Folder, "orders.csv"));
        Assert.Contains(",trailing_stop,", orders, StringComparison.Ordinal); // what the folder must show: trails, still working at the end too
        Assert.Contains(",working,", orders, StringComparison.Ordinal);
        foreach (var (name, options) in new[] { ("thread", new RecorderThreadOptions()), ("tiny", Tiny), ("small", new RecorderThreadOptions { BlockEvents = 7, Blocks = 3 }) })
        {
            var threaded = Run(config, name, options);
            Assert.Null(threaded.Error);
            RunFolderAssert.Same(inline.Folder, threaded.Folder);
        }
    }

    [Fact]
    public void TheDefaultRun_WithItsReportAndPositionsClosedAtTheEnd_LeavesTheSameFolder_OnEitherThread()
    {
        var config = Config("default", """{ "engine": { "close_positions_at_end": true }, "data": { "from": "2024-01-02", "to": "2024-01-05" } }""");
        var inline = Run(config, "inline", null);
        var threaded = Run(config, "thread", Tiny);
        Assert.Null(inline.Error);
        Assert.True(File.Exists(Path.Combine(inline.Folder, "report.html")));
        RunFolderAssert.Same(inline.Folder, threaded.Folder);
    }

    [Fact]
    public void ACsvWithABadRow_FailsWithTheSameError_AndLeavesTheSamePartialFolder_OnEitherThread()
    {
        var csv = Path.Combine(_dir, "BTC-USD.csv");
        var text = new StringBuilder("time,open,high,low,close,volume\n");
        var t = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 20_000; i++)
        {
            var p = 100m + (decimal)Math.Round(10 * Math.Sin(i / 40.0), 2);
            text.Append(i == 15_000 ? "garbage,row,x" : $"{t.AddMinutes(i):yyyy-MM-ddTHH:mm:ssZ},{p},{p + 0.5m},{p - 0.5m},{p},10").Append('\n');
        }

        File.WriteAllText(csv, text.ToString());
        var config = Config("bad", $$"""
            { "data": { "provider": "csv", "path": {{System.Text.Json.JsonSerializer.Serialize(csv)}}, "symbols": ["BTC-USD"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 3, "slow": 8 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 1 } }
            """);

        var inline = Run(config, "inline", null);
        var error = Assert.IsType<DataFormatException>(inline.Error);
        foreach (var (name, options) in new[] { ("thread", new RecorderThreadOptions()), ("tiny", Tiny) })
        {
            var threaded = Run(config, name, options);
            Assert.IsType<DataFormatException>(threaded.Error);
            Assert.Equal(error.Message, threaded.Error!.Message);
            RunFolderAssert.Same(inline.Folder, threaded.Folder);
        }
    }

    [Fact]
    public void AnOrderChangedAfterItsEvent_IsRecordedAsItWasAtTheEvent()
    {
        using var gate = new ManualResetEventSlim(false);
        var seen = new SeenOrders(gate);
        var order = new Order(1, Aapl, OrderSide.Buy, 10m, OrderType.Limit, 100m, null, TimeInForce.Gtc, "entry", 0, T0) { Status = OrderStatus.Working, AcceptedUtc = T0 };
        using (var thread = new RecorderThread(new CompositeRecorder(seen), new RecorderThreadOptions { BlockEvents = 1, Blocks = 8 }))
        {
            thread.OnBar(new Bar(Aapl, T0, T0.AddMinutes(1), 100m, 101m, 99m, 100m, 1000m)); // the recorders' thread waits at this bar
            thread.OnOrderEvent(new OrderEvent(OrderEventKind.Accepted, order, T0));
            Fill(order, 4m, 99.5m, T0.AddMinutes(1));
            thread.OnOrderEvent(new OrderEvent(OrderEventKind.PartiallyFilled, order, T0.AddMinutes(1)));
            Fill(order, 6m, 99m, T0.AddMinutes(2));
            order.Status = OrderStatus.Filled;
            thread.OnOrderEvent(new OrderEvent(OrderEventKind.Filled, order, T0.AddMinutes(2)));
            order.Commission = 123m; // after every event: no recorder sees it
            order.UpdatedUtc = T0.AddHours(1);
            gate.Set();
            thread.Drain();
        }

        Assert.Equal(
            [
                (OrderStatus.Working, 0m, 0m, 0m, T0),
                (OrderStatus.PartiallyFilled, 4m, 99.5m, 0.4m, T0.AddMinutes(1)),
                (OrderStatus.Filled, 10m, 99.2m, 1.0m, T0.AddMinutes(2)),
            ],
            seen.States);
        Assert.All(seen.Orders, o => Assert.NotSame(order, o)); // a copy, one for the order's whole life
        Assert.All(seen.Orders, o => Assert.Same(seen.Orders[0], o));
        Assert.Equal(1.0m, seen.Orders[0].Commission);
        Assert.Equal((100m, "entry", OrderSide.Buy, OrderType.Limit), (seen.Orders[0].LimitPrice!.Value, seen.Orders[0].Tag, seen.Orders[0].Side, seen.Orders[0].Type));
    }

    [Fact]
    public void AnOrderStillOpenAtTheEnd_IsRecordedAsItIsThen_EvenWhatChangedWithoutAnEvent()
    {
        var seen = new SeenOrders(null);
        var trail = new Order(2, Aapl, OrderSide.Sell, 5m, OrderType.TrailingStop, null, 95m, TimeInForce.Gtc, "trailing_stop", 1, T0) { Status = OrderStatus.Working, AcceptedUtc = T0 };
        var done = new Order(3, Aapl, OrderSide.Buy, 1m, OrderType.Market, null, null, TimeInForce.Day, null, 0, T0) { Status = OrderStatus.Canceled };
        using var thread = new RecorderThread(new CompositeRecorder(seen), Tiny);
        thread.OnOrderEvent(new OrderEvent(OrderEventKind.Accepted, trail, T0));
        thread.OnOrderEvent(new OrderEvent(OrderEventKind.Canceled, done, T0));
        trail.TrailAnchorPrice = 110m; // a trailing stop follows the bars without an event
        trail.StopPrice = 104.5m;
        done.UpdatedUtc = T0.AddDays(1); // a final order is not caught up (nothing changes one)

        thread.Drain();

        Assert.Equal(104.5m, seen.Orders[0].StopPrice);
        Assert.Equal(110m, seen.Orders[0].TrailAnchorPrice);
        Assert.Equal(T0, seen.Orders[1].UpdatedUtc);

        // After the drain (the run's end) the events are recorded on the calling thread, through the same copies.
        trail.Status = OrderStatus.Canceled;
        thread.OnOrderEvent(new OrderEvent(OrderEventKind.Canceled, trail, T0.AddDays(1)));
        Assert.Same(seen.Orders[0], seen.Orders[2]);
        Assert.Equal(OrderStatus.Canceled, seen.Orders[0].Status);
    }

    [Fact]
    public void AnOrderWithValuesTooWideToPack_IsCopiedWithThem()
    {
        var wide = 1234567890123456789.123456789m;
        var order = new Order(4, Aapl, OrderSide.Buy, wide, OrderType.Limit, wide / 7, null, TimeInForce.Gtc, null, 0, T0) { Status = OrderStatus.Working, AcceptedUtc = T0.AddSeconds(1) };
        var snapshot = OrderReplicas.Capture(order);
        order.Quantity = 1m;
        var copy = new OrderReplicas().Replicate(order, snapshot);
        Assert.Equal(wide, copy.Quantity);
        Assert.Equal(wide / 7, copy.LimitPrice);
        Assert.Equal(T0.AddSeconds(1), copy.AcceptedUtc);
        Assert.Equal(order.Request, copy.Request); // kept as submitted before the change
    }

    [Fact]
    public void ARecordersException_IsThrownOnTheEngineThread_FromDrain_AndNothingHangs()
    {
        var faults = 0;
        var failing = new FailingAtBar(3);
        var thread = new RecorderThread(new CompositeRecorder(failing), Tiny, () => Interlocked.Increment(ref faults));
        for (var i = 0; i < 10_000; i++)
        {
            thread.OnBar(new Bar(Aapl, T0.AddMinutes(i), T0.AddMinutes(i + 1), 100m, 101m, 99m, 100m, 1000m)); // never blocks on the full ring of a dead thread
        }

        var error = Assert.Throws<IOException>(thread.Drain);
        Assert.Equal("No space left on device", error.Message);
        Assert.Equal(1, Volatile.Read(ref faults));
        Assert.Equal(3, failing.Bars); // nothing after the failing event
        thread.Dispose(); // thrown once
    }

    [Fact]
    public void ARecordersException_NotYetThrown_IsThrownByDispose_OnTheWayOutOfARunThatThrew()
    {
        var thread = new RecorderThread(new CompositeRecorder(new FailingAtBar(1)), new RecorderThreadOptions());
        thread.OnBar(new Bar(Aapl, T0, T0.AddMinutes(1), 100m, 101m, 99m, 100m, 1000m));
        var error = Assert.Throws<IOException>(thread.Dispose); // the recorder's exception came first: it wins
        Assert.Equal("No space left on device", error.Message);
    }

    [Theory]
    [InlineData(null, 1, false)]
    [InlineData(null, 2, false)]
    [InlineData(null, 3, true)]
    [InlineData("", 8, true)]
    [InlineData("0", 8, false)]
    [InlineData("1", 2, true)]
    [InlineData("1", 1, true)]
    public void TheRecordersGetAThread_WithMoreThanTwoCores_OrAsTheSwitchSays(string? setting, int processors, bool threaded) =>
        Assert.Equal(threaded, RecorderThreadOptions.Chosen(setting, processors) is not null);

    private static void Fill(Order order, decimal quantity, decimal price, DateTime at)
    {
        var filled = order.FilledQuantity + quantity;
        order.AverageFillPrice = ((order.AverageFillPrice * order.FilledQuantity) + (price * quantity)) / filled;
        order.FilledQuantity = filled;
        order.Commission += quantity / 10;
        order.Status = OrderStatus.PartiallyFilled;
        order.UpdatedUtc = at;
    }

    private (string Folder, Exception? Error) Run(string config, string name, RecorderThreadOptions? options)
    {
        var (c, effective) = ConfigLoader.Load(config);
        var folder = Path.Combine(_dir, name + "-" + Path.GetFileNameWithoutExtension(config));
        try
        {
            BacktestRunner.Run(ResolvedRun.Resolve(c, effective), folder, NullLoggerFactory.Instance, BarPrefetchOptions.Default, options);
            return (folder, null);
        }
        catch (DataFormatException e)
        {
            return (folder, e);
        }
    }

    private string Config(string name, string json)
    {
        var path = Path.Combine(_dir, name + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>Notes each order event's order and its state as read when recorded; waits at its first bar for <c>gate</c>.</summary>
    private sealed class SeenOrders(ManualResetEventSlim? gate) : IRunRecorder
    {
        public List<Order> Orders { get; } = [];

        public List<(OrderStatus, decimal, decimal, decimal, DateTime)> States { get; } = [];

        public void OnBar(in Bar bar) => gate?.Wait(TimeSpan.FromSeconds(30));

        public void OnOrderEvent(in OrderEvent orderEvent)
        {
            var o = orderEvent.Order;
            Orders.Add(o);
            States.Add((o.Status, o.FilledQuantity, o.AverageFillPrice, o.Commission, o.UpdatedUtc));
        }
    }

    /// <summary>Throws an <see cref="IOException"/> (a full disk) at its <c>failAt</c>-th bar.</summary>
    private sealed class FailingAtBar(int failAt) : IRunRecorder
    {
        public int Bars { get; private set; }

        public void OnBar(in Bar bar)
        {
            if (++Bars == failAt)
            {
                throw new IOException("No space left on device");
            }
        }
    }
}
