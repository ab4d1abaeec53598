using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StrategyLab.Reporting.Charts;
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
    private readonly StringBuilder _html = new(1 << 16);

    // Where the page goes when it is written rather than rendered as text: the HTML is built a section at a time in
    // _html and encoded into _text; the data JSON and the inlined assets go to _stream as UTF-8 bytes directly.
    private Stream? _stream;
    private StreamWriter? _text;

    public ReportPage(ReportData run) => _run = run;

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
        var split = summary.Statistics.Select(kv => kv.Key).ToList().IndexOf("trade_count");
        split = split < 0 ? summary.Statistics.Count : split;
        _html.Append("<div class=\"stats-columns\">\n");
        StatTable("Returns and risk", [.. summary.Statistics.Take(split)], "statistics");
        StatTable("Trades", [.. summary.Statistics.Skip(split)], "statistics");
        StatTable("Activity", summary.Counts, "counts");
        _html.Append("</div>\n</section>\n");
    }

    private void StatTable(string caption, IReadOnlyList<KeyValuePair<string, JsonNode?>> rows, string group)
    {
        _html.Append("<table class=\"stats\" data-group=\"").Append(group).Append("\">\n<caption>").Append(Encode(caption)).Append("</caption>\n<tbody>\n");
        foreach (var (key, value) in rows)
        {
            var tone = value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var d)
                ? key is "net_profit" or "total_return" or "cagr" or "expectancy" ? d > 0 ? " class=\"pos\"" : d < 0 ? " class=\"neg\"" : string.Empty : string.Empty
                : string.Empty;
            _html.Append("<tr data-key=\"").Append(Encode(key)).Append("\"><th>").Append(Encode(StatisticDisplay.Label(key))).Append("</th><td")
                .Append(tone).Append('>').Append(Encode(StatisticDisplay.Format(key, value))).Append("</td></tr>\n");
        }

        _html.Append("</tbody>\n</table>\n");
    }

    private void ReturnsSection()
    {
        _html.Append("<section class=\"panel\" id=\"returns\">\n<div class=\"panel-head\"><h2>Returns</h2></div>\n");
        var daily = _run.Equity.DailyCloses;
        if (daily.Count == 0 || _run.Equity.StartEquity is not { } start || start <= 0)
        {
            _html.Append("<p class=\"empty\">No equity marks recorded.</p>\n</section>\n");
            return;
        }

        MonthlyTable(start, daily);
        if (daily.Count <= DailyReturnsUpToDays)
        {
            DailyGrid(start, daily);
        }

        _html.Append("<p class=\"muted small\">Return of each period from the equity at the last mark of the previous period (the start equity before the first), exchange-local dates.</p>\n</section>\n");
    }

    // The returns tables are built with lists of small classes and plain loops rather than sorted dictionaries, LINQ
    // and groupings over tuples: generic code over value types is not precompiled (ReadyToRun) and was compiled at
    // every start, a tenth of a small backtest's CPU (README, Performance: Start-up). Same tables, same bytes.
    private void MonthlyTable(decimal start, IReadOnlyList<(DateOnly Date, decimal Equity)> daily)
    {
        // Last close of each month, in calendar order.
        var months = new List<MonthReturn>();
        for (var i = 0; i < daily.Count; i++)
        {
            var (date, equity) = daily[i];
            var key = (date.Year * 12) + date.Month - 1;
            var at = months.Count - 1;
            while (at >= 0 && months[at].Key > key)
            {
                at--;
            }

            if (at >= 0 && months[at].Key == key)
            {
                months[at].Close = equity;
            }
            else
            {
                months.Insert(at + 1, new MonthReturn(key, equity));
            }
        }

        // Each month's return from the previous month's close, each year's from the previous year's last close.
        var years = new List<YearReturn>();
        var previous = start;
        var previousYearEnd = start;
        var lastYear = months[0].Year;
        decimal? scale = null;
        foreach (var month in months)
        {
            if (month.Year != lastYear)
            {
                previousYearEnd = previous; // the last month before this year's first
                lastYear = month.Year;
            }

            month.Return = previous > 0 ? (month.Close / previous) - 1 : 0;
            if (years.Count == 0 || years[^1].Year != month.Year)
            {
                years.Add(new YearReturn(month.Year));
            }

            years[^1].Return = previousYearEnd > 0 ? (month.Close / previousYearEnd) - 1 : 0;
            previous = month.Close;
            scale = MaxOf(scale, Math.Abs(month.Return));
        }

        var heatScale = scale ?? 0;
        _html.Append("<table class=\"heat monthly\">\n<caption>Monthly, %</caption>\n<thead><tr><th></th>");
        foreach (var m in MonthNames)
        {
            _html.Append("<th>").Append(m).Append("</th>");
        }

        _html.Append("<th>Year</th></tr></thead>\n<tbody>\n");
        var next = 0;
        foreach (var year in years)
        {
            _html.Append("<tr><th>").Append(year.Year.ToString(CultureInfo.InvariantCulture)).Append("</th>");
            for (var m = 1; m <= 12; m++)
            {
                if (next < months.Count && months[next].Key == (year.Year * 12) + m - 1)
                {
                    HeatCell(months[next++].Return, heatScale, Invariant($"{year.Year}-{m:00}"));
                }
                else
                {
                    _html.Append("<td class=\"none\"></td>");
                }
            }

            HeatCell(year.Return, Math.Max(heatScale, Math.Abs(year.Return)), year.Year.ToString(CultureInfo.InvariantCulture), "year");
            _html.Append("</tr>\n");
        }

        _html.Append("</tbody>\n</table>\n");
    }

    /// <summary>The larger of the two, the first when they are equal (as <c>Enumerable.Max</c> keeps it: equal decimals can differ in scale).</summary>
    private static decimal MaxOf(decimal? max, decimal value) => max is { } m && !(value > m) ? m : value;

    private void HeatCell(decimal value, decimal scale, string period, string? cssClass = null)
    {
        var strength = scale > 0 ? Math.Abs(value) / scale : 0;
        _html.Append("<td").Append(cssClass is null ? string.Empty : " class=\"" + cssClass + "\"")
            .Append(" data-period=\"").Append(Encode(period)).Append("\" style=\"background:").Append(HeatColour(value, strength)).Append("\">")
            .Append(Encode(SignedPercent(value))).Append("</td>");
    }

    private void DailyGrid(decimal start, IReadOnlyList<(DateOnly Date, decimal Equity)> daily)
    {
        var weekend = false;
        var returns = new DayReturn[daily.Count];
        var previous = start;
        decimal? scale = null;
        for (var i = 0; i < daily.Count; i++)
        {
            var (date, equity) = daily[i];
            weekend |= date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            returns[i] = new DayReturn(date, equity, equity - previous, previous > 0 ? (equity / previous) - 1 : 0);
            scale = MaxOf(scale, Math.Abs(returns[i].Return));
            previous = equity;
        }

        var heatScale = scale ?? 0;
        var days = weekend ? 7 : 5;
        _html.Append("<table class=\"heat daily\">\n<caption>Daily, %</caption>\n<thead><tr><th>Week of</th>");
        string[] names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        for (var d = 0; d < days; d++)
        {
            _html.Append("<th>").Append(names[d]).Append("</th>");
        }

        _html.Append("</tr></thead>\n<tbody>\n");

        // Weeks (from Monday) in the order of their first day in the list; a day at most once in its week.
        var weeks = new List<WeekReturns>();
        foreach (var r in returns)
        {
            var day = ((int)r.Date.DayOfWeek + 6) % 7;
            var monday = r.Date.AddDays(-day);
            var week = weeks.Find(w => w.Monday == monday);
            if (week is null)
            {
                week = new WeekReturns(monday);
                weeks.Add(week);
            }

            if (week.Days[day] is not null)
            {
                throw new ArgumentException($"The daily closes hold {r.Date:yyyy-MM-dd} twice.", nameof(daily));
            }

            week.Days[day] = r;
        }

        foreach (var week in weeks)
        {
            _html.Append("<tr><th>").Append(week.Monday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append("</th>");
            for (var d = 0; d < days; d++)
            {
                if (week.Days[d] is not { } r)
                {
                    _html.Append("<td class=\"none\"></td>");
                    continue;
                }

                var strength = heatScale > 0 ? Math.Abs(r.Return) / heatScale : 0;
                var date = r.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                _html.Append("<td data-period=\"").Append(date).Append("\" style=\"background:").Append(HeatColour(r.Return, strength))
                    .Append("\" title=\"").Append(Encode(date + ": equity " + StatisticDisplay.Money(r.Equity) + ", P&L " + StatisticDisplay.Money(r.Pnl)))
                    .Append("\"><span class=\"day\">").Append(r.Date.ToString("MMM dd", CultureInfo.InvariantCulture)).Append("</span>")
                    .Append(Encode(SignedPercent(r.Return))).Append("</td>");
            }

            _html.Append("</tr>\n");
        }

        _html.Append("</tbody>\n</table>\n");
    }

    /// <summary>A month of the monthly table: its key (year × 12 + month − 1), last close and return.</summary>
    private sealed class MonthReturn(int key, decimal close)
    {
        public int Key { get; } = key;

        public int Year => Key / 12;

        public decimal Close { get; set; } = close;

        public decimal Return { get; set; }
    }

    /// <summary>A year of the monthly table and its return.</summary>
    private sealed class YearReturn(int year)
    {
        public int Year { get; } = year;

        public decimal Return { get; set; }
    }

    /// <summary>A day of the daily grid.</summary>
    private sealed record DayReturn(DateOnly Date, decimal Equity, decimal Pnl, decimal Return);

    /// <summary>A row of the daily grid: the days of the week starting <see cref="Monday"/> (Monday first).</summary>
    private sealed class WeekReturns(DateOnly monday)
    {
        public DateOnly Monday { get; } = monday;

        public DayReturn?[] Days { get; } = new DayReturn?[7];
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

    private void Data(List<string> symbols)
    {
        _html.Append("<script type=\"application/json\" id=\"report-data\">");
        if (_stream is not null && TryWriteBytes([]))
        {
            // Straight into the page's stream (the text before it is flushed): the JSON is never text in memory.
            WriteData(_stream, symbols);
        }
        else
        {
            using var buffer = new MemoryStream();
            WriteData(buffer, symbols);
            _html.Append(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }

        _html.Append("</script>\n");
    }

    private void WriteData(Stream stream, List<string> symbols)
    {
        using (var w = new Utf8JsonWriter(stream, ScriptJson))
        {
            // The writer holds what it wrote until a flush: flushed a section at a time, its buffer stays the size of
            // one section instead of growing (by doubling) to the whole JSON.
            w.WriteStartObject();
            WriteEquity(w);
            w.Flush();
            w.WriteStartArray("symbols");
            var charted = symbols.Where(_run.Bars.ContainsKey).ToList();
            var perSymbol = charted.Count == 0 ? 0 : Math.Clamp(CandleBudget / charted.Count, 1_000, ReportData.CandlesPerSymbol);
            foreach (var symbol in charted)
            {
                WriteSymbol(w, symbol, _run.Bars[symbol].Coarsened(perSymbol), charted.Count);
                w.Flush();
            }

            w.WriteEndArray();
            WritePlots(w);
            w.Flush();
            WriteTrades(w);
            w.Flush();
            WriteAnalytics(w);
            w.WriteEndObject();
        }
    }

    private void WriteEquity(Utf8JsonWriter w)
    {
        var eq = _run.Equity.Equity.Candles;
        var dd = _run.Equity.Drawdown.Candles;
        w.WriteStartObject("equity");
        w.WriteBoolean("intraday", _run.Equity.Equity.Step < TimeSpan.FromDays(1) && HasIntradaySpacing(eq));
        w.WriteStartArray("points");
        for (var i = 0; i < eq.Count; i++)
        {
            w.WriteStartArray();
            w.WriteNumberValue(ChartSeconds(eq[i].Key));
            Raw(w, eq[i].Close);
            Raw(w, Math.Round(dd[i].Low * 100m, 4, MidpointRounding.AwayFromZero));
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static bool HasIntradaySpacing(IReadOnlyList<Candle> candles)
    {
        for (var i = 1; i < candles.Count; i++)
        {
            if (candles[i].Key - candles[i - 1].Key < TimeSpan.TicksPerDay)
            {
                return true;
            }
        }

        return false;
    }

    private void WriteSymbol(Utf8JsonWriter w, string symbol, CandleLadder ladder, int charted)
    {
        var candles = ladder.Candles;
        w.WriteStartObject();
        w.WriteString("symbol", symbol);
        w.WriteString("step", StepName(ladder.CandleSpan));

        // bars.csv holds every bar; chart_bars.csv already merged them, so its rows are candles, not bars.
        w.WriteNumber("bars", _run.BarsFile == RunFolderWriter.BarsFileName ? ladder.BarsAdded : 0);
        w.WriteBoolean("intraday", HasIntradaySpacing(candles));
        w.WriteNumber("precision", PricePrecision(candles));
        w.WriteStartArray("candles");
        foreach (var c in candles)
        {
            w.WriteStartArray();
            w.WriteNumberValue(ChartSeconds(c.Key));
            Raw(w, c.Open);
            Raw(w, c.High);
            Raw(w, c.Low);
            Raw(w, c.Close);
            Raw(w, c.Volume);
            w.WriteEndArray();
        }

        w.WriteEndArray();

        // The first fills, in the order of their candles (a stable sort: fills of one candle keep their order).
        var all = _run.FillsOf(symbol);
        var fills = new FillAtCandle[Math.Min(all.Count, FillShare(charted))];
        for (var i = 0; i < fills.Length; i++)
        {
            fills[i] = new FillAtCandle(all[i], CandleAt(ladder, all[i].Time), i);
        }

        Array.Sort(fills, static (a, b) => a.Index != b.Index ? a.Index.CompareTo(b.Index) : a.Order.CompareTo(b.Order));
        var labelled = _run.FillCountOf(symbol) <= LabelledMarkersPerSymbol;
        w.WriteBoolean("labels", labelled);
        w.WriteStartArray("fills");
        foreach (var (f, index, _) in fills)
        {
            // [chart time, +1 buy / -1 sell, price, qty, commission, tag, local time text, order id]
            w.WriteStartArray();
            w.WriteNumberValue(ChartSeconds(candles[index].Key));
            w.WriteNumberValue(f.Side == "sell" ? -1 : 1);
            Raw(w, f.Price);
            Raw(w, f.Quantity);
            Raw(w, f.Commission);
            w.WriteStringValue(f.Tag);
            w.WriteStringValue(LocalTime(f.Time));
            w.WriteNumberValue(f.OrderId);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        WriteLevels(w, symbol, ladder, charted);
        WriteOverlays(w, symbol, ladder);
        w.WriteEndObject();
    }

    private static int CandleAt(CandleLadder ladder, DateTimeOffset time) => Math.Max(0, ladder.IndexAtOrBefore(time.DateTime.Ticks));

    /// <summary>
    /// The resting orders' price levels as line series: one segment per order from its creation to its last change (to
    /// the last candle while it still works), at its final stop (or limit) price. A line series cannot break (whitespace
    /// does not cut a line), so segments that do not overlap in time share a series ("lane") and the connector between
    /// two of them is drawn transparent: a point's colour paints the line to the next point, so each segment is a point
    /// in the order's colour and a transparent one.
    /// </summary>
    private void WriteLevels(Utf8JsonWriter w, string symbol, CandleLadder ladder, int charted)
    {
        var candles = ladder.Candles;
        var last = candles.Count - 1;
        var orders = _run.LevelOrdersOf(symbol);
        var segments = new List<LevelSegment>();
        for (var i = 0; i < Math.Min(orders.Count, LevelShare(charted)); i++)
        {
            var o = orders[i];
            if (o.Status == "rejected" || (o.StopPrice ?? o.LimitPrice) is not { } price)
            {
                continue;
            }

            var from = CandleAt(ladder, o.Created);
            var to = o.Status is "working" or "partially_filled" ? last : CandleAt(ladder, o.Updated);
            to = Math.Min(last, Math.Max(to, from + 1));
            var kind = o.Tag switch { "stop_loss" => "stop_loss", "take_profit" => "take_profit", _ => "other" };
            if (to > from)
            {
                segments.Add(new LevelSegment(o.Id, from, to, price, kind, segments.Count));
            }
        }

        // By start, then order id, ties in list order (a stable sort).
        segments.Sort(static (a, b) => a.From != b.From ? a.From.CompareTo(b.From) : a.Id != b.Id ? a.Id.CompareTo(b.Id) : a.Order.CompareTo(b.Order));
        var lanes = new List<LevelLane>();
        foreach (var s in segments)
        {
            LevelLane? lane = null;
            foreach (var l in lanes)
            {
                if (l.LastUsed < s.From)
                {
                    lane = l;
                    break;
                }
            }

            if (lane is null)
            {
                lane = new LevelLane();
                lanes.Add(lane);
            }

            lane.Segments.Add(s);
            lane.LastUsed = s.To;
        }

        // [[chart time of the start, chart time of the end, price, kind], ...] per lane
        w.WriteStartArray("levels");
        foreach (var lane in lanes)
        {
            w.WriteStartArray();
            foreach (var (_, from, to, price, kind, _) in lane.Segments)
            {
                w.WriteStartArray();
                w.WriteNumberValue(ChartSeconds(candles[from].Key));
                w.WriteNumberValue(ChartSeconds(candles[to].Key));
                Raw(w, price);
                w.WriteStringValue(kind);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    /// <summary>A fill marker: the fill, the index of its candle and its place among the symbol's fills.</summary>
    private sealed record FillAtCandle(FillRow Fill, int Index, int Order);

    /// <summary>A resting order's level line: from and to candle indexes, price and kind, and its place in the order list.</summary>
    private sealed record LevelSegment(long Id, int From, int To, decimal Price, string Kind, int Order);

    /// <summary>A line series of level segments that do not overlap in time.</summary>
    private sealed class LevelLane
    {
        public int LastUsed { get; set; } = -1;

        public List<LevelSegment> Segments { get; } = [];
    }

    private void WriteTrades(Utf8JsonWriter w)
    {
        // [symbol, side, qty, entry text, entry unix s, entry price, exit text, exit unix s, exit price, gross, fees, net, return %, held s, reason]
        w.WriteStartArray("trades");
        foreach (var t in _run.Trades)
        {
            var net = t.Pnl - t.Commission;
            var basis = t.EntryPrice * t.Quantity;
            w.WriteStartArray();
            w.WriteStringValue(t.Symbol);
            w.WriteStringValue(t.Side);
            Raw(w, t.Quantity);
            w.WriteStringValue(LocalTime(t.EntryTime));
            w.WriteNumberValue(t.EntryTime.ToUnixTimeSeconds());
            Raw(w, t.EntryPrice);
            w.WriteStringValue(LocalTime(t.ExitTime));
            w.WriteNumberValue(t.ExitTime.ToUnixTimeSeconds());
            Raw(w, t.ExitPrice);
            Raw(w, t.Pnl);
            Raw(w, t.Commission);
            Raw(w, net);
            Raw(w, basis != 0 ? Math.Round(net / Math.Abs(basis) * 100m, 4, MidpointRounding.AwayFromZero) : 0m);
            w.WriteNumberValue((long)(t.ExitTime - t.EntryTime).TotalSeconds);
            w.WriteStringValue(t.ExitReason);
            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    /// <summary>Fill markers a symbol's chart shows at most when <paramref name="charted"/> symbols are charted.</summary>
    private static int FillShare(int charted) => Math.Clamp(FillMarkerBudget / Math.Max(1, charted), 1_000, ReportData.MaxFillsPerSymbol);

    /// <summary>Resting orders whose levels a symbol's chart draws at most when <paramref name="charted"/> symbols are charted.</summary>
    private static int LevelShare(int charted) => Math.Clamp(LevelOrderBudget / Math.Max(1, charted), 500, ReportData.MaxLevelOrdersPerSymbol);

    private int ChartedCount(List<string> symbols) => symbols.Count(_run.Bars.ContainsKey);

    /// <summary>Says so beside a symbol's chart when it marks fewer fills, or draws fewer order levels, than the run had; nothing otherwise.</summary>
    private void BoundNote(string symbol, int charted)
    {
        var parts = new List<string>();
        var fills = _run.FillCountOf(symbol);
        var markers = Math.Min(_run.FillsOf(symbol).Count, FillShare(charted));
        if (fills > markers)
        {
            parts.Add(Invariant($"markers for the first {markers:N0} of {fills:N0} fills"));
        }

        var kept = _run.LevelOrdersOf(symbol).Count;
        var levels = Math.Min(kept, LevelShare(charted));
        if (kept > levels || _run.HasMoreLevelOrders(symbol))
        {
            parts.Add(Invariant($"level lines for the first {levels:N0} resting orders"));
        }

        if (parts.Count > 0)
        {
            _html.Append("<span class=\"muted bound\">").Append(Encode(" · " + string.Join(" · ", parts) + " (all in " + RunFolderWriter.FillsFileName + " and " + RunFolderWriter.OrdersFileName + ")")).Append("</span>");
        }
    }

    private static int PricePrecision(IReadOnlyList<Candle> candles)
    {
        var precision = 2;
        foreach (var c in candles)
        {
            precision = Math.Max(precision, Math.Max(Scale(c.Open), Math.Max(Scale(c.High), Math.Max(Scale(c.Low), Scale(c.Close)))));
            if (precision >= 8)
            {
                return 8;
            }
        }

        return precision;
    }

    private static int Scale(decimal value)
    {
        value /= 1.000000000000000000000000000000000m; // drop trailing zeros
        return value.Scale;
    }

    private static void Raw(Utf8JsonWriter w, decimal value) => w.WriteRawValue(Number(value), skipInputValidation: true);
}
