using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StrategyLab.Reporting;

/// <summary>
/// How the keys of <c>summary.json</c>'s <c>statistics</c> and <c>counts</c> are shown to a person: a label and a
/// formatted value (percent, money, ratio, count, duration). Shared by the HTML report, the compare page and the
/// terminal tables so they all say the same. Unknown keys get their key as label and their raw value.
/// </summary>
public static class StatisticDisplay
{
    private static readonly Dictionary<string, (string Label, Kind Kind)> Known = new(StringComparer.Ordinal)
    {
        ["start_equity"] = ("Start equity", Kind.Money),
        ["end_equity"] = ("End equity", Kind.Money),
        ["net_profit"] = ("Net profit", Kind.Money),
        ["trading_days"] = ("Trading days", Kind.Count),
        ["total_return"] = ("Total return", Kind.Percent),
        ["cagr"] = ("CAGR", Kind.Percent),
        ["annual_volatility"] = ("Annual volatility", Kind.Percent),
        ["sharpe"] = ("Sharpe", Kind.Ratio),
        ["sortino"] = ("Sortino", Kind.Ratio),
        ["risk_free_rate"] = ("Risk-free rate", Kind.Percent),
        ["max_drawdown"] = ("Max drawdown", Kind.NegativePercent),
        ["longest_drawdown"] = ("Longest drawdown", Kind.Duration),
        ["longest_drawdown_trading_days"] = ("Longest drawdown (trading days)", Kind.Count),
        ["longest_drawdown_recovered"] = ("Longest drawdown recovered", Kind.YesNo),
        ["calmar"] = ("Calmar", Kind.Ratio),
        ["rolling_sharpe_days"] = ("Rolling Sharpe window (trading days)", Kind.Count),
        ["benchmark"] = ("Benchmark", Kind.Raw),
        ["benchmark_return"] = ("Benchmark return", Kind.Percent),
        ["alpha"] = ("Alpha (annual)", Kind.Percent),
        ["beta"] = ("Beta", Kind.Ratio),
        ["correlation"] = ("Correlation", Kind.Ratio),
        ["tracking_error"] = ("Tracking error", Kind.Percent),
        ["information_ratio"] = ("Information ratio", Kind.Ratio),
        ["trade_count"] = ("Trades", Kind.Count),
        ["winning_trades"] = ("Winning trades", Kind.Count),
        ["losing_trades"] = ("Losing trades", Kind.Count),
        ["win_rate"] = ("Win rate", Kind.Percent),
        ["gross_profit"] = ("Gross profit", Kind.Money),
        ["gross_loss"] = ("Gross loss", Kind.Money),
        ["profit_factor"] = ("Profit factor", Kind.Ratio),
        ["average_win"] = ("Average win", Kind.Money),
        ["average_loss"] = ("Average loss", Kind.Money),
        ["expectancy"] = ("Expectancy", Kind.Money),
        ["exposure"] = ("Exposure", Kind.Percent),
        ["total_fees"] = ("Fees", Kind.Money),
        ["fee_share_of_gross"] = ("Fees / P&L before fees", Kind.Percent),
        ["fees_dominate"] = ("Fees exceed 1/3 of P&L before fees", Kind.YesNo),
        ["average_mae"] = ("Average MAE", Kind.Money),
        ["average_mfe"] = ("Average MFE", Kind.Money),
        ["average_holding_time"] = ("Average holding time", Kind.Duration),
        ["median_holding_time"] = ("Median holding time", Kind.Duration),
        ["cycles"] = ("Cycles", Kind.Count),
        ["bars"] = ("Bars", Kind.Count),
        ["bars_dropped"] = ("Bars dropped", Kind.Count),
        ["equity_marks"] = ("Equity marks", Kind.Count),
        ["orders"] = ("Orders", Kind.Count),
        ["fills"] = ("Fills", Kind.Count),
        ["rejections"] = ("Rejected orders", Kind.Count),
        ["round_trips"] = ("Round trips", Kind.Count),
        ["open_positions"] = ("Open positions", Kind.Count),
        ["final_equity"] = ("Final equity", Kind.Money),
        ["final_cash"] = ("Final cash", Kind.Money),
    };

    private enum Kind
    {
        Raw,
        Money,
        Percent,
        NegativePercent,
        Ratio,
        Count,
        Duration,
        YesNo,
    }

    /// <summary>The label of a key (<c>max_drawdown</c> → <c>Max drawdown</c>); the key itself when unknown.</summary>
    public static string Label(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Known.TryGetValue(key, out var k) ? k.Label : key;
    }

    /// <summary>
    /// The value of a key as a person reads it: <c>-0.14 %</c>, <c>99,861.47</c>, <c>1.23</c>, <c>8,190</c>,
    /// <c>29 d 06:06:00</c>, <c>23.0 years (8,395 days)</c>, <c>yes</c>; <c>n/a</c> for null. The drawdown is shown negative.
    /// </summary>
    public static string Format(string key, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (value is null)
        {
            return "n/a";
        }

        var kind = Known.TryGetValue(key, out var k) ? k.Kind : Kind.Raw;
        if (value is not JsonValue v)
        {
            return value.ToJsonString();
        }

        switch (v.GetValueKind())
        {
            case JsonValueKind.Number when v.TryGetValue<decimal>(out var d):
                return kind switch
                {
                    Kind.Money => Money(d),
                    Kind.Percent => Percent(d),
                    Kind.NegativePercent => Percent(-d),
                    Kind.Ratio => d.ToString("0.00", CultureInfo.InvariantCulture),
                    Kind.Count => d.ToString("#,##0.##########", CultureInfo.InvariantCulture),
                    _ => d.ToString(CultureInfo.InvariantCulture),
                };
            case JsonValueKind.True:
                return "yes";
            case JsonValueKind.False:
                return "no";
            case JsonValueKind.String when v.TryGetValue<string>(out var s):
                return kind == Kind.Duration ? Duration(s) : s;
            default:
                return v.ToJsonString();
        }
    }

    /// <summary>
    /// Which way is better for a key, to mark the best of several runs: 1 when higher is better (returns, ratios, win
    /// rate), −1 when lower is better (drawdown, volatility, fees), 0 when neither (counts, equity levels).
    /// </summary>
    public static int Preference(string key) => key switch
    {
        "net_profit" or "total_return" or "cagr" or "sharpe" or "sortino" or "calmar" or "win_rate" or "profit_factor" or "expectancy"
            or "alpha" or "information_ratio"
            or "average_win" or "average_loss" or "end_equity" or "final_equity" => 1,
        "max_drawdown" or "annual_volatility" or "total_fees" or "longest_drawdown_trading_days" or "tracking_error" => -1,
        _ => 0,
    };

    /// <summary>Money: two decimals with thousands separators (<c>-1,234.50</c>).</summary>
    public static string Money(decimal value) => value.ToString("#,##0.00;-#,##0.00;0.00", CultureInfo.InvariantCulture);

    /// <summary>A fraction as a percent with two decimals (<c>0.0123</c> → <c>1.23 %</c>).</summary>
    public static string Percent(decimal fraction) =>
        (fraction * 100m).ToString("0.00;-0.00;0.00", CultureInfo.InvariantCulture) + " %";

    /// <summary>
    /// A summary duration (<c>[d.]hh:mm:ss</c>) as a person reads it: <c>06:06:00</c>, <c>29 d 06:06:00</c> under a
    /// month, whole days beyond (<c>45 days</c>) and years too from a year on (<c>23.0 years (8,395 days)</c>), where
    /// the hours no longer matter; other text unchanged.
    /// </summary>
    public static string Duration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var span))
        {
            return text;
        }

        if (span.Days >= 365)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays / 365.25:0.0} years ({span.TotalDays:#,##0} days)");
        }

        if (span.Days >= 30)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:#,##0} days");
        }

        var clock = span.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
        return span.Days > 0 ? string.Create(CultureInfo.InvariantCulture, $"{span.Days} d {clock}") : clock;
    }
}
