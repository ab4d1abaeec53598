using Microsoft.Extensions.Logging;
using StrategyLab.Core.Statistics;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Data;

/// <summary>The benchmark's bars when it is not one of the run's symbols: read from the run's own historical source.</summary>
internal static class BenchmarkData
{
    /// <summary>
    /// The recorder of a run's statistics with its benchmark: <see cref="ResolvedRun.Benchmark"/> when the run trades
    /// it (its bars come with the run's) or reads history (backtest, replay: its bars are read here, before the run);
    /// a live run benchmarks only against a symbol it trades.
    /// </summary>
    /// <exception cref="ConfigException">The source has no bars of the benchmark in the run's range (names <c>benchmark</c>).</exception>
    public static StatisticsRecorder Recorder(ResolvedRun run, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(run);
        var primary = run.CalendarOf(run.Symbols[0]);
        var benchmark = run.Benchmark;
        var traded = benchmark is not null && run.Symbols.Contains(benchmark);
        if (benchmark is not null && !traded && run.Mode == Reporting.RunMode.Live)
        {
            benchmark = null;
        }

        var statistics = new StatisticsRecorder(run.Config.Exchange.InitialCash, primary, benchmark);
        if (statistics.Benchmark is { } recorder && !traded)
        {
            HistoricalData data;
            try
            {
                data = HistoricalDataFactory.Open(run with { Symbols = [recorder.Symbol] }, loggers);
            }
            catch (ConfigException e)
            {
                throw new ConfigException("benchmark", $"'{recorder.Symbol.Ticker}' cannot be read from the data source: {e.Message}");
            }

            // As the engine does with a traded symbol's bars: those outside the sessions are left out.
            var calendar = run.CalendarOf(recorder.Symbol);
            var extended = run.Config.MarketHours.ExtendedHours;
            foreach (var bar in data.Bars)
            {
                if (calendar.SessionAt(bar.Start, extended) is not null)
                {
                    recorder.OnBar(bar);
                }
            }

            if (recorder.FirstPrice is null)
            {
                throw new ConfigException("benchmark", $"the data source has no bars of '{recorder.Symbol.Ticker}' in the run's range; name a symbol it has, or \"none\".");
            }
        }

        return statistics;
    }
}
