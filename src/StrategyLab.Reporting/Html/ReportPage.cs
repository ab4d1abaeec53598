using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StrategyLab.Reporting.Reading;
using static StrategyLab.Reporting.Html.HtmlText;

namespace StrategyLab.Reporting.Html;

/// <summary>Renders one run as the report page (see <see cref="HtmlReport"/>), from its files or from memory alike.</summary>
internal sealed partial class ReportPage
{
    /// <summary>Candles of all symbols together the page shows at most; each symbol gets a share, within [1 000, 10 000].</summary>
    public const int CandleBudget = 60_000;

    /// <summary>Fills per symbol up to which each marker carries its reason as a label (beyond, the tooltip only).</summary>
    public const int LabelledMarkersPerSymbol = 150;

    /// <summary>Fill markers of all symbols together the page shows at most; each symbol gets a share, within [1 000, <see cref="ReportData.MaxFillsPerSymbol"/>].</summary>
    public const int FillMarkerBudget = 20_000;

    /// <summary>Resting orders of all symbols together whose levels the page draws at most; each symbol gets a share, within [500, <see cref="ReportData.MaxLevelOrdersPerSymbol"/>].</summary>
    public const int LevelOrderBudget = 10_000;

    /// <summary>Trading days up to which the daily returns are shown as well as the monthly ones.</summary>
    public const int DailyReturnsUpToDays = 66;

    private static readonly string[] MonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] KpiKeys = ["net_profit", "total_return", "cagr", "sharpe", "max_drawdown", "win_rate", "profit_factor", "trade_count"];

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly ReportData _run;
    private readonly bool _symbolsAhead;
    private readonly StringBuilder _html = new(1 << 16);

    // Where the page goes when it is written rather than rendered as text: the HTML is built a section at a time in
    // _html and encoded into _text; the data JSON and the inlined assets go to _stream as UTF-8 bytes directly.
    private Stream? _stream;
    private StreamWriter? _text;

    /// <summary>A page of <paramref name="run"/>.</summary>
    /// <param name="run">What the page draws.</param>
    /// <param name="symbolsAhead">Render the next symbol's JSON on another thread while this one writes the current (the same bytes); false for one thread.</param>
    public ReportPage(ReportData run, bool symbolsAhead = true)
    {
        _run = run;
        _symbolsAhead = symbolsAhead;
    }

    /// <summary>The page as text.</summary>
    public string Render()
    {
        Build();
        return _html.ToString();
    }

    /// <summary>
    /// Writes the page to <paramref name="stream"/> as UTF-8 (no byte order mark): the same bytes as <see cref="Render"/>
    /// encoded, written a section at a time, so the page is never one string in memory and its data block and scripts
    /// are never decoded into text.
    /// </summary>
    public void WriteTo(Stream stream)
    {
        _stream = stream;
        _text = new StreamWriter(stream, Utf8, 1 << 16, leaveOpen: true);
        try
        {
            Build();
            _text.Flush();
        }
        finally
        {
            _text.Dispose();
            _text = null;
            _stream = null;
        }
    }

    private void Build()
    {
        var summary = _run.Summary;
        var mode = summary?.Mode ?? "run";
        var strategy = summary?.StrategyName;
        var symbols = SymbolsOfRun();
        var title = $"Strategy Lab — {mode} report" + (strategy is null ? string.Empty : " — " + strategy);

        Open(title);
        Header(summary, mode, strategy, symbols);
        Kpis(summary);
        EquitySection();
        StatisticsSection(summary);
        AttributionSection();
        TradeQualitySection();
        Flush();
        ReturnsSection();
        CandleSection(symbols);
        PlotsSection();
        TradesSection();
        ConfigurationSection(summary);
        Footer(summary);
        Data(symbols);
        Scripts(ReportAssets.ReportScript);
        _html.Append("</body>\n</html>\n");
        Flush();
    }

    /// <summary>When writing to a stream: encodes what <c>_html</c> holds into it and empties it.</summary>
    private void Flush()
    {
        if (_text is not null)
        {
            _text.Write(_html);
            _html.Clear();
        }
    }

    /// <summary>When writing to a stream: the text so far, then <paramref name="utf8"/> as is; false (nothing written) when rendering text.</summary>
    private bool TryWriteBytes(ReadOnlySpan<byte> utf8)
    {
        if (_text is null || _stream is null)
        {
            return false;
        }

        Flush();
        _text.Flush();
        _stream.Write(utf8);
        return true;
    }

    /// <summary>The page head: charset, a content security policy that forbids every network request, the inlined style.</summary>
    internal static void OpenPage(StringBuilder html, string title)
    {
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'\">\n")
            .Append("<meta name=\"generator\" content=\"Strategy Lab\">\n")
            .Append("<title>").Append(Encode(title)).Append("</title>\n<style>\n").Append(ReportAssets.Style).Append("</style>\n</head>\n<body>\n");
    }

    /// <summary>The footer with the chart library's attribution (its NOTICE and the link its licence asks for).</summary>
    internal static void AttributionFooter(StringBuilder html, string? engineVersion)
    {
        var notice = ReportAssets.Notice.Trim().Split('\n');
        html.Append("<footer>\n<p>Generated by Strategy Lab")
            .Append(engineVersion is null ? string.Empty : " " + Encode(engineVersion))
            .Append(" from the files of the run folder; it opens offline and loads nothing.</p>\n")
            .Append("<p class=\"attribution\">Charts: ").Append(Encode(notice[0])).Append(" ").Append(ReportAssets.ChartLibraryVersion)
            .Append(" — ").Append(Encode(notice.Length > 1 ? notice[1].Replace("https://www.tradingview.com/", string.Empty, StringComparison.Ordinal).Trim() : string.Empty))
            .Append(" <a href=\"https://www.tradingview.com/\" rel=\"noopener noreferrer\" target=\"_blank\">https://www.tradingview.com/</a>")
            .Append(" — licensed under the Apache License 2.0.</p>\n</footer>\n");
    }

    /// <summary>The data block and the scripts: the chart library, then the page's own script.</summary>
    internal static void AppendScripts(StringBuilder html, string pageScript)
    {
        html.Append("<script>\n").Append(ReportAssets.SafeScript(ReportAssets.ChartLibrary)).Append("\n</script>\n")
            .Append("<script>\n").Append(ReportAssets.SafeScript(pageScript)).Append("</script>\n");
    }

    private void Open(string title) => OpenPage(_html, title);

    private void Scripts(string pageScript)
    {
        if (_text is null)
        {
            AppendScripts(_html, pageScript);
            return;
        }

        // The same text as AppendScripts, the chart library (most of the page) written as the UTF-8 bytes it is stored in.
        _html.Append("<script>\n");
        TryWriteBytes(ReportAssets.ChartLibraryUtf8);
        _html.Append("\n</script>\n").Append("<script>\n").Append(ReportAssets.SafeScript(pageScript)).Append("</script>\n");
    }

    private List<string> SymbolsOfRun()
    {
        var set = new SortedSet<string>(_run.Bars.Keys, StringComparer.Ordinal);
        foreach (var ticker in _run.FillSymbols)
        {
            set.Add(ticker);
        }

        foreach (var s in _run.Summary?.Symbols ?? [])
        {
            set.Add(s);
        }

        return [.. set];
    }

    private void Header(RunSummary? summary, string mode, string? strategy, List<string> symbols)
    {
        _html.Append("<header>\n<div class=\"title\"><h1>").Append(Encode(strategy ?? "Run")).Append("</h1>")
            .Append("<span class=\"badge\">").Append(Encode(mode)).Append("</span>");
        if (summary?.IsSynthetic == true)
        {
            _html.Append("<span class=\"badge warn\" title=\"The data was generated by the engine, not recorded from a market.\">synthetic data</span>");
        }

        if (summary?.StopReason is { } stop && stop != "end_of_data")
        {
            // A run that did not use up its data says why it stopped (cancelled, auto_stop, …), spelled as in summary.json.
            var warn = stop is "cancelled" or "feed_failed" or "authentication_failed" ? " warn" : string.Empty;
            _html.Append("<span class=\"badge").Append(warn).Append("\" title=\"session.stop_reason: why the run stopped before the end of its data\">stop_reason: ")
                .Append(Encode(stop)).Append("</span>");
        }

        _html.Append("</div>\n<div class=\"subtitle\">");
        var parts = new List<string>();
        if (symbols.Count > 0)
        {
            parts.Add(string.Join(", ", symbols.Take(12)) + (symbols.Count > 12 ? Invariant($" and {symbols.Count - 12} more") : string.Empty));
        }

        if (summary?.FirstBarStart is { } first && summary.LastBarEnd is { } last)
        {
            parts.Add(Period(first, last));
        }

        if (summary?.DataSource is { } source)
        {
            parts.Add(source);
        }

        _html.Append(string.Join(" · ", parts.Select(Encode))).Append("</div>\n");
        if (summary is null)
        {
            _html.Append("<p class=\"note\">This run has not written its summary.json yet: statistics appear with the first summary; the curves and trades below are those recorded so far.</p>\n");
        }

        _html.Append("</header>\n");
    }

    private static string Period(string first, string last)
    {
        if (ArtifactTime.TryParse(first, out var a) && ArtifactTime.TryParse(last, out var b))
        {
            return LocalTime(a) + " → " + LocalTime(b);
        }

        return first + " → " + last;
    }

    private void Kpis(RunSummary? summary)
    {
        if (summary is null)
        {
            return;
        }

        _html.Append("<section class=\"kpis\">\n");
        foreach (var key in KpiKeys)
        {
            var node = summary.Statistics.FirstOrDefault(kv => kv.Key == key).Value;
            var value = summary.Decimal(key);
            var tone = key switch
            {
                "max_drawdown" => value > 0 ? "neg" : string.Empty,
                "net_profit" or "total_return" or "cagr" or "sharpe" => value > 0 ? "pos" : value < 0 ? "neg" : string.Empty,
                "profit_factor" => value is null ? string.Empty : value >= 1 ? "pos" : "neg",
                _ => string.Empty,
            };
            _html.Append("<div class=\"kpi\" data-key=\"").Append(Encode(key)).Append("\"><div class=\"kpi-label\">")
                .Append(Encode(StatisticDisplay.Label(key))).Append("</div><div class=\"kpi-value ").Append(tone).Append("\">")
                .Append(Encode(StatisticDisplay.Format(key, node))).Append("</div></div>\n");
        }

        _html.Append("</section>\n");
    }

    private void EquitySection()
    {
        var equity = _run.Equity;
        _html.Append("<section class=\"panel\" id=\"equity\">\n<div class=\"panel-head\"><h2>Equity and drawdown</h2><span class=\"muted\">");
        if (equity.Marks == 0)
        {
            _html.Append("</span></div>\n<p class=\"empty\">No equity marks recorded.</p>\n</section>\n");
            return;
        }

        _html.Append(Encode(Invariant($"{equity.Marks:N0} marks")));
        if (equity.Equity.Level > 0)
        {
            _html.Append(Encode(" · one point per " + StepName(equity.Equity.Step) + " (drawdown: the deepest in each)"));
        }

        _html.Append(Encode(" · max drawdown " + StatisticDisplay.Percent(-equity.MaxDrawdown)))
            .Append("</span></div>\n<div class=\"chart equity-chart\" id=\"equity-chart\"></div>\n")
            .Append("<div class=\"legend-row\"><span class=\"key eq\"></span>Equity<span class=\"key dd\"></span>Drawdown from the running peak (%)").Append(AnalyticsLegend())
            .Append(" · times are the exchange's local time</div>\n</section>\n");
    }

    private void StatisticsSection(RunSummary? summary)
    {
        _html.Append("<section class=\"panel\" id=\"statistics\">\n<div class=\"panel-head\"><h2>Statistics</h2></div>\n");
        if (summary is null)
        {
            _html.Append("<p class=\"empty\">No summary.json yet.</p>\n</section>\n");
            return;
        }

        // Returns and risk, then the trade statistics (from trade_count on), then the counts.
        // Index ranges, not LINQ's Take/Skip over the pairs (generic code the precompiled images lack).
        var statistics = summary.Statistics;
        var split = 0;
        while (split < statistics.Count && statistics[split].Key != "trade_count")
        {
            split++;
        }

        _html.Append("<div class=\"stats-columns\">\n");
        StatTable("Returns and risk", statistics, 0, split, "statistics");
        StatTable("Trades", statistics, split, statistics.Count, "statistics");
        StatTable("Activity", summary.Counts, 0, summary.Counts.Count, "counts");
        _html.Append("</div>\n</section>\n");
    }

    private void StatTable(string caption, IReadOnlyList<KeyValuePair<string, JsonNode?>> rows, int from, int to, string group)
    {
        _html.Append("<table class=\"stats\" data-group=\"").Append(group).Append("\">\n<caption>").Append(Encode(caption)).Append("</caption>\n<tbody>\n");
        for (var i = from; i < to; i++)
        {
            var (key, value) = rows[i];
            var tone = value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var d)
                ? key is "net_profit" or "total_return" or "cagr" or "expectancy" ? d > 0 ? " class=\"pos\"" : d < 0 ? " class=\"neg\"" : string.Empty : string.Empty
                : string.Empty;
            _html.Append("<tr data-key=\"").Append(Encode(key)).Append("\"><th>").Append(Encode(StatisticDisplay.Label(key))).Append("</th><td")
                .Append(tone).Append('>').Append(Encode(StatisticDisplay.Format(key, value))).Append("</td></tr>\n");
        }

        _html.Append("</tbody>\n</table>\n");
    }

    private void CandleSection(List<string> symbols)
    {
        _html.Append("<section class=\"panel\" id=\"charts\">\n<div class=\"panel-head\"><h2>Price and executions</h2><span class=\"muted\">");
        if (_run.BarsFile is { } file)
        {
            _html.Append(Encode("candles from " + file));
        }

        _html.Append("</span></div>\n");
        if (_run.BarsFile is null)
        {
            _html.Append("<p class=\"empty\">This run folder has neither bars.csv nor chart_bars.csv, so there are no candles to draw: ")
                .Append("runs of this version write chart_bars.csv (or bars.csv with output.bars_csv); run it again to see the charts.</p>\n");
        }

        _html.Append("<div class=\"legend-row\"><span class=\"mk buy\">▲</span>buy fill<span class=\"mk sell\">▼</span>sell fill")
            .Append("<span class=\"key sl\"></span>stop loss<span class=\"key tp\"></span>take profit<span class=\"key other\"></span>other resting order")
            .Append(" · a line spans an order's life at its final price (a trailing stop's last level) · hover a marker for the fill</div>\n");
        var index = 0;
        var charted = ChartedCount(symbols);
        foreach (var symbol in symbols)
        {
            if (!_run.Bars.ContainsKey(symbol))
            {
                continue;
            }

            _html.Append("<div class=\"symbol-block\">\n<div class=\"symbol-head\"><h3>").Append(Encode(symbol)).Append("</h3>")
                .Append("<span class=\"ohlc\" id=\"ohlc-").Append(index.ToString(CultureInfo.InvariantCulture)).Append("\"></span>")
                .Append("<span class=\"muted\" id=\"candle-note-").Append(index.ToString(CultureInfo.InvariantCulture)).Append("\"></span>");
            BoundNote(symbol, charted);
            _html.Append("</div>\n")
                .Append("<div class=\"chart candle-chart\" data-index=\"").Append(index.ToString(CultureInfo.InvariantCulture))
                .Append("\" data-symbol=\"").Append(Encode(symbol)).Append("\"></div>\n</div>\n");
            index++;
        }

        _html.Append("</section>\n");
    }

    private void TradesSection()
    {
        _html.Append("<section class=\"panel\" id=\"trades\">\n<div class=\"panel-head\"><h2>Trades</h2><span class=\"muted\">")
            .Append(Encode(Invariant($"{_run.TradeCount:N0} round trips")
                + (_run.TradeCount > _run.Trades.Count ? Invariant($" · the table holds the first {_run.Trades.Count:N0} (all are in {RunFolderWriter.TradesFileName}; the statistics cover all)") : string.Empty)
                + " · click a header to sort · P&L net of the trip's commissions"))
            .Append("</span></div>\n");
        if (_run.Trades.Count == 0)
        {
            _html.Append("<p class=\"empty\">No closed trades.</p>\n</section>\n");
            return;
        }

        (string Label, string Type)[] columns =
        [
            ("#", "num"), ("Symbol", "text"), ("Side", "text"), ("Qty", "num"), ("Entry time", "num"), ("Entry", "num"), ("Exit time", "num"),
            ("Exit", "num"), ("Gross P&L", "num"), ("Fees", "num"), ("Net P&L", "num"), ("Return", "num"), ("Held", "num"), ("Exit reason", "text"),
        ];
        _html.Append("<div class=\"table-wrap\"><table class=\"trades sortable\" id=\"trades-table\">\n<thead><tr>");
        for (var i = 0; i < columns.Length; i++)
        {
            _html.Append("<th data-col=\"").Append(i.ToString(CultureInfo.InvariantCulture)).Append("\" data-type=\"").Append(columns[i].Type).Append("\">")
                .Append(Encode(columns[i].Label)).Append("</th>");
        }

        _html.Append("</tr></thead>\n<tbody></tbody>\n</table></div>\n<div class=\"pager\" id=\"trades-pager\"></div>\n</section>\n");
    }

    private void ConfigurationSection(RunSummary? summary)
    {
        _html.Append("<section class=\"panel\" id=\"configuration\">\n<details>\n<summary><h2>Configuration</h2><span class=\"muted\">as recorded in summary.json</span></summary>\n<pre>");
        _html.Append(Encode(PrettyJson(Redacted(summary?.Document["configuration"])))).Append("</pre>\n</details>\n</section>\n");
    }

    private void Footer(RunSummary? summary) => AttributionFooter(_html, summary?.EngineVersion);
}
