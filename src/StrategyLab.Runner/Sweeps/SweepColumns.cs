using System.Globalization;
using StrategyLab.Core.Statistics;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Sweeps;

/// <summary>One statistic as a column of <c>sweep.csv</c>: its summary.json name, its text, and its value to rank by.</summary>
/// <param name="Name">The snake_case name, as in <c>summary.json</c>'s <c>statistics</c>.</param>
/// <param name="Text">The value as written (artifact number format), empty when undefined.</param>
/// <param name="Value">The value to rank by; null when undefined or not a number.</param>
/// <param name="LowerIsBetter">True for costs (drawdown, volatility, fees): an objective on them is minimised.</param>
public sealed record SweepColumn(string Name, Func<PerformanceStatistics, string> Text, Func<PerformanceStatistics, double?> Value, bool LowerIsBetter = false);

/// <summary>The statistics of a sweep row, in <c>summary.json</c> order, and the objective chosen among them.</summary>
public static class SweepColumns
{
    /// <summary>Every statistic, in <c>summary.json</c> order.</summary>
    public static IReadOnlyList<SweepColumn> All { get; } =
    [
        new("start_equity", s => Num(s.StartEquity), s => (double)s.StartEquity),
        new("end_equity", s => Num(s.EndEquity), s => (double)s.EndEquity),
        new("net_profit", s => Num(s.NetProfit), s => (double)s.NetProfit),
        new("trading_days", s => Num(s.TradingDays), s => s.TradingDays),
        new("total_return", s => Num(s.TotalReturn), s => s.TotalReturn),
        new("cagr", s => Num(s.Cagr), s => s.Cagr),
        new("annual_volatility", s => Num(s.AnnualVolatility), s => s.AnnualVolatility, LowerIsBetter: true),
        new("sharpe", s => Num(s.Sharpe), s => s.Sharpe),
        new("sortino", s => Num(s.Sortino), s => s.Sortino),
        new("risk_free_rate", s => Num(s.RiskFreeRate), s => s.RiskFreeRate),
        new("max_drawdown", s => Num(s.MaxDrawdown), s => s.MaxDrawdown, LowerIsBetter: true),
        new("longest_drawdown", s => s.LongestDrawdown.ToString("c", CultureInfo.InvariantCulture), s => s.LongestDrawdown.TotalSeconds, LowerIsBetter: true),
        new("longest_drawdown_trading_days", s => Num(s.LongestDrawdownTradingDays), s => s.LongestDrawdownTradingDays, LowerIsBetter: true),
        new("longest_drawdown_recovered", s => s.LongestDrawdownRecovered ? "true" : "false", _ => null),
        new("calmar", s => Num(s.Calmar), s => s.Calmar),
        new("trade_count", s => Num(s.TradeCount), s => s.TradeCount),
        new("winning_trades", s => Num(s.WinningTrades), s => s.WinningTrades),
        new("losing_trades", s => Num(s.LosingTrades), s => s.LosingTrades, LowerIsBetter: true),
        new("win_rate", s => Num(s.WinRate), s => s.WinRate),
        new("gross_profit", s => Num(s.GrossProfit), s => (double)s.GrossProfit),
        new("gross_loss", s => Num(s.GrossLoss), s => (double)s.GrossLoss),
        new("profit_factor", s => Num(s.ProfitFactor), s => s.ProfitFactor),
        new("average_win", s => Num(s.AverageWin), s => (double?)s.AverageWin),
        new("average_loss", s => Num(s.AverageLoss), s => (double?)s.AverageLoss),
        new("expectancy", s => Num(s.Expectancy), s => (double?)s.Expectancy),
        new("exposure", s => Num(s.Exposure), s => s.Exposure),
        new("total_fees", s => Num(s.TotalFees), s => (double)s.TotalFees, LowerIsBetter: true),
        new("fee_share_of_gross", s => Num(s.FeeShareOfGross), s => s.FeeShareOfGross, LowerIsBetter: true),
        new("fees_dominate", s => s.FeesDominate ? "true" : "false", _ => null),
    ];

    /// <summary>The objective named <paramref name="name"/> (default <c>sharpe</c>).</summary>
    /// <exception cref="ConfigException">Not a numeric statistic; names <paramref name="source"/>.</exception>
    public static SweepColumn Objective(string? name, string source = "--objective")
    {
        var key = (name ?? "sharpe").Trim().ToLowerInvariant().Replace('-', '_');
        return All.FirstOrDefault(c => c.Name == key && c.Name is not ("longest_drawdown_recovered" or "fees_dominate" or "start_equity" or "risk_free_rate"))
            ?? throw new ConfigException(source, $"unknown objective '{name}'. Known: {string.Join(", ", All.Where(c => c.Name is not ("longest_drawdown_recovered" or "fees_dominate" or "start_equity" or "risk_free_rate")).Select(c => c.Name))}.");
    }

    /// <summary>
    /// The rows best first by <paramref name="objective"/> (maximised, or minimised for a cost); rows without a value
    /// last; ties by index, so the order never depends on how the sweep ran.
    /// </summary>
    public static IReadOnlyList<SweepRow> Rank(IEnumerable<SweepRow> rows, SweepColumn objective)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(objective);
        var sign = objective.LowerIsBetter ? 1 : -1;
        return [.. rows
            .Select(r => (Row: r, Value: r.Statistics is { } s ? objective.Value(s) : null))
            .OrderBy(x => x.Value is null ? 1 : 0)
            .ThenBy(x => x.Value is { } v ? sign * v : 0)
            .ThenBy(x => x.Row.Index)
            .Select(x => x.Row)];
    }

    /// <summary>A number in the artifact format: up to 10 decimals, trailing zeros trimmed, -0 as 0.</summary>
    internal static string Num(decimal value) => Clean(value.ToString("0.##########", CultureInfo.InvariantCulture));

    /// <inheritdoc cref="Num(decimal)"/>
    internal static string Num(double value) => Clean(value.ToString("0.##########", CultureInfo.InvariantCulture));

    private static string Num(decimal? value) => value is { } v ? Num(v) : string.Empty;

    private static string Num(double? value) => value is { } v ? Num(v) : string.Empty;

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Clean(string text) => text == "-0" ? "0" : text;
}
