using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace StrategyLab.Tests.Reporting;

/// <summary>Hand-made run folders and small readers of a rendered page, separate from the code under test.</summary>
internal static partial class ReportTestSupport
{
    /// <summary>Text meant to break out of HTML, attributes, scripts and comments if it were not escaped.</summary>
    public const string Evil = "</script><img src=x onerror=alert(1)><!--\"'&amp;";

    /// <summary>
    /// A run folder written by hand: start equity 1,000; marks on 2024-01-31 (1,100), 02-15 (1,050), 02-29 (990),
    /// 03-28 (1,089) at 16:00 New York; a symbol <c>X"Y</c> with six minute bars on 2024-01-31, two fills and one trade
    /// whose reason and tag carry <see cref="Evil"/>; a stop-loss order; and a configuration with an API key.
    /// </summary>
    public static void WriteHandMadeRun(string folder, bool withSummary = true)
    {
        Directory.CreateDirectory(folder);
        if (withSummary)
        {
            var summary = new JsonObject
            {
                ["engine"] = new JsonObject { ["name"] = "Strategy Lab", ["version"] = "test" },
                ["mode"] = "backtest",
                ["configuration"] = new JsonObject
                {
                    ["strategy"] = new JsonObject { ["name"] = "orb" + Evil },
                    ["data"] = new JsonObject { ["symbols"] = new JsonArray("X\"Y") },
                    ["providers"] = new JsonObject { ["finnhub"] = new JsonObject { ["api_key"] = "sekret-123", ["ws_url"] = "wss://example.invalid" } },
                },
                ["data"] = new JsonObject { ["source"] = "hand " + Evil, ["synthetic"] = false, ["label"] = null },
                ["period"] = new JsonObject { ["first_bar_start"] = "2024-01-31T09:30:00-05:00", ["last_bar_end"] = "2024-03-28T16:00:00-04:00" },
                ["statistics"] = new JsonObject
                {
                    ["start_equity"] = 1000,
                    ["end_equity"] = 1089,
                    ["net_profit"] = 89,
                    ["total_return"] = 0.089,
                    ["sharpe"] = null,
                    ["max_drawdown"] = 0.1,
                    ["longest_drawdown"] = "28.00:00:00",
                    ["longest_drawdown_recovered"] = false,
                    ["trade_count"] = 1,
                    ["win_rate"] = 1,
                    ["future_statistic"] = 42,
                },
                ["counts"] = new JsonObject { ["cycles"] = 4, ["fills"] = 2, ["final_equity"] = 1089 },
                ["open_positions"] = new JsonArray(),
            };
            File.WriteAllText(Path.Combine(folder, "summary.json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        File.WriteAllText(Path.Combine(folder, "equity.csv"),
            "time,cash,positions_value,equity\n" +
            "2024-01-31T16:00:00-05:00,1100,0,1100\n" +
            "2024-02-15T16:00:00-05:00,1050,0,1050\n" +
            "2024-02-29T16:00:00-05:00,990,0,990\n" +
            "2024-03-28T16:00:00-04:00,1089,0,1089\n");
        var bars = "symbol,start,end,open,high,low,close,volume,trades\n";
        for (var i = 0; i < 6; i++)
        {
            bars += string.Create(CultureInfo.InvariantCulture, $"\"X\"\"Y\",2024-01-31T09:3{i}:00-05:00,2024-01-31T09:3{i + 1}:00-05:00,{10 + i},{11 + i},{9 + i},{10.5m + i},{100 + i},\n");
        }

        File.WriteAllText(Path.Combine(folder, "bars.csv"), bars);
        var tag = "\"" + Evil.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        File.WriteAllText(Path.Combine(folder, "fills.csv"),
            "time,order_id,symbol,side,qty,price,commission,tag\n" +
            "2024-01-31T09:31:00-05:00,1,\"X\"\"Y\",buy,3,11,1,entry\n" +
            $"2024-01-31T09:34:00-05:00,3,\"X\"\"Y\",sell,3,14.5,1,{tag}\n");
        File.WriteAllText(Path.Combine(folder, "trades.csv"),
            "symbol,side,qty,entry_time,entry_price,exit_time,exit_price,pnl,commission,exit_reason\n" +
            $"\"X\"\"Y\",long,3,2024-01-31T09:31:00-05:00,11,2024-01-31T09:34:00-05:00,14.5,10.5,2,{tag}\n");
        File.WriteAllText(Path.Combine(folder, "orders.csv"),
            "id,client_order_id,created_time,symbol,side,type,qty,limit_price,stop_price,tif,tag,oco_group,status,filled_qty,avg_fill_price,commission,reject_reason,updated_time\n" +
            "1,SL-1,2024-01-31T09:31:00-05:00,\"X\"\"Y\",buy,market,3,,,day,entry,,filled,3,11,1,,2024-01-31T09:31:00-05:00\n" +
            "2,SL-2,2024-01-31T09:31:00-05:00,\"X\"\"Y\",sell,stop,3,,10.78,gtc,stop_loss,oco-1,canceled,0,,0,,2024-01-31T09:34:00-05:00\n" +
            $"3,SL-3,2024-01-31T09:34:00-05:00,\"X\"\"Y\",sell,market,3,,,day,{tag},,filled,3,14.5,1,,2024-01-31T09:34:00-05:00\n");
    }

    /// <summary>The JSON data block of a page (<c>&lt;script type="application/json" id="…"&gt;</c>), parsed.</summary>
    public static JsonNode DataBlock(string html, string id = "report-data")
    {
        var open = $"<script type=\"application/json\" id=\"{id}\">";
        var start = html.IndexOf(open, StringComparison.Ordinal);
        Assert.True(start >= 0, "no data block " + id);
        start += open.Length;
        var end = html.IndexOf("</script>", start, StringComparison.Ordinal);
        return JsonNode.Parse(html[start..end])!;
    }

    /// <summary>The text of the table cell with <c>data-period="…"</c>.</summary>
    public static string PeriodCell(string html, string period)
    {
        var m = Regex.Match(html, $"data-period=\"{Regex.Escape(period)}\"[^>]*>(?:<span class=\"day\">[^<]*</span>)?([^<]*)</td>");
        Assert.True(m.Success, "no cell for " + period);
        return m.Groups[1].Value;
    }

    /// <summary>The value cell of the statistics row with <c>data-key="…"</c> (the first such row).</summary>
    public static string StatCell(string html, string key)
    {
        var m = Regex.Match(html, $"<tr data-key=\"{Regex.Escape(key)}\"><th>[^<]*</th><td[^>]*>([^<]*)</td>");
        Assert.True(m.Success, "no statistics row for " + key);
        return m.Groups[1].Value;
    }

    /// <summary>
    /// Every place where the page could make the browser load something from a network address: <c>src=</c>,
    /// <c>href=</c>, <c>url(</c> with an <c>http(s)://</c> or protocol-relative <c>//</c> target, and any
    /// <c>fetch(</c>, <c>import</c>, <c>XMLHttpRequest</c>, <c>WebSocket</c>, <c>EventSource</c>, <c>sendBeacon</c>,
    /// <c>&lt;link</c>, <c>&lt;iframe</c>. Each hit is the matched text with some context.
    /// </summary>
    public static List<string> NetworkReferences(string html)
    {
        var hits = new List<string>();
        foreach (Match m in LoadingAttribute().Matches(html))
        {
            hits.Add(Context(html, m.Index));
        }

        foreach (Match m in LoadingCall().Matches(html))
        {
            hits.Add(Context(html, m.Index));
        }

        return hits;
    }

    private static string Context(string text, int index) => text.Substring(Math.Max(0, index - 40), Math.Min(120, text.Length - Math.Max(0, index - 40)));

    [GeneratedRegex("""(?:\b(?:src|href|action|poster|data)\s*=\s*|url\(\s*)["'`]?\s*(?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex LoadingAttribute();

    [GeneratedRegex("""\bfetch\s*\(|\bimport\b|XMLHttpRequest|\bWebSocket\b|\bEventSource\b|sendBeacon|<link\b|<iframe\b|<object\b|<embed\b""", RegexOptions.IgnoreCase)]
    private static partial Regex LoadingCall();
}
