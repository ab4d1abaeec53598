using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Examples;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Examples;

/// <summary>
/// examples/vwap-reversion: the strategy (compiled into this project from the example's file) over the real LEAN SPY
/// minutes of 2013-10-04..10-11 (../shared/data/lean), the settings of the example's run.json.
/// </summary>
public sealed class VwapReversionExampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-vwapex-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ResolvedRun LeanRun()
    {
        var lean = TestPaths.RequireLean().Replace("\\", "/", StringComparison.Ordinal);
        var path = Path.Combine(_dir, "run.json");
        File.WriteAllText(path, $$"""
            { "data": { "provider": "lean", "path": "{{lean}}", "symbols": ["SPY"], "timeframe": "1m", "from": "2013-10-04", "to": "2013-10-11" },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 100 } }
            """);
        var (config, effective) = ConfigLoader.Load(path);
        return ResolvedRun.Resolve(config, effective);
    }

    [Fact]
    public void OverRealSpyMinutes_ItTrades_AndHoldsNothingAcrossAClose()
    {
        var run = LeanRun();
        var strategy = new VwapReversion();
        strategy.ValidateParameters(new StrategySetup(run.Timeframe, run.Symbols));
        var recorder = new RecordingRecorder();

        var outcome = BacktestRunner.Run(run, Path.Combine(_dir, "out"), NullLoggerFactory.Instance, recorder, TestContext.Current.CancellationToken, strategy);

        Assert.NotEmpty(recorder.Trips);
        var nyse = NyseCalendar.Instance;
        var days = recorder.Bars.Select(b => DateOnly.FromDateTime(nyse.ToExchangeTime(b.Start))).Distinct().ToList();
        Assert.Equal(6, days.Count);
        foreach (var trip in recorder.Trips)
        {
            var entryDay = DateOnly.FromDateTime(nyse.ToExchangeTime(trip.EntryTimeUtc));
            var session = nyse.GetSession(entryDay)!;
            Assert.Equal(entryDay, DateOnly.FromDateTime(nyse.ToExchangeTime(trip.ExitTimeUtc)));
            Assert.True(trip.ExitTimeUtc <= session.RegularClose.AddMinutes(-10), $"{trip.Symbol} exited {trip.ExitTimeUtc:O}, after the flat time");
        }

        // At the last mark of every session, nothing is open.
        foreach (var day in recorder.Equity.GroupBy(p => DateOnly.FromDateTime(nyse.ToExchangeTime(p.TimeUtc.AddTicks(-1)))))
        {
            var last = day.MaxBy(p => p.TimeUtc);
            Assert.True(last.OpenPositions == 0, string.Create(CultureInfo.InvariantCulture, $"{last.OpenPositions} position(s) open at {last.TimeUtc:O}"));
        }

        Assert.Contains(recorder.Trips, t => t.ExitReason == "back_at_vwap");
        Assert.Contains(recorder.Trips, t => t.ExitReason == "flat_before_close"); // the scheduled flat closed some
        Assert.Equal(outcome.Counters.Fills, recorder.Fills.Count);
    }

    [Fact]
    public void AFlatTimeNotLongerThanABar_IsRefusedNamingTheParameter()
    {
        var strategy = new VwapReversion { FlatMinutesBeforeClose = 5 };
        var e = Assert.Throws<StrategyConfigurationException>(() => strategy.ValidateParameters(new StrategySetup(Timeframe.FiveMinutes, [Symbol.Equity("SPY")])));
        Assert.Contains("flat_minutes_before_close", e.Message + e.Key, StringComparison.Ordinal);
    }
}
