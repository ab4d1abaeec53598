using StrategyLab.Reporting.Charts;

namespace StrategyLab.Reporting.Reading;

/// <summary>One row of <c>fills.csv</c>.</summary>
internal sealed record FillRow(DateTimeOffset Time, long OrderId, string Symbol, string Side, decimal Quantity, decimal Price, decimal Commission, string Tag);

/// <summary>One row of <c>trades.csv</c>.</summary>
internal sealed record TradeRow(
    string Symbol,
    string Side,
    decimal Quantity,
    DateTimeOffset EntryTime,
    decimal EntryPrice,
    DateTimeOffset ExitTime,
    decimal ExitPrice,
    decimal Pnl,
    decimal Commission,
    string ExitReason);

/// <summary>One row of <c>orders.csv</c> (the columns the report uses).</summary>
internal sealed record OrderRow(
    long Id,
    DateTimeOffset Created,
    string Symbol,
    string Side,
    string Type,
    decimal Quantity,
    decimal? LimitPrice,
    decimal? StopPrice,
    string Tag,
    string Status,
    DateTimeOffset Updated);

/// <summary>
/// The equity marks of a run, streamed once: downsampled for the chart (the equity at the end of each bucket, the
/// deepest drawdown in it), and the last mark of every exchange-local date for the daily and monthly returns.
/// </summary>
internal sealed class EquitySeries
{
    private readonly List<(DateOnly Date, decimal Equity)> _daily = [];
    private decimal _peak;

    public EquitySeries(decimal? startEquity, int limit)
    {
        StartEquity = startEquity;
        _peak = startEquity ?? 0m;
        Equity = new CandleLadder(limit);
        Drawdown = new CandleLadder(limit);
    }

    /// <summary><c>E_0</c>: the summary's start equity, or the first mark's equity when there is no summary.</summary>
    public decimal? StartEquity { get; private set; }

    /// <summary>Equity: a candle per bucket (the chart uses its close).</summary>
    public CandleLadder Equity { get; }

    /// <summary>Drawdown from the running peak, a fraction ≤ 0: a candle per bucket (the chart uses its low).</summary>
    public CandleLadder Drawdown { get; }

    /// <summary>The equity at the last mark of each exchange-local date, oldest first.</summary>
    public IReadOnlyList<(DateOnly Date, decimal Equity)> DailyCloses => _daily;

    /// <summary>Marks read.</summary>
    public long Marks { get; private set; }

    /// <summary>The deepest drawdown over all marks (a fraction ≥ 0).</summary>
    public decimal MaxDrawdown { get; private set; }

    public void Add(DateTimeOffset time, decimal equity)
    {
        if (StartEquity is null)
        {
            StartEquity = equity;
            _peak = equity;
        }

        Marks++;
        if (equity >= _peak)
        {
            _peak = equity;
        }

        var drawdown = _peak > 0 ? (equity - _peak) / _peak : 0m;
        MaxDrawdown = Math.Max(MaxDrawdown, -drawdown);
        Equity.Add(time, time, equity, equity, equity, equity, 0, -1);
        Drawdown.Add(time, time, drawdown, drawdown, drawdown, drawdown, 0, -1);
        var date = DateOnly.FromDateTime(time.DateTime);
        if (_daily.Count > 0 && _daily[^1].Date == date)
        {
            _daily[^1] = (date, equity);
        }
        else
        {
            _daily.Add((date, equity));
        }
    }
}

/// <summary>Everything the report needs from a run folder, read once.</summary>
internal sealed class RunFolderData
{
    /// <summary>Most candles a symbol keeps while reading bars (the page coarsens further when there are many symbols).</summary>
    public const int CandlesPerSymbol = RunFolderWriter.ChartBarsPerSymbol;

    /// <summary>Most points of the equity and drawdown curves.</summary>
    public const int EquityPoints = 10_000;

    /// <summary>Most points a custom chart series keeps (<c>plots.csv</c>).</summary>
    public const int PlotPointsPerSeries = 10_000;

    private RunFolderData(string folder, RunSummary? summary, EquitySeries equity)
    {
        Folder = folder;
        Summary = summary;
        Equity = equity;
    }

    public string Folder { get; }

    public RunSummary? Summary { get; }

    public EquitySeries Equity { get; }

    public List<FillRow> Fills { get; } = [];

    public List<TradeRow> Trades { get; } = [];

    public List<OrderRow> Orders { get; } = [];

    /// <summary>Candles by ticker, ordinal order.</summary>
    public SortedDictionary<string, CandleLadder> Bars { get; } = new(StringComparer.Ordinal);

    /// <summary>The file the candles came from (<c>bars.csv</c> or <c>chart_bars.csv</c>), or null when there is neither.</summary>
    public string? BarsFile { get; private set; }

    /// <summary>
    /// The strategy's custom chart series from <c>plots.csv</c>, by label (<c>series</c>, or <c>series (SYMBOL)</c> for a
    /// symbol's series), each downsampled like the equity (the last value of each bucket is its close); empty without the file.
    /// </summary>
    public SortedDictionary<string, CandleLadder> Plots { get; } = new(StringComparer.Ordinal);

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
    public static RunFolderData Load(string folder, bool withDetails = true)
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
        var equity = new EquitySeries(summary?.Decimal("start_equity"), EquityPoints);
        var data = new RunFolderData(full, summary, equity);
        data.ReadEquity();
        if (withDetails)
        {
            data.ReadFills();
            data.ReadTrades();
            data.ReadOrders();
            data.ReadBars();
            data.ReadPlots();
        }

        return data;
    }

    private string FileOf(string name) => Path.Combine(Folder, name);

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
            Equity.Add(csv.Time(time, "time"), csv.Decimal(eq, "equity"));
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
            Fills.Add(new FillRow(
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
            pnl = csv.Column("pnl"), commission = csv.Column("commission"), reason = csv.OptionalColumn("exit_reason");
        while (csv.Next())
        {
            Trades.Add(new TradeRow(
                csv.Pooled(symbol),
                csv.Pooled(side),
                csv.Decimal(qty, "qty"),
                csv.Time(entryTime, "entry_time"),
                csv.Decimal(entryPrice, "entry_price"),
                csv.Time(exitTime, "exit_time"),
                csv.Decimal(exitPrice, "exit_price"),
                csv.Decimal(pnl, "pnl"),
                csv.OptionalDecimal(commission, "commission") ?? 0m,
                csv.Pooled(reason)));
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
            Orders.Add(new OrderRow(
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

            BarsFile = name;
            using var csv = new CsvTable(path);
            int symbol = csv.Column("symbol"), start = csv.Column("start"), end = csv.Column("end"), open = csv.Column("open"),
                high = csv.Column("high"), low = csv.Column("low"), close = csv.Column("close"), volume = csv.Column("volume"),
                trades = csv.OptionalColumn("trades");
            while (csv.Next())
            {
                var ticker = csv.Pooled(symbol);
                if (!Bars.TryGetValue(ticker, out var ladder))
                {
                    ladder = new CandleLadder(CandlesPerSymbol);
                    Bars.Add(ticker, ladder);
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
            var label = ticker.IsEmpty ? csv.Pooled(series) : csv.Pooled(series) + " (" + csv.Pooled(symbol) + ")";
            if (!Plots.TryGetValue(label, out var ladder))
            {
                ladder = new CandleLadder(PlotPointsPerSeries);
                Plots.Add(label, ladder);
            }

            var at = csv.Time(time, "time");
            var d = (decimal)v;
            ladder.Add(at, at, d, d, d, d, 0, -1);
        }
    }
}
