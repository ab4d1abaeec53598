using System.Globalization;
using System.Text.Json;
using StrategyLab.Reporting.Charts;
using StrategyLab.Reporting.Reading;
using static StrategyLab.Reporting.Html.HtmlText;

namespace StrategyLab.Reporting.Html;

// The strategy's custom chart series (plots.csv): one line per series in a chart under the price charts. A run that
// plotted nothing gets neither the section nor its data, so its page is what it was before plots existed.
internal sealed partial class ReportPage
{
    /// <summary>Points of all custom series together the page shows at most; each series gets a share, within [500, 10 000].</summary>
    public const int PlotPointBudget = 40_000;

    /// <summary>Most custom series drawn (the rest are named as left out).</summary>
    public const int MaxPlottedSeries = 24;

    private void PlotsSection()
    {
        var plots = _run.Plots;
        if (plots.Count == 0)
        {
            return;
        }

        var drawn = Math.Min(plots.Count, MaxPlottedSeries);
        var note = Invariant($"{plots.Count:N0} series from {RunFolderWriter.PlotsFileName} · the last value in each bucket");
        if (plots.Count > drawn)
        {
            note += Invariant($" · the first {drawn} drawn, {plots.Count - drawn} left out");
        }

        _html.Append("<section class=\"panel\" id=\"plots\">\n<div class=\"panel-head\"><h2>Strategy plots</h2><span class=\"muted\">")
            .Append(Encode(note)).Append("</span></div>\n<div class=\"legend-row\" id=\"plots-legend\">");
        var index = 0;
        foreach (var label in FirstLabels(plots, drawn))
        {
            _html.Append("<span class=\"plot-key\" data-index=\"").Append(index++.ToString(CultureInfo.InvariantCulture)).Append("\">")
                .Append(Encode(label)).Append("</span>");
        }

        _html.Append("</div>\n<div class=\"chart plots-chart\" id=\"plots-chart\"></div>\n</section>\n");
    }

    /// <summary>
    /// The first <paramref name="count"/> series labels in order. A loop over the keys, not LINQ's Take over the
    /// dictionary's pairs: LINQ over <c>KeyValuePair</c> is generic code the precompiled images lack (JIT-compiled at
    /// every start).
    /// </summary>
    private static List<string> FirstLabels(SortedDictionary<string, Charts.CandleLadder> plots, int count)
    {
        var labels = new List<string>(Math.Min(count, plots.Count));
        foreach (var label in plots.Keys)
        {
            if (labels.Count == count)
            {
                break;
            }

            labels.Add(label);
        }

        return labels;
    }

    private void WritePlots(Utf8JsonWriter w)
    {
        var plots = _run.Plots;
        if (plots.Count == 0)
        {
            return;
        }

        var drawn = FirstLabels(plots, MaxPlottedSeries);
        var perSeries = Math.Clamp(PlotPointBudget / drawn.Count, 500, ReportData.PlotPointsPerSeries);
        var intraday = false;
        foreach (var label in drawn)
        {
            var ladder = plots[label];
            if (ladder.Step < TimeSpan.FromDays(1) && HasIntradaySpacing(ladder.Candles))
            {
                intraday = true;
                break;
            }
        }

        w.WriteStartObject("plots");
        w.WriteBoolean("intraday", intraday);
        w.WriteStartArray("series");
        CandleLadder? scratch = null; // one coarsened copy at a time, its list reused
        foreach (var label in drawn)
        {
            var ladder = plots[label];
            w.WriteStartObject();
            w.WriteString("name", label);
            w.WriteStartArray("points");
            foreach (var c in Coarsened(ladder, perSeries, ref scratch).Candles)
            {
                w.WriteStartArray();
                w.WriteNumberValue(ChartSeconds(c.Key));
                Raw(w, c.Close);
                w.WriteEndArray();
                FlushPast(w);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
