using System.Globalization;
using StrategyLab.Core.Engine;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner;

/// <summary>Checks a backtest or replay makes on its data, so a run that cannot say anything fails with a reason instead of a 0-trade summary.</summary>
public static class RunChecks
{
    /// <summary>
    /// The error of a backtest or replay whose source gave no bar to act on: none at all in the range, or only bars
    /// outside the sessions. Names the key to look at (<c>data.from</c> when a range is set, <c>data.symbols</c>
    /// otherwise, <c>market_hours.extended_hours</c> when every bar was pre-market or after-hours).
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="source">What the source is (e.g. <c>CSV 1m bars from x.csv</c>).</param>
    /// <param name="outside">The bars left out as outside the sessions, if any were read.</param>
    public static ConfigException NoBars(ResolvedRun run, string source, OutsideSessionBars? outside)
    {
        ArgumentNullException.ThrowIfNull(run);
        var symbols = string.Join(", ", run.Symbols.Select(s => s.Ticker));
        var range = run.From is null && run.To is null
            ? "any date"
            : string.Create(CultureInfo.InvariantCulture, $"{run.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "the start"}..{run.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "the end"}");
        var rangeKey = run.From is null && run.To is null ? "data.symbols" : "data.from";
        if (outside is { Count: > 0 } o)
        {
            var extendedOnly = o[OutsideSessionKind.ExtendedHours].Count == o.Count;
            return new ConfigException(
                extendedOnly ? "market_hours.extended_hours" : rangeKey,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"every bar of {symbols} for {range} in {source} lies outside the trading sessions ({o.Count} left out{(extendedOnly ? ", all pre-market or after-hours; set market_hours.extended_hours: true to trade them" : "; see data.bars.outside_session")}): nothing to trade."));
        }

        return new ConfigException(
            rangeKey,
            string.Create(
                CultureInfo.InvariantCulture,
                $"no bars of {symbols} for {range} in {source}: check data.symbols, data.from and data.to against what the source holds."));
    }
}
