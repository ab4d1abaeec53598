using BenchmarkDotNet.Attributes;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Synthetic;

namespace StrategyLab.Benchmarks;

/// <summary>
/// The aggregation hot paths, per event: trades into 1m bars (live mode), 1m bars into 5m bars (backtests on a larger
/// timeframe), the window lookup alone, and the synthetic market's 1m bar generation.
/// </summary>
[MemoryDiagnoser]
public class AggregationBenchmarks
{
    private TradePrint[] _trades = [];
    private Bar[] _minutes = [];
    private DateTime[] _instants = [];

    /// <summary>Pre-generates a week of synthetic trades and 1m bars for 10 symbols (outside the measurement).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var market = new SyntheticMarket(new SyntheticMarketOptions
        {
            Seed = 1,
            Symbols = SyntheticMarket.DefaultSymbols(10),
            From = new DateOnly(2024, 3, 4),
            To = new DateOnly(2024, 3, 8),
            TradeIds = true,
        });
        _trades = [.. market.Trades()];
        _minutes = [.. market.MinuteBars()];
        _instants = [.. _trades.Select(t => t.Time)];
    }

    /// <summary>Per trade: AdvanceTo(trade time) then Add, 1m bars with a 2 s grace and duplicate ids checked.</summary>
    [Benchmark]
    public long TradesToOneMinute_PerTrade()
    {
        var aggregator = new TradeBarAggregator(
            NyseCalendar.Instance, new TradeBarAggregatorOptions { Timeframe = Timeframe.OneMinute, Grace = TimeSpan.FromSeconds(2) });
        var sink = new CountingSink();
        foreach (var trade in _trades)
        {
            aggregator.AdvanceTo(trade.Time, sink);
            aggregator.Add(trade);
        }

        aggregator.Flush(sink);
        return sink.Count;
    }

    /// <summary>Per 1m bar: resampled into 5m bars.</summary>
    [Benchmark]
    public long OneMinuteToFiveMinutes_PerBar()
    {
        var resampler = new BarResampler(NyseCalendar.Instance, Timeframe.FiveMinutes);
        var sink = new CountingSink();
        foreach (var bar in _minutes)
        {
            resampler.Add(bar, sink);
        }

        resampler.Flush(sink);
        return sink.Count;
    }

    /// <summary>Per instant: the 1m window lookup (cached segment).</summary>
    [Benchmark]
    public long WindowLookup_PerInstant()
    {
        var windows = new BarWindows(NyseCalendar.Instance, Timeframe.OneMinute);
        var sum = 0L;
        foreach (var t in _instants)
        {
            if (windows.TryGetWindow(t, out var w))
            {
                sum += w.End.Ticks;
            }
        }

        return sum;
    }

    /// <summary>Per bar: a year of 1m bars for 10 symbols (982,800 bars) generated and enumerated.</summary>
    [Benchmark]
    public long SyntheticMinuteBars_Year10Symbols()
    {
        var market = new SyntheticMarket(new SyntheticMarketOptions
        {
            Seed = 1,
            Symbols = SyntheticMarket.DefaultSymbols(10),
            From = new DateOnly(2015, 1, 1),
            To = new DateOnly(2015, 12, 31),
        });
        var count = 0L;
        foreach (var bar in market.MinuteBars())
        {
            count += bar.TradeCount!.Value;
        }

        return count;
    }

    private sealed class CountingSink : IBarSink
    {
        public long Count { get; private set; }

        public void OnBar(in Bar bar) => Count++;
    }
}
