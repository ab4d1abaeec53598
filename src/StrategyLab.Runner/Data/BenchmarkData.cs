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
    public static StatisticsRecorder Recorder(ResolvedRun run, ILoggerFactory loggers) =>
        Recorder(run, ReadUntraded(run, loggers));

    /// <summary>
    /// The recorder of a run's statistics fed with <paramref name="benchmarkBars"/>, the benchmark's bars read before
    /// (<see cref="ReadUntraded"/>; a sweep reads them once for all its runs); null when the run trades its benchmark,
    /// has none, or is live.
    /// </summary>
    public static StatisticsRecorder Recorder(ResolvedRun run, IEnumerable<Core.Domain.Bar>? benchmarkBars)
    {
        ArgumentNullException.ThrowIfNull(run);
        var primary = run.CalendarOf(run.Symbols[0]);
        var statistics = new StatisticsRecorder(run.Config.Exchange.InitialCash, primary, BenchmarkOf(run));
        if (statistics.Benchmark is { } recorder && benchmarkBars is not null)
        {
            foreach (var bar in benchmarkBars)
            {
                recorder.OnBar(bar);
            }
        }

        return statistics;
    }

    /// <summary>
    /// The in-session bars of the run's benchmark when the run does not trade it and reads history; null otherwise.
    /// </summary>
    /// <exception cref="ConfigException">The source has no bars of the benchmark in the run's range (names <c>benchmark</c>).</exception>
    public static Core.Domain.Bar[]? ReadUntraded(ResolvedRun run, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (BenchmarkOf(run) is not { } benchmark || run.Symbols.Contains(benchmark))
        {
            return null;
        }

        HistoricalData data;
        try
        {
            data = HistoricalDataFactory.Open(run with { Symbols = [benchmark] }, loggers);
        }
        catch (ConfigException e)
        {
            throw new ConfigException("benchmark", $"'{benchmark.Ticker}' cannot be read from the data source: {e.Message}");
        }

        // As the engine does with a traded symbol's bars: those outside the sessions are left out.
        var calendar = run.CalendarOf(benchmark);
        var extended = run.Config.MarketHours.ExtendedHours;
        var bars = new List<Core.Domain.Bar>();
        foreach (var bar in data.Bars)
        {
            if (calendar.SessionAt(bar.Start, extended) is not null)
            {
                bars.Add(bar);
            }
        }

        if (bars.Count == 0)
        {
            throw new ConfigException("benchmark", $"the data source has no bars of '{benchmark.Ticker}' in the run's range; name a symbol it has, or \"none\".");
        }

        return [.. bars];
    }

    /// <summary>The run's benchmark, or null for a live run that does not trade it (no feed for it).</summary>
    private static Core.Domain.Symbol? BenchmarkOf(ResolvedRun run) =>
        run.Benchmark is { } benchmark && (run.Mode != Reporting.RunMode.Live || run.Symbols.Contains(benchmark)) ? benchmark : null;
}
