using StrategyLab.Core.Engine;
using StrategyLab.Reporting.Charts;

namespace StrategyLab.Reporting.Reading;

/// <summary>
/// Everything the report page draws, in bounded memory whatever the run's length: filled either from a run folder's
/// files (<see cref="RunFolderData.Load"/>) or during the run from the engine's events (<see cref="ReportRecorder"/>).
/// The same rows in the same order give the same page, byte for byte.
/// </summary>
/// <remarks>
/// The bounds (what the page states when it shows less than the run did): the equity and each custom series are
/// downsampled to <see cref="EquityPoints"/> points as they arrive, the candles to <see cref="CandlesPerSymbol"/> a
/// symbol; the first <see cref="MaxTrades"/> round trips are kept (the count covers all); per symbol the first
/// <see cref="MaxFillsPerSymbol"/> fills (all counted) and the <see cref="MaxLevelOrdersPerSymbol"/> resting orders
/// with the lowest ids. Statistics come from <c>summary.json</c> and cover the whole run.
/// </remarks>
internal sealed class ReportData
{
    /// <summary>Most candles a symbol keeps while reading bars (the page coarsens further when there are many symbols).</summary>
    public const int CandlesPerSymbol = RunFolderWriter.ChartBarsPerSymbol;

    /// <summary>Most points of the equity and drawdown curves.</summary>
    public const int EquityPoints = 10_000;

    /// <summary>Most points a custom chart series keeps (<c>plots.csv</c>).</summary>
    public const int PlotPointsPerSeries = 10_000;

    /// <summary>Most series drawn over and under one symbol's candles (the first ones by name; the rest are left out).</summary>
    public const int MaxOverlaysPerSymbol = 8;

    /// <summary>Most round trips the trade table embeds: the first ones, in the order they closed.</summary>
    public const int MaxTrades = 5_000;

    /// <summary>Most fills of a symbol kept for its chart markers: the first ones (two per round trip of <see cref="MaxTrades"/>).</summary>
    public const int MaxFillsPerSymbol = 2 * MaxTrades;

    /// <summary>Most resting (non-market) orders of a symbol kept for its price-level lines: those with the lowest ids.</summary>
    public const int MaxLevelOrdersPerSymbol = MaxTrades;

    private readonly Dictionary<string, SymbolFills> _fills = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SymbolOrders> _orders = new(StringComparer.Ordinal);

    /// <summary>Creates an empty model.</summary>
    /// <param name="folder">The run folder (full path).</param>
    /// <param name="startEquity"><c>E_0</c> for the drawdown's first peak; null takes the first mark's equity.</param>
    public ReportData(string folder, decimal? startEquity)
    {
        Folder = folder;
        Equity = new EquitySeries(startEquity, EquityPoints);
    }

    /// <summary>The run folder (full path).</summary>
    public string Folder { get; }

    /// <summary><c>summary.json</c>, or null (a live run before its first summary).</summary>
    public RunSummary? Summary { get; set; }

    /// <summary>The equity marks, downsampled.</summary>
    public EquitySeries Equity { get; }

    /// <summary>The rows of <c>daily.csv</c> (equity, benchmark and rolling Sharpe by date); empty when there is none.</summary>
    public List<DailyRow> Daily { get; set; } = [];

    /// <summary>The kept round trips (the first <see cref="MaxTrades"/>), in the order they closed.</summary>
    public List<TradeRow> Trades { get; } = [];

    /// <summary>Every round trip of the run, kept or not.</summary>
    public long TradeCount { get; private set; }

    /// <summary>Candles by ticker, ordinal order.</summary>
    public SortedDictionary<string, CandleLadder> Bars { get; } = new(StringComparer.Ordinal);

    /// <summary>The file the candles come from (<c>bars.csv</c> or <c>chart_bars.csv</c>), or null when there is neither.</summary>
    public string? BarsFile { get; set; }

    /// <summary>
    /// The strategy's custom chart series, by label (<c>series</c>, or <c>series (SYMBOL)</c> for a symbol's series),
    /// each downsampled like the equity (the last value of each bucket is its close).
    /// </summary>
    public SortedDictionary<string, CandleLadder> Plots { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The series plotted over (<see cref="PlotPane.Price"/>) or under (<see cref="PlotPane.Indicator"/>) a symbol's
    /// candles, by ticker then series name, each downsampled like <see cref="Plots"/>.
    /// </summary>
    public Dictionary<string, SortedDictionary<string, Overlay>> Overlays { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Symbols the page will chart at least (0 when not known: the page's shares are then at their largest). A recorder
    /// sets it as symbols get their first bar: the page divides its fill-marker and level-line budgets among the charted
    /// symbols (<see cref="FillShare"/>, <see cref="LevelShare"/>), so a symbol need not keep more than its share for
    /// this many, and a share only shrinks as symbols come.
    /// </summary>
    public int ChartedAtLeast { get; set; }

    /// <summary>Fill markers a symbol's chart shows at most when <paramref name="charted"/> symbols are charted.</summary>
    public static int FillShare(int charted) => Math.Clamp(Html.ReportPage.FillMarkerBudget / Math.Max(1, charted), 1_000, MaxFillsPerSymbol);

    /// <summary>Resting orders whose levels a symbol's chart draws at most when <paramref name="charted"/> symbols are charted.</summary>
    public static int LevelShare(int charted) => Math.Clamp(Html.ReportPage.LevelOrderBudget / Math.Max(1, charted), 500, MaxLevelOrdersPerSymbol);

    /// <summary>The tickers that have fills.</summary>
    public IEnumerable<string> FillSymbols => _fills.Keys;

    /// <summary>
    /// The points of <paramref name="series"/> drawn on <paramref name="ticker"/>'s chart, created on first use with
    /// <paramref name="pane"/> (a series keeps its first pane); null once the symbol has <see cref="MaxOverlaysPerSymbol"/>
    /// other series.
    /// </summary>
    public PointLadder? OverlayOf(string ticker, string series, PlotPane pane)
    {
        if (!Overlays.TryGetValue(ticker, out var bySeries))
        {
            bySeries = new SortedDictionary<string, Overlay>(StringComparer.Ordinal);
            Overlays.Add(ticker, bySeries);
        }

        if (bySeries.TryGetValue(series, out var overlay))
        {
            return overlay.Points;
        }

        if (bySeries.Count >= MaxOverlaysPerSymbol)
        {
            return null;
        }

        overlay = new Overlay(pane, new PointLadder(PlotPointsPerSeries));
        bySeries.Add(series, overlay);
        return overlay.Points;
    }

    /// <summary>Adds a round trip (kept while fewer than <see cref="MaxTrades"/> are).</summary>
    public void AddTrade(TradeRow trade)
    {
        TradeCount++;
        if (Trades.Count < MaxTrades)
        {
            Trades.Add(trade);
        }
    }

    /// <summary>False once <see cref="MaxTrades"/> round trips are kept: a recorder need not build the next row.</summary>
    public bool KeepsTrade => Trades.Count < MaxTrades;

    /// <summary>Counts a round trip without keeping it (see <see cref="KeepsTrade"/>).</summary>
    public void SkipTrade() => TradeCount++;

    /// <summary>
    /// Adds a fill (kept while its symbol has fewer than its share, <see cref="FillShare"/> of <see cref="ChartedAtLeast"/>:
    /// at most <see cref="MaxFillsPerSymbol"/>); the symbol's fills past a share that shrank are let go.
    /// </summary>
    public void AddFill(FillRow fill)
    {
        var fills = FillsState(fill.Symbol);
        fills.Count++;
        var share = FillShare(ChartedAtLeast);
        if (fills.Rows.Count < share)
        {
            fills.Rows.Add(fill);
        }
        else
        {
            Trim(fills.Rows, share);
        }
    }

    /// <summary>False once <paramref name="ticker"/> keeps its share of fills (<see cref="AddFill"/>): a recorder need not build the next row.</summary>
    public bool KeepsFillOf(string ticker) => !_fills.TryGetValue(ticker, out var f) || f.Rows.Count < FillShare(ChartedAtLeast);

    /// <summary>Counts a fill of <paramref name="ticker"/> without keeping it (see <see cref="KeepsFillOf"/>).</summary>
    public void SkipFill(string ticker)
    {
        var fills = FillsState(ticker);
        fills.Count++;
        Trim(fills.Rows, FillShare(ChartedAtLeast));
    }

    /// <summary>
    /// Adds an order, in increasing id order (as <c>orders.csv</c> lists them): a resting order is kept while its symbol
    /// has fewer than its share (<see cref="LevelShare"/> of <see cref="ChartedAtLeast"/>: at most
    /// <see cref="MaxLevelOrdersPerSymbol"/>); market orders draw no level and are not kept.
    /// </summary>
    public void AddOrder(OrderRow order)
    {
        if (order.Type == "market")
        {
            return;
        }

        if (!_orders.TryGetValue(order.Symbol, out var orders))
        {
            orders = new SymbolOrders();
            _orders.Add(order.Symbol, orders);
        }

        if (orders.Rows.Count < LevelShare(ChartedAtLeast))
        {
            orders.Rows.Add(order);
        }
        else
        {
            orders.More = true;
        }
    }

    /// <summary>Notes that <paramref name="ticker"/> had resting orders beyond those added (a recorder that dropped them itself).</summary>
    public void MoreLevelOrders(string ticker)
    {
        if (_orders.TryGetValue(ticker, out var orders))
        {
            orders.More = true;
        }
    }

    /// <summary>The kept fills of <paramref name="ticker"/>, in the order they happened.</summary>
    public IReadOnlyList<FillRow> FillsOf(string ticker) => _fills.TryGetValue(ticker, out var f) ? f.Rows : [];

    /// <summary>Every fill of <paramref name="ticker"/>, kept or not.</summary>
    public long FillCountOf(string ticker) => _fills.TryGetValue(ticker, out var f) ? f.Count : 0;

    /// <summary>The kept resting orders of <paramref name="ticker"/>, by id.</summary>
    public IReadOnlyList<OrderRow> LevelOrdersOf(string ticker) => _orders.TryGetValue(ticker, out var o) ? o.Rows : [];

    /// <summary>True when <paramref name="ticker"/> had more resting orders than <see cref="LevelOrdersOf"/> holds.</summary>
    public bool HasMoreLevelOrders(string ticker) => _orders.TryGetValue(ticker, out var o) && o.More;

    private static void Trim(List<FillRow> rows, int share)
    {
        if (rows.Count > share)
        {
            rows.RemoveRange(share, rows.Count - share);
        }
    }

    private SymbolFills FillsState(string ticker)
    {
        if (!_fills.TryGetValue(ticker, out var fills))
        {
            fills = new SymbolFills();
            _fills.Add(ticker, fills);
        }

        return fills;
    }

    private sealed class SymbolFills
    {
        public List<FillRow> Rows { get; } = [];

        public long Count { get; set; }
    }

    private sealed class SymbolOrders
    {
        public List<OrderRow> Rows { get; } = [];

        public bool More { get; set; }
    }
}

/// <summary>A series drawn on a symbol's price chart: where, and its points (the close of each bucket is its value).</summary>
internal sealed record Overlay(PlotPane Pane, PointLadder Points);
