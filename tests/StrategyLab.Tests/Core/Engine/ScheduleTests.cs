using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using StrategyLab.Tests.Data;

namespace StrategyLab.Tests.Core.Engine;

/// <summary>
/// Scheduled callbacks on the NYSE calendar (2024-11-27 a full day, 2024-11-29 a 13:00 early close): when each kind
/// fires relative to the bars, what is missed, the order of calls within a slice, and their errors.
/// </summary>
public sealed class ScheduleTests
{
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private static readonly Symbol Qqq = Symbol.Equity("QQQ");
    private static readonly IMarketCalendar Nyse = NyseCalendar.Instance;

    internal static DateTime Ny(string local) =>
        Nyse.ToUtc(DateTime.ParseExact(local, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));

    private static string Local(DateTime utc) => Nyse.ToExchangeTime(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Every regular-session bar of <paramref name="minutes"/> minutes of a date, for each symbol, except those starting in <paramref name="skip"/>.</summary>
    internal static List<Bar> Session(string date, int minutes = 1, Symbol[]? symbols = null, Func<DateTime, bool>? skip = null)
    {
        var session = Nyse.GetSession(DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture))!;
        var bars = new List<Bar>();
        var i = 0;
        for (var t = session.RegularOpen; t < session.RegularClose; t = t.AddMinutes(minutes), i++)
        {
            if (skip?.Invoke(t) == true)
            {
                continue;
            }

            var price = 100m + (i % 7);
            foreach (var s in symbols ?? [Spy])
            {
                bars.Add(new Bar(s, t, t.AddMinutes(minutes), price, price + 1, price - 1, price, 1000));
            }
        }

        return bars;
    }

    private static (TradingEngine Engine, RecordingRecorder Recorder, CapturingLogger Log) Build(
        IStrategy strategy, Timeframe? timeframe = null, Symbol[]? symbols = null, bool extendedHours = false)
    {
        var portfolio = new Portfolio(100_000m);
        symbols ??= [Spy];
        var exchange = new SimulatedExchange(new ExchangeSettings { Commission = ZeroCommission.Instance }, portfolio, _ => Nyse, symbols);
        var tradeManager = new TradeManager(
            new TradeManagerSettings { Sizing = SizingMode.FixedQuantity, Quantity = 10 },
            new RiskSettings { StopLossPct = null },
            exchange,
            portfolio,
            NullLogger.Instance);
        var recorder = new RecordingRecorder();
        var log = new CapturingLogger();
        var engine = new TradingEngine(
            strategy,
            exchange,
            portfolio,
            tradeManager,
            symbols,
            _ => Nyse,
            recorder,
            log,
            new EngineOptions { Timeframe = timeframe ?? Timeframe.OneMinute, ExtendedHours = extendedHours });
        exchange.Listener = engine;
        return (engine, recorder, log);
    }

    private static List<string> Missed(CapturingLogger log) =>
        [.. log.Entries.Where(e => e.Event.Name == "schedule.missed").Select(e => e.Message)];

    [Fact]
    public void BeforeClose_FiresOncePerSession_AtTheSliceEndingThatManyMinutesBeforeTheClose_EarlyClosesRespected()
    {
        var probe = new Probe(s => s.BeforeClose(5, c => { }, "flat"));
        var (engine, _, log) = Build(probe);

        engine.Run([.. Session("2024-11-27"), .. Session("2024-11-29")]);

        Assert.Equal(["2024-11-27 15:55", "2024-11-29 12:55"], probe.Fired("flat"));
        Assert.Empty(Missed(log));
    }

    [Fact]
    public void ACallback_RunsAfterOnSessionOpen_AndBeforeTheSlicesOnBar_InRegistrationOrder_WithTheSliceEndAsTime()
    {
        var probe = new Probe(s =>
        {
            s.AtSessionOpen(c => { }, "open");
            s.AfterOpen(30, c => { }, "half_hour");
            s.At(new TimeOnly(10, 0), c => { }, "ten");
        });
        var (engine, _, _) = Build(probe, symbols: [Qqq, Spy]);

        engine.Run(Session("2024-11-27", symbols: [Qqq, Spy]));

        // First slice: both sessions open, then the event, then the bars in symbol order.
        Assert.Equal(["session QQQ", "session SPY", "open 2024-11-27 09:31", "bar QQQ 2024-11-27 09:31", "bar SPY 2024-11-27 09:31"], probe.Calls.Take(5));
        var at10 = probe.Calls.IndexOf("half_hour 2024-11-27 10:00");
        Assert.Equal(["half_hour 2024-11-27 10:00", "ten 2024-11-27 10:00", "bar QQQ 2024-11-27 10:00"], probe.Calls.Skip(at10).Take(3));
        Assert.Single(probe.Fired("open"));
    }

    [Fact]
    public void WithFiveMinuteBars_AnInstantInsideABar_FiresAtTheEndOfThatBar_AndATimeBeforeTheOpenAtTheFirstSlice()
    {
        var probe = new Probe(s =>
        {
            s.At(new TimeOnly(10, 2), c => { });
            s.At(new TimeOnly(9, 0), c => { }, "early");
            s.AtSessionClose(c => { }, "close");
        });
        var (engine, _, _) = Build(probe, Timeframe.FiveMinutes);

        engine.Run(Session("2024-11-27", 5));

        Assert.Equal(["2024-11-27 10:05"], probe.Fired("At(10:02)"));
        Assert.Equal(["2024-11-27 09:35"], probe.Fired("early"));
        Assert.Equal(["2024-11-27 16:00"], probe.Fired("close"));
    }

    [Fact]
    public void AnInstantAfterAnEarlyClose_OrWithNoBarBeforeTheClose_IsMissed_AndLoggedOncePerEventAndDay()
    {
        var probe = new Probe(s =>
        {
            s.At(new TimeOnly(15, 45), c => { }, "late");
            s.BeforeClose(5, c => { }, "flat");
        });
        var (engine, _, log) = Build(probe);
        var noBarsAfter1554 = Session("2024-11-26", skip: t => t >= Ny("2024-11-26 15:54")); // the last bar ends 15:54

        engine.Run([.. noBarsAfter1554, .. Session("2024-11-27"), .. Session("2024-11-29")]);
        engine.Finish(engine.LastSliceTimeUtc); // the early close's miss is known once its session is over

        Assert.Equal(["2024-11-26 15:45", "2024-11-27 15:45"], probe.Fired("late"));
        Assert.Equal(["2024-11-27 15:55", "2024-11-29 12:55"], probe.Fired("flat"));
        var missed = Missed(log);
        Assert.Equal(2, missed.Count);
        Assert.Contains(missed, m => m.Contains("flat did not fire on 2024-11-26: no bar of the run ended between 15:55 and the close at 16:00", StringComparison.Ordinal));
        Assert.Contains(missed, m => m.Contains("late did not fire on 2024-11-29: due at 15:45, after the session's close at 13:00", StringComparison.Ordinal));
    }

    [Fact]
    public void ADaySkippedByTheData_IsNotReportedAsMissed()
    {
        var probe = new Probe(s => s.BeforeClose(5, c => { }, "flat"));
        var (engine, _, log) = Build(probe);

        engine.Run([.. Session("2024-11-25"), .. Session("2024-11-27")]); // no bars on the 26th

        Assert.Equal(["2024-11-25 15:55", "2024-11-27 15:55"], probe.Fired("flat"));
        Assert.Empty(Missed(log));
    }

    [Fact]
    public void EveryBars_FiresOnTheNthBarOfItsSymbol_CountingAcrossSessions()
    {
        var probe = new Probe(s => s.EveryBars(100, c => { }, "hundred", Qqq));
        var (engine, _, _) = Build(probe, symbols: [Qqq, Spy]);
        var qqqSkips = Session("2024-11-27", symbols: [Spy]);

        engine.Run([.. Session("2024-11-26", symbols: [Qqq, Spy]), .. qqqSkips, .. Session("2024-11-29", symbols: [Qqq, Spy])]);

        // QQQ has 390 bars on the 26th (100th at 11:10, 200th 12:50, 300th 14:30), none on the 27th, then 210 on the 29th.
        Assert.Equal(
            ["2024-11-26 11:10", "2024-11-26 12:50", "2024-11-26 14:30", "2024-11-29 09:40", "2024-11-29 11:20", "2024-11-29 13:00"],
            probe.Fired("hundred"));
    }

    [Fact]
    public void IntentsFromACallback_GoThroughTheOrderPath_SoAFlatBeforeTheCloseLeavesNoPositionOvernight()
    {
        var probe = new Probe(s =>
        {
            s.AfterOpen(5, c => c.EnterLong(Spy, "entry"), "enter");
            s.BeforeClose(5, c => c.Exit(Spy, "flat_before_close"), "flat");
        });
        var (engine, recorder, _) = Build(probe);

        engine.Run([.. Session("2024-11-27"), .. Session("2024-11-29")]);

        Assert.Equal(2, recorder.Trips.Count);
        Assert.All(recorder.Trips, t => Assert.Equal("flat_before_close", t.ExitReason));
        Assert.Equal(Ny("2024-11-27 09:35"), recorder.Trips[0].EntryTimeUtc); // decided at 09:35, filled at the next bar's open
        Assert.Equal(Ny("2024-11-27 15:55"), recorder.Trips[0].ExitTimeUtc);
        Assert.Equal(Ny("2024-11-29 12:55"), recorder.Trips[1].ExitTimeUtc);
        Assert.Equal(0m, engine.Portfolio.QuantityOf(Spy));
    }

    [Fact]
    public void ExtendedHours_AtNamesAPreMarketTime_AndAfterOpenCountsFromTheRegularOpen()
    {
        var probe = new Probe(s =>
        {
            s.At(new TimeOnly(8, 0), c => { }, "pre");
            s.AfterOpen(1, c => { }, "open1");
            s.AtSessionOpen(c => { }, "first");
        });
        var (engine, _, _) = Build(probe, extendedHours: true);
        var start = Ny("2024-11-27 07:00");
        var bars = Enumerable.Range(0, 180).Select(i => new Bar(Spy, start.AddMinutes(i), start.AddMinutes(i + 1), 100, 101, 99, 100, 10)).ToList();

        engine.Run(bars);

        Assert.Equal(["2024-11-27 08:00"], probe.Fired("pre"));
        Assert.Equal(["2024-11-27 09:31"], probe.Fired("open1"));
        Assert.Equal(["2024-11-27 07:01"], probe.Fired("first"));
    }

    [Fact]
    public void ACallbackThatThrows_StopsTheRunWithAStrategyExceptionNamingTheEvent()
    {
        var probe = new Probe(s => s.AfterOpen(10, c => throw new InvalidOperationException("boom"), "rebalance"));
        var (engine, _, _) = Build(probe);

        var e = Assert.Throws<StrategyException>(() => engine.Run(Session("2024-11-27")));

        Assert.Equal("rebalance", e.Callback);
        Assert.Equal(nameof(Probe), e.StrategyName);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("rebalance", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegisteringOutsideInitialize_Throws()
    {
        var probe = new Probe(_ => { }) { OnFirstBar = c => c.Schedule.AtSessionOpen(_ => { }) };
        var (engine, _, _) = Build(probe);

        var e = Assert.IsType<InvalidOperationException>(Assert.Throws<StrategyException>(() => engine.Run(Session("2024-11-27"))).InnerException);
        Assert.Contains("Initialize", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadArguments_AreRefusedAtRegistration()
    {
        Assert.IsType<ArgumentOutOfRangeException>(Assert.Throws<StrategyException>(() => Build(new Probe(s => s.AfterOpen(0, _ => { }))).Engine.Run(Session("2024-11-27"))).InnerException);
        Assert.IsType<ArgumentOutOfRangeException>(Assert.Throws<StrategyException>(() => Build(new Probe(s => s.BeforeClose(-1, _ => { }))).Engine.Run(Session("2024-11-27"))).InnerException);
        Assert.IsType<ArgumentOutOfRangeException>(Assert.Throws<StrategyException>(() => Build(new Probe(s => s.EveryBars(0, _ => { }))).Engine.Run(Session("2024-11-27"))).InnerException);
        Assert.IsType<ArgumentException>(Assert.Throws<StrategyException>(() => Build(new Probe(s => s.AtSessionOpen(_ => { }, symbol: Qqq))).Engine.Run(Session("2024-11-27"))).InnerException);
    }

    [Fact]
    public void WithEventsRegistered_ASliceAllocatesNothing()
    {
        var counter = 0;
        var quiet = new Quiet(s =>
        {
            s.At(new TimeOnly(10, 0), _ => counter++);
            s.BeforeClose(5, _ => counter++);
            s.EveryBars(7, _ => counter++);
            s.AtSessionClose(_ => counter++);
        });
        var portfolio = new Portfolio(100_000m);
        var exchange = new SimulatedExchange(new ExchangeSettings(), portfolio, _ => Nyse, [Spy]);
        var tm = new TradeManager(new TradeManagerSettings(), new RiskSettings(), exchange, portfolio, NullLogger.Instance);
        var engine = new TradingEngine(quiet, exchange, portfolio, tm, [Spy], _ => Nyse, new NullRecorder(), NullLogger.Instance, new EngineOptions());
        exchange.Listener = engine;
        var first = Session("2024-11-26").ToArray();
        var second = Session("2024-11-27").ToArray();
        engine.Run(first); // JIT, first session lookups

        var before = GC.GetAllocatedBytesForCurrentThread();
        engine.Run(second);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((2 * 3) + (780 / 7), counter); // each day At, BeforeClose, AtSessionClose; every 7th of 780 bars
        Assert.InRange(allocated, 0, 1024); // a session change may allocate a lookup once a day, never per bar
    }

    /// <summary>Registers in Initialize and records every call in order.</summary>
    private sealed class Probe(Action<IStrategySchedule> register) : IStrategy
    {
        private readonly List<(string Name, DateTime Time)> _fired = [];
        private bool _first = true;

        public List<string> Calls { get; } = [];

        public Action<IStrategyContext>? OnFirstBar { get; init; }

        public List<string> Fired(string name) => [.. _fired.Where(f => f.Name == name).Select(f => Local(f.Time))];

        public void Initialize(IStrategyContext context) => register(new Recording(context.Schedule, this));

        public void OnSessionOpen(Symbol symbol, TradingSession session, IStrategyContext context) => Calls.Add($"session {symbol}");

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            Calls.Add($"bar {bar.Symbol} {Local(bar.End)}");
            if (_first)
            {
                _first = false;
                OnFirstBar?.Invoke(context);
            }
        }

        /// <summary>Wraps each callback so the probe sees when it ran (the name the engine would give it by default too).</summary>
        private sealed class Recording(IStrategySchedule inner, Probe probe) : IStrategySchedule
        {
            public void At(TimeOnly exchangeTime, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null) =>
                inner.At(exchangeTime, Wrap(name ?? $"At({exchangeTime:HH\\:mm})", callback), name, symbol);

            public void AfterOpen(int minutes, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null) =>
                inner.AfterOpen(minutes, Wrap(name ?? $"AfterOpen({minutes})", callback), name, symbol);

            public void BeforeClose(int minutes, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null) =>
                inner.BeforeClose(minutes, Wrap(name ?? $"BeforeClose({minutes})", callback), name, symbol);

            public void AtSessionOpen(Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null) =>
                inner.AtSessionOpen(Wrap(name ?? "AtSessionOpen", callback), name, symbol);

            public void AtSessionClose(Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null) =>
                inner.AtSessionClose(Wrap(name ?? "AtSessionClose", callback), name, symbol);

            public void EveryBars(int bars, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null) =>
                inner.EveryBars(bars, Wrap(name ?? $"EveryBars({bars})", callback), name, symbol);

            private Action<IStrategyContext> Wrap(string name, Action<IStrategyContext> callback) => c =>
            {
                probe._fired.Add((name, c.TimeUtc));
                probe.Calls.Add($"{name} {Local(c.TimeUtc)}");
                callback(c);
            };
        }
    }

    private sealed class Quiet(Action<IStrategySchedule> register) : IStrategy
    {
        public void Initialize(IStrategyContext context) => register(context.Schedule);

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    private sealed class NullRecorder : IRunRecorder
    {
        public void OnBar(in Bar bar)
        {
        }

        public void OnOrderEvent(in OrderEvent orderEvent)
        {
        }

        public void OnRoundTrip(RoundTrip trip)
        {
        }

        public void OnEquity(in EquityPoint point)
        {
        }
    }
}
