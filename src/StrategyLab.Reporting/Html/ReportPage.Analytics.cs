using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static StrategyLab.Reporting.Html.HtmlText;

namespace StrategyLab.Reporting.Html;

// The analytics a trader reads after the equity: the benchmark and the rolling Sharpe (daily.csv, drawn in the equity
// chart), what each symbol contributed (summary.json's attribution) and how the trades went while open (MAE/MFE of
// trades.csv as a scatter, summary.json's holding-time distribution).
internal sealed partial class ReportPage
{
    /// <summary>The legend under the equity chart for the benchmark and rolling Sharpe lines (empty without daily.csv).</summary>
    private string AnalyticsLegend()
    {
        var daily = _run.Daily;
        if (daily.Count == 0)
        {
            return string.Empty;
        }

        var legend = string.Empty;
        if (_run.Summary?.Document["statistics"]?["benchmark"]?.GetValue<string>() is { } benchmark && daily.Any(d => d.Benchmark is not null))
        {
            legend += "<span class=\"key bm\"></span>" + Encode(benchmark + " buy-and-hold (same start equity)");
        }

        if (_run.Summary?.Document["statistics"]?["rolling_sharpe_days"] is JsonValue days)
        {
            legend += "<span class=\"key rs\"></span>" + Encode("Rolling Sharpe (" + days.ToJsonString() + " trading days, own pane)");
        }

        return legend;
    }

    /// <summary>The per-symbol attribution table: a section only when the run traded more than one symbol.</summary>
    private void AttributionSection()
    {
        if (_run.Summary?.Document["attribution"] is not JsonArray rows || rows.Count < 2)
        {
            return;
        }

        _html.Append("<section class=\"panel\" id=\"attribution\">\n<div class=\"panel-head\"><h2>Per-symbol attribution</h2><span class=\"muted\">")
            .Append(Encode("net P&L of the closed round trips · fees of every fill · exposure: share of the equity marks with a position open"))
            .Append("</span></div>\n<div class=\"table-wrap\"><table class=\"trades attribution\" id=\"attribution-table\">\n<thead><tr>")
            .Append("<th>Symbol</th><th>Trades</th><th>Win rate</th><th>Net P&amp;L</th><th>Fees</th><th>Exposure</th></tr></thead>\n<tbody>\n");
        foreach (var row in rows.OfType<JsonObject>())
        {
            var net = row["net_pnl"] is JsonValue v && v.TryGetValue<decimal>(out var d) ? d : 0m;
            _html.Append("<tr data-symbol=\"").Append(Encode(row["symbol"]?.GetValue<string>())).Append("\"><td>").Append(Encode(row["symbol"]?.GetValue<string>()))
                .Append("</td><td>").Append(Encode(StatisticDisplay.Format("trade_count", row["trade_count"])))
                .Append("</td><td>").Append(Encode(StatisticDisplay.Format("win_rate", row["win_rate"])))
                .Append("</td><td").Append(net > 0 ? " class=\"pos\"" : net < 0 ? " class=\"neg\"" : string.Empty).Append('>')
                .Append(Encode(StatisticDisplay.Format("net_profit", row["net_pnl"])))
                .Append("</td><td>").Append(Encode(StatisticDisplay.Format("total_fees", row["fees"])))
                .Append("</td><td>").Append(Encode(StatisticDisplay.Format("exposure", row["exposure"]))).Append("</td></tr>\n");
        }

        _html.Append("</tbody>\n</table></div>\n</section>\n");
    }

    /// <summary>The MAE/MFE scatter of the kept trades and the holding-time distribution of all of them.</summary>
    private void TradeQualitySection()
    {
        var buckets = _run.Summary?.Document["holding_times"] as JsonArray;
        var withExcursions = _run.Trades.Count(t => t.Mae is not null);
        if (withExcursions == 0 && (buckets is null || buckets.Count == 0))
        {
            return;
        }

        _html.Append("<section class=\"panel\" id=\"trade-quality\">\n<div class=\"panel-head\"><h2>Trade quality</h2><span class=\"muted\">")
            .Append(Encode(Invariant($"MAE/MFE of {withExcursions:N0} round trips: the worst and best open P&L each showed, from the bars it was held through")))
            .Append("</span></div>\n<div class=\"quality-columns\">\n");
        if (withExcursions > 0)
        {
            _html.Append("<div class=\"scatter-wrap\"><canvas class=\"scatter\" id=\"excursion-scatter\" width=\"560\" height=\"340\"></canvas>")
                .Append("<div class=\"legend-row\"><span class=\"dot pos\"></span>winner<span class=\"dot neg\"></span>loser · x: MAE, y: MFE (money)</div></div>\n");
        }

        if (buckets is { Count: > 0 })
        {
            var max = 0L; // a loop, not LINQ's Max (JIT-compiled at every start)
            foreach (var b in buckets)
            {
                max = Math.Max(max, b?["trades"]?.GetValue<long>() ?? 0);
            }

            _html.Append("<table class=\"stats holding\" id=\"holding-times\">\n<caption>Holding time</caption>\n<tbody>\n");
            foreach (var b in buckets.OfType<JsonObject>())
            {
                var n = b["trades"]?.GetValue<long>() ?? 0;
                var width = max == 0 ? 0 : (int)Math.Round(100.0 * n / max);
                _html.Append("<tr><th>").Append(Encode(b["label"]?.GetValue<string>())).Append("</th><td class=\"bar-cell\"><span class=\"bar\" style=\"width:")
                    .Append(width.ToString(CultureInfo.InvariantCulture)).Append("%\"></span></td><td>")
                    .Append(n.ToString("N0", CultureInfo.InvariantCulture)).Append("</td></tr>\n");
            }

            _html.Append("</tbody>\n</table>\n");
        }

        _html.Append("</div>\n</section>\n");
    }

    /// <summary>The data of the analytics: the daily benchmark and rolling Sharpe, the trades' excursions.</summary>
    private void WriteAnalytics(Utf8JsonWriter w)
    {
        if (_run.Daily.Count > 0)
        {
            w.WriteStartArray("daily");
            foreach (var d in _run.Daily)
            {
                w.WriteStartArray();
                w.WriteNumberValue(ChartSeconds(d.Time.DateTime.Ticks));
                RawOrNull(w, d.Benchmark);
                RawOrNull(w, d.RollingSharpe);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("excursions");
        foreach (var t in _run.Trades)
        {
            if (t.Mae is { } mae && t.Mfe is { } mfe)
            {
                w.WriteStartArray();
                Raw(w, mae);
                Raw(w, mfe);
                Raw(w, t.Pnl - t.Commission);
                w.WriteStringValue(t.Symbol);
                w.WriteEndArray();
            }
        }

        w.WriteEndArray();
    }

    private static void RawOrNull(Utf8JsonWriter w, decimal? value)
    {
        if (value is { } v)
        {
            Raw(w, v);
        }
        else
        {
            w.WriteNullValue();
        }
    }
}
