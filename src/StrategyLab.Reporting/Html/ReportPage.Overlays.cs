using System.Text.Json;
using StrategyLab.Core.Engine;
using StrategyLab.Reporting.Charts;
using static StrategyLab.Reporting.Html.HtmlText;

namespace StrategyLab.Reporting.Html;

// The series a strategy plots over (PlotPane.Price) or under (PlotPane.Indicator) a symbol's candles: each point is
// moved onto the candle of the bar it was plotted at (the last point of a candle wins), so the lines share the candles'
// time axis whatever the candles' coarsening. A point whose next one is not on the next candle is flagged: the page
// draws no connector from it (an opening range ends at the close and starts again after the next day's range).
internal sealed partial class ReportPage
{
    private void WriteOverlays(Utf8JsonWriter w, string symbol, CandleLadder candles)
    {
        w.WriteStartArray("overlays");
        if (_run.Overlays.TryGetValue(symbol, out var bySeries) && candles.Candles.Count > 0)
        {
            foreach (var (name, overlay) in bySeries)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("pane", overlay.Pane == PlotPane.Indicator ? "indicator" : "price");
                w.WriteStartArray("points");
                WriteOverlayPoints(w, overlay.Points, candles);
                w.WriteEndArray();
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
    }

    /// <summary>[chart time, value, 1 when no line goes to the next point] per candle that has a point.</summary>
    private static void WriteOverlayPoints(Utf8JsonWriter w, PointLadder points, CandleLadder candles)
    {
        var keys = candles.Candles;
        int pending = -1;
        decimal value = 0;
        foreach (var p in points.Points)
        {
            // The point's time is its bar's end: the bar itself is the candle holding the instant before.
            var index = candles.IndexAtOrBefore(p.LocalTicks - 1);
            if (index < 0)
            {
                continue;
            }

            if (pending >= 0 && index != pending)
            {
                WriteOverlayPoint(w, keys[pending].Key, value, index > pending + 1);
            }

            pending = index;
            value = p.Close;
        }

        if (pending >= 0)
        {
            WriteOverlayPoint(w, keys[pending].Key, value, gapAfter: false);
        }
    }

    private static void WriteOverlayPoint(Utf8JsonWriter w, long key, decimal value, bool gapAfter)
    {
        w.WriteStartArray();
        w.WriteNumberValue(ChartSeconds(key));
        Raw(w, value);
        w.WriteNumberValue(gapAfter ? 1 : 0);
        w.WriteEndArray();
        FlushPast(w);
    }
}
