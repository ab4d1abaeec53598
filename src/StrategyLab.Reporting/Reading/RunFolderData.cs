using StrategyLab.Core.Engine;
using StrategyLab.Reporting.Charts;

namespace StrategyLab.Reporting.Reading;

/// <summary>Reads a run folder's files into a <see cref="ReportData"/>, once, in bounded memory.</summary>
internal sealed class RunFolderData
{
    private readonly ReportData _data;

    private RunFolderData(ReportData data) => _data = data;

    /// <summary>
    /// True when <paramref name="folder"/> is a run folder: it holds <c>summary.json</c>, or (a live run before its first
    /// summary) <c>equity.csv</c>, <c>fills.csv</c>, <c>trades.csv</c> and <c>orders.csv</c>.
    /// </summary>
    public static bool IsRunFolder(string folder) =>
        Directory.Exists(folder)
        && (RunSummary.Exists(folder)
            || new[] { RunFolderWriter.EquityFileName, RunFolderWriter.FillsFileName, RunFolderWriter.TradesFileName, RunFolderWriter.OrdersFileName }
                .All(f => File.Exists(Path.Combine(folder, f))));

    /// <summary>Reads the folder.</summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="withDetails">False reads only the summary and the equity (what the compare page needs).</param>
    /// <exception cref="RunFolderException">Not a run folder, or a file with bad content.</exception>
    public static ReportData Load(string folder, bool withDetails = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.GetFullPath(folder);
        if (!IsRunFolder(full))
        {
            throw new RunFolderException(Directory.Exists(full)
                ? $"{full}: not a run folder (no {RunFolderWriter.SummaryFileName}, and not the CSV files of a run in progress)."
                : $"{full}: no such folder.");
        }

        var summary = RunSummary.Exists(full) ? RunSummary.Read(full) : null;
        var data = new ReportData(full, summary?.Decimal("start_equity")) { Summary = summary };
        var reader = new RunFolderData(data);
        reader.ReadEquity();
        data.Daily = DailyCsv.Read(full);
        if (withDetails)
        {
            reader.ReadFills();
            reader.ReadTrades();
            reader.ReadOrders();
            reader.ReadBars();
            reader.ReadPlots();
        }

        return data;
    }

    private string FileOf(string name) => Path.Combine(_data.Folder, name);

    private void ReadEquity()
    {
        var path = FileOf(RunFolderWriter.EquityFileName);
        if (!File.Exists(path))
        {
            return;
        }

        using var csv = new CsvTable(path);
        int time = csv.Column("time"), eq = csv.Column("equity");
        while (csv.Next())
        {
            _data.Equity.Add(csv.Time(time, "time"), csv.Decimal(eq, "equity"));
        }
    }

    private void ReadFills()
    {
        var path = FileOf(RunFolderWriter.FillsFileName);
        if (!File.Exists(path))
        {
            return;
        }

        using var csv = new CsvTable(path);
        int time = csv.Column("time"), order = csv.Column("order_id"), symbol = csv.Column("symbol"), side = csv.Column("side"),
            qty = csv.Column("qty"), price = csv.Column("price"), commission = csv.Column("commission"), tag = csv.OptionalColumn("tag");
        while (csv.Next())
        {
            _data.AddFill(new FillRow(
                csv.Time(time, "time"),
                csv.Integer(order, "order_id"),
                csv.Pooled(symbol),
                csv.Pooled(side),
                csv.Decimal(qty, "qty"),
                csv.Decimal(price, "price"),
                csv.OptionalDecimal(commission, "commission") ?? 0m,
                csv.Pooled(tag)));
        }
    }

    private void ReadTrades()
    {
        var path = FileOf(RunFolderWriter.TradesFileName);
        if (!File.Exists(path))
        {
            return;
        }

        using var csv = new CsvTable(path);
        int symbol = csv.Column("symbol"), side = csv.Column("side"), qty = csv.Column("qty"), entryTime = csv.Column("entry_time"),
            entryPrice = csv.Column("entry_price"), exitTime = csv.Column("exit_time"), exitPrice = csv.Column("exit_price"),
            pnl = csv.Column("pnl"), commission = csv.Column("commission"), reason = csv.OptionalColumn("exit_reason"),
            mae = csv.OptionalColumn("mae"), mfe = csv.OptionalColumn("mfe");
        while (csv.Next())
        {
            _data.AddTrade(new TradeRow(
                csv.Pooled(symbol),
                csv.Pooled(side),
                csv.Decimal(qty, "qty"),
                csv.Time(entryTime, "entry_time"),
                csv.Decimal(entryPrice, "entry_price"),
                csv.Time(exitTime, "exit_time"),
                csv.Decimal(exitPrice, "exit_price"),
                csv.Decimal(pnl, "pnl"),
                csv.OptionalDecimal(commission, "commission") ?? 0m,
                csv.Pooled(reason),
                csv.OptionalDecimal(mae, "mae"),
                csv.OptionalDecimal(mfe, "mfe")));
        }
    }

    private void ReadOrders()
    {
        var path = FileOf(RunFolderWriter.OrdersFileName);
        if (!File.Exists(path))
        {
            return;
        }

        using var csv = new CsvTable(path);
        int id = csv.Column("id"), created = csv.Column("created_time"), symbol = csv.Column("symbol"), side = csv.Column("side"),
            type = csv.Column("type"), qty = csv.Column("qty"), limit = csv.Column("limit_price"), stop = csv.Column("stop_price"),
            tag = csv.OptionalColumn("tag"), status = csv.Column("status"), updated = csv.Column("updated_time");
        while (csv.Next())
        {
            _data.AddOrder(new OrderRow(
                csv.Integer(id, "id"),
                csv.Time(created, "created_time"),
                csv.Pooled(symbol),
                csv.Pooled(side),
                csv.Pooled(type),
                csv.Decimal(qty, "qty"),
                csv.OptionalDecimal(limit, "limit_price"),
                csv.OptionalDecimal(stop, "stop_price"),
                csv.Pooled(tag),
                csv.Pooled(status),
                csv.Time(updated, "updated_time")));
        }
    }

    private void ReadBars()
    {
        foreach (var name in new[] { RunFolderWriter.BarsFileName, RunFolderWriter.ChartBarsFileName })
        {
            var path = FileOf(name);
            if (!File.Exists(path))
            {
                continue;
            }

            _data.BarsFile = name;
            using var csv = new CsvTable(path);
            int symbol = csv.Column("symbol"), start = csv.Column("start"), end = csv.Column("end"), open = csv.Column("open"),
                high = csv.Column("high"), low = csv.Column("low"), close = csv.Column("close"), volume = csv.Column("volume"),
                trades = csv.OptionalColumn("trades");
            while (csv.Next())
            {
                var ticker = csv.Pooled(symbol);
                if (!_data.Bars.TryGetValue(ticker, out var ladder))
                {
                    ladder = new CandleLadder(ReportData.CandlesPerSymbol);
                    _data.Bars.Add(ticker, ladder);
                }

                ladder.Add(
                    csv.Time(start, "start"),
                    csv.Time(end, "end"),
                    csv.Decimal(open, "open"),
                    csv.Decimal(high, "high"),
                    csv.Decimal(low, "low"),
                    csv.Decimal(close, "close"),
                    csv.OptionalDecimal(volume, "volume") ?? 0m,
                    csv.OptionalInteger(trades, "trades") ?? -1);
            }

            return;
        }
    }

    private void ReadPlots()
    {
        var path = FileOf(RunFolderWriter.PlotsFileName);
        if (!File.Exists(path))
        {
            return;
        }

        using var csv = new CsvTable(path);
        int time = csv.Column("time"), symbol = csv.Column("symbol"), series = csv.Column("series"), value = csv.Column("value");
        var pane = csv.OptionalColumn("pane"); // absent in folders written before overlays
        while (csv.Next())
        {
            var text = csv.Span(value);
            if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            {
                throw csv.Bad("value", $"'{text}' is not a finite number.");
            }

            if (Math.Abs(v) >= 7.9e28)
            {
                continue; // beyond what the chart's decimal ladder holds: left out of the chart (plots.csv keeps it)
            }

            var ticker = csv.Span(symbol);
            var where = pane < 0 ? PlotPane.Strategy : PaneOf(csv, pane);
            if (where != PlotPane.Strategy && !ticker.IsEmpty)
            {
                // beyond the symbol's overlays (null): left out of the chart
                _data.OverlayOf(csv.Pooled(symbol), csv.Pooled(series), where)?.Add(csv.Time(time, "time"), v);
                continue;
            }

            var label = ticker.IsEmpty ? csv.Pooled(series) : csv.Pooled(series) + " (" + csv.Pooled(symbol) + ")";
            if (!_data.Plots.TryGetValue(label, out var ladder))
            {
                ladder = new CandleLadder(ReportData.PlotPointsPerSeries);
                _data.Plots.Add(label, ladder);
            }

            var at = csv.Time(time, "time");
            var d = (decimal)v;
            ladder.Add(at, at, d, d, d, d, 0, -1);
        }
    }

    private static PlotPane PaneOf(CsvTable csv, int column)
    {
        var text = csv.Span(column);
        return text.IsEmpty ? PlotPane.Strategy
            : text.SequenceEqual("price") ? PlotPane.Price
            : text.SequenceEqual("indicator") ? PlotPane.Indicator
            : throw csv.Bad("pane", $"'{text}' is not a pane (empty, price or indicator).");
    }
}
