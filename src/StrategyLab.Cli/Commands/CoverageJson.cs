using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Analysis;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// The <c>data info --json</c> document: one object per series with what the text output says (bars, first and last
/// bar, sessions covered, missing sessions, intraday gaps), times in ISO-8601 with the exchange's offset.
/// </summary>
internal static class CoverageJson
{
    /// <summary>Indented output, <c>+</c> and quotes left readable.</summary>
    public static JsonSerializerOptions Indented { get; } = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonObject Document(IEnumerable<(CoverageReport Report, string Source)> reports) =>
        new() { ["series"] = new JsonArray([.. reports.Select(r => (JsonNode)Series(r.Report, r.Source))]) };

    /// <summary>An instant as ISO-8601 with the exchange's offset: <c>2013-10-04T04:06:00-04:00</c>.</summary>
    public static string Time(IMarketCalendar calendar, DateTime utc) =>
        calendar.ToExchangeOffset(utc).ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    private static JsonObject Series(CoverageReport r, string source)
    {
        var calendar = MarketCalendars.For(r.Symbol);
        var hasRange = r.To >= r.From && r.From != DateOnly.MinValue;
        return new JsonObject
        {
            ["symbol"] = r.Symbol.Ticker,
            ["asset_class"] = r.Symbol.AssetClass == AssetClass.Crypto ? "crypto" : "equity",
            ["timeframe"] = r.Timeframe.ToString(),
            ["source"] = source,
            ["calendar"] = r.Calendar,
            ["bars"] = r.Bars,
            ["first_bar"] = r.First is { } first ? BarJson(calendar, first) : null,
            ["last_bar"] = r.Last is { } last ? BarJson(calendar, last) : null,
            ["from"] = hasRange ? Date(r.From) : null,
            ["to"] = hasRange ? Date(r.To) : null,
            ["trading_sessions"] = r.TradingSessions,
            ["sessions_covered"] = r.SessionsCovered,
            ["missing_session_count"] = r.MissingSessionCount,
            ["missing_sessions"] = new JsonArray([.. r.MissingSessions.Select(d => (JsonNode?)JsonValue.Create(Date(d)))]),
            ["gap_count"] = r.Timeframe.IsDaily ? null : r.GapCount,
            ["gap_total_minutes"] = r.Timeframe.IsDaily ? null : (decimal)r.GapTotal.TotalMinutes,
            ["gaps"] = new JsonArray([.. r.Gaps.Select(g => (JsonNode?)new JsonObject
            {
                ["session"] = Date(g.Session),
                ["start"] = Time(calendar, g.Start),
                ["end"] = Time(calendar, g.End),
                ["minutes"] = (decimal)g.Duration.TotalMinutes,
            })]),
            ["bars_off_calendar"] = r.BarsOffCalendar,
        };
    }

    private static JsonObject BarJson(IMarketCalendar calendar, Bar bar) => new()
    {
        ["start"] = Time(calendar, bar.Start),
        ["end"] = Time(calendar, bar.End),
        ["open"] = Trim(bar.Open),
        ["high"] = Trim(bar.High),
        ["low"] = Trim(bar.Low),
        ["close"] = Trim(bar.Close),
        ["volume"] = Trim(bar.Volume),
        ["trades"] = bar.TradeCount,
    };

    /// <summary>The same value without trailing zeros (183.8600 → 183.86), as the text output shows it.</summary>
    private static decimal Trim(decimal value) => value / 1.000000000000000000000000000000000m;

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
