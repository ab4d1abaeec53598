using StrategyLab.Core.Domain;
using StrategyLab.Core.Statistics;

namespace StrategyLab.Runner.Configuration;

/// <summary>Validates the analytics keys of a configuration: <c>benchmark</c> and <c>rolling_sharpe_days</c>.</summary>
internal static class RunAnalyticsSettings
{
    /// <summary>The value of <c>benchmark</c> that turns the benchmark off.</summary>
    public const string None = "none";

    /// <summary>The benchmark: the configured symbol, the first traded symbol by default, null for <c>"none"</c>.</summary>
    /// <exception cref="ConfigException">The text is not a symbol.</exception>
    public static Symbol? Benchmark(RunConfig config, IReadOnlyList<Symbol> symbols, AssetClass? forced)
    {
        var text = config.Benchmark?.Trim();
        if (text is null)
        {
            return symbols[0];
        }

        if (text.Equals(None, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (text.Length == 0)
        {
            throw new ConfigException("benchmark", $"give a symbol the data source has (\"SPY\") or \"{None}\".");
        }

        try
        {
            var symbol = forced is { } ac ? Symbol.Create(text, ac) : Symbol.Parse(text);

            // The run's own instance when it trades the benchmark, so the recorder's bar check is a reference comparison.
            return symbols.FirstOrDefault(s => s.Equals(symbol)) ?? symbol;
        }
        catch (ArgumentException e)
        {
            throw new ConfigException("benchmark", e.Message);
        }
    }

    /// <summary>The statistics' settings.</summary>
    /// <exception cref="ConfigException"><c>rolling_sharpe_days</c> is below 2.</exception>
    public static StatisticsOptions Statistics(RunConfig config)
    {
        if (config.RollingSharpeDays < 2)
        {
            throw new ConfigException("rolling_sharpe_days", $"must be at least 2 trading days, got {config.RollingSharpeDays}.");
        }

        return new StatisticsOptions { RollingSharpeDays = config.RollingSharpeDays };
    }
}
