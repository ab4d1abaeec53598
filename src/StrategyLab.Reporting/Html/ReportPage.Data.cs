using System.Buffers;
using System.Text;
using System.Text.Json;
using StrategyLab.Reporting.Charts;
using StrategyLab.Reporting.Reading;
using static StrategyLab.Reporting.Html.HtmlText;

namespace StrategyLab.Reporting.Html;

// The page's data block: the JSON the charts draw from (equity, candles per symbol at the chart's budget, fill markers,
// resting-order levels, trades), written straight to the stream section by section.
internal sealed partial class ReportPage
{
    /// <summary>
    /// Bytes a section may hold in the JSON writer before they are flushed on (between two items of a long array): its
    /// buffer stays a few tens of KB, off the large-object heap, instead of growing by doubling to the largest section.
    /// </summary>
    internal const int JsonFlushBytes = 32 * 1024;

    // Reused from symbol to symbol (the page's end allocated each anew on the large-object heap, ~2 MB a symbol for ten
    // symbols): the bytes of the symbol rendered ahead, and the coarsened copies of the writer's candle ladders (one for
    // this thread, one for the thread that renders ahead; each is used by one symbol at a time).
    private ArrayBufferWriter<byte>? _ahead;
    private CandleLadder? _coarse;
    private CandleLadder? _coarseAhead;

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
            // Two symbols at a time: this thread writes one while another renders the next (it only reads the run's
            // data), whose bytes then follow as they are; one symbol's JSON is held at a time, not the whole array.
            for (var i = 0; i < charted.Count; i += 2)
            {
                var next = i + 1 < charted.Count && _symbolsAhead ? RenderSymbolAsync(charted[i + 1], perSymbol, charted.Count) : null;
                WriteSymbol(w, charted[i], Coarsened(charted[i], perSymbol, ref _coarse), charted.Count);
                w.Flush();
                if (next is not null)
                {
                    w.WriteRawValue(next.GetAwaiter().GetResult().WrittenSpan, skipInputValidation: true);
                    w.Flush();
                }
                else if (i + 1 < charted.Count)
                {
                    WriteSymbol(w, charted[i + 1], Coarsened(charted[i + 1], perSymbol, ref _coarse), charted.Count);
                    w.Flush();
                }
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
            FlushPast(w);
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

    /// <summary>A symbol's JSON object (<see cref="WriteSymbol"/>) rendered on a thread-pool thread: the same bytes.</summary>
    /// <remarks>The caller takes the bytes before it renders the next symbol ahead: one buffer serves them all.</remarks>
    private Task<ArrayBufferWriter<byte>> RenderSymbolAsync(string symbol, int perSymbol, int charted) => Task.Run(() =>
    {
        var bytes = _ahead ??= new ArrayBufferWriter<byte>(1 << 16);
        bytes.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(bytes, ScriptJson))
        {
            WriteSymbol(w, symbol, Coarsened(symbol, perSymbol, ref _coarseAhead), charted);
        }

        return bytes;
    });

    /// <summary>The symbol's candles at most <paramref name="perSymbol"/> of them, coarsened into <paramref name="scratch"/> when they must be.</summary>
    private CandleLadder Coarsened(string symbol, int perSymbol, ref CandleLadder? scratch) =>
        Coarsened(_run.Bars[symbol], perSymbol, ref scratch);

    /// <summary>
    /// <paramref name="ladder"/> with at most <paramref name="limit"/> candles: itself when it fits, else a copy made in
    /// <paramref name="scratch"/> (a copy no longer needed), which then holds it for the next call.
    /// </summary>
    private static CandleLadder Coarsened(CandleLadder ladder, int limit, ref CandleLadder? scratch)
    {
        var coarse = ladder.Coarsened(limit, scratch);
        if (!ReferenceEquals(coarse, ladder))
        {
            scratch = coarse;
        }

        return coarse;
    }

    /// <summary>Flushes what <paramref name="w"/> holds once it passes <see cref="JsonFlushBytes"/> (the same bytes, sooner).</summary>
    private static void FlushPast(Utf8JsonWriter w)
    {
        if (w.BytesPending >= JsonFlushBytes)
        {
            w.Flush();
        }
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
            FlushPast(w);
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
            LocalTimeValue(w, f.Time);
            w.WriteNumberValue(f.OrderId);
            w.WriteEndArray();
            FlushPast(w);
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
                FlushPast(w);
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
            LocalTimeValue(w, t.EntryTime);
            w.WriteNumberValue(t.EntryTime.ToUnixTimeSeconds());
            Raw(w, t.EntryPrice);
            LocalTimeValue(w, t.ExitTime);
            w.WriteNumberValue(t.ExitTime.ToUnixTimeSeconds());
            Raw(w, t.ExitPrice);
            Raw(w, t.Pnl);
            Raw(w, t.Commission);
            Raw(w, net);
            Raw(w, basis != 0 ? Math.Round(net / Math.Abs(basis) * 100m, 4, MidpointRounding.AwayFromZero) : 0m);
            w.WriteNumberValue((long)(t.ExitTime - t.EntryTime).TotalSeconds);
            w.WriteStringValue(t.ExitReason);
            w.WriteEndArray();
            FlushPast(w);
        }

        w.WriteEndArray();
    }

    private static int FillShare(int charted) => ReportData.FillShare(charted);

    private static int LevelShare(int charted) => ReportData.LevelShare(charted);

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

    /// <summary>A number as the artifact format writes it (<see cref="HtmlText.Number"/>), its ASCII bytes straight into the JSON.</summary>
    private static void Raw(Utf8JsonWriter w, decimal value)
    {
        Span<byte> text = stackalloc byte[ArtifactFormat.MaxLength];
        w.WriteRawValue(text[..ArtifactFormat.Format(value, text)], skipInputValidation: true);
    }

    /// <summary>A local time as <see cref="HtmlText.LocalTime(DateTimeOffset)"/> writes it, a JSON string made from its ASCII bytes (nothing in it is escaped).</summary>
    private static void LocalTimeValue(Utf8JsonWriter w, DateTimeOffset time)
    {
        Span<byte> text = stackalloc byte[LocalTimeLength];
        w.WriteStringValue(text[..LocalTime(time, text)]);
    }
}
