using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Reporting.Charts;
using StrategyLab.Reporting.Reading;

namespace StrategyLab.Reporting;

/// <summary>
/// Collects, as the run goes and in bounded memory, what <c>report.html</c> draws, so that
/// <see cref="Html.HtmlReport.Write(ReportRecorder)"/> builds the page without reading the run folder's CSV files back:
/// the equity downsampled as it arrives, the first round trips, fills and resting orders (the bounds of
/// <see cref="Html.HtmlReport"/>), the strategy's plots, and the candles (those of <c>chart_bars.csv</c>, shared with
/// the <see cref="RunFolderWriter"/>, or every bar when it writes <c>bars.csv</c>).
/// </summary>
/// <remarks>
/// Every value goes through the artifact format's rounding (<see cref="ArtifactValue"/>) and every time through the
/// same exchange offsets as the writer, so the page equals, byte for byte, the one <see cref="Html.HtmlReport.Write(string)"/>
/// builds from the folder's files. Put it in the same <see cref="CompositeRecorder"/> as the writer; not
/// thread-safe: call it from the engine's thread.
/// </remarks>
public sealed class ReportRecorder : ISelectiveRecorder
{
    private readonly RunFolderWriter _writer;
    private readonly decimal _startEquity;
    private readonly ReportData _data;
    private readonly ExchangeOffsetCache _equityClock;
    private readonly Dictionary<Symbol, ExchangeOffsetCache> _clocks = [];
    private readonly Dictionary<Symbol, RestingOrders> _restingOrders = [];
    private readonly Dictionary<(string Series, Symbol? Symbol), PlotTarget> _plots = [];
    private readonly bool _barsFromEvents;
    private ReportData? _built;
    private bool _mismatch;

    /// <summary>Creates a recorder for the run <paramref name="writer"/> writes.</summary>
    /// <param name="writer">The run's folder writer: its folder, calendars and chart candles.</param>
    /// <param name="startEquity">The account's equity before the first bar (the summary's <c>start_equity</c>): the drawdown's first peak.</param>
    public ReportRecorder(RunFolderWriter writer, decimal startEquity)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _startEquity = ArtifactValue.Of(startEquity);
        _data = new ReportData(writer.DirectoryPath, _startEquity);
        _equityClock = new ExchangeOffsetCache(writer.Options.EquityCalendar);
        _barsFromEvents = writer.Options.IsWritingBars;
    }

    /// <summary>The run folder (full path).</summary>
    public string Folder => _writer.DirectoryPath;

    /// <inheritdoc />
    /// <remarks>
    /// Bars only when the writer writes <c>bars.csv</c> (else the page draws the writer's chart candles), plot points
    /// only when the writer streams them (else the page draws the writer's buffered points): a call per bar and per point
    /// saved in a backtest.
    /// </remarks>
    public RecorderEvents Events =>
        RecorderEvents.OrderEvents | RecorderEvents.Equity | (_barsFromEvents ? RecorderEvents.Bars : 0) | (_writer.BuffersPlots ? 0 : RecorderEvents.Plots);

    /// <inheritdoc />
    public void OnBar(in Bar bar)
    {
        if (!_barsFromEvents)
        {
            return; // the writer's chart_bars candles are used
        }

        var ticker = bar.Symbol.Ticker;
        if (!_data.Bars.TryGetValue(ticker, out var ladder))
        {
            ladder = new CandleLadder(ReportData.CandlesPerSymbol);
            _data.Bars.Add(ticker, ladder);
        }

        var clock = ClockOf(bar.Symbol);
        ladder.Add(
            clock.ToOffset(bar.Start),
            clock.ToOffset(bar.End),
            ArtifactValue.Of(bar.Open),
            ArtifactValue.Of(bar.High),
            ArtifactValue.Of(bar.Low),
            ArtifactValue.Of(bar.Close),
            ArtifactValue.Of(bar.Volume),
            bar.TradeCount ?? -1);
    }

    /// <inheritdoc />
    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        // The symbols charted so far (those with a bar): the page charts at least these, so a symbol keeps no more fills
        // and resting orders than its share of the page's budgets for that many.
        _data.ChartedAtLeast = _barsFromEvents ? _data.Bars.Count : _writer.ChartedSymbols;
        var order = orderEvent.Order;
        if (order.Type != OrderType.Market)
        {
            Track(order);
        }

        if (orderEvent.Fill is not { } fill)
        {
            return;
        }

        var ticker = fill.Symbol.Ticker;
        if (!_data.KeepsFillOf(ticker))
        {
            _data.SkipFill(ticker);
            return;
        }

        _data.AddFill(new FillRow(
            ClockOf(fill.Symbol).ToOffset(fill.TimeUtc),
            fill.OrderId,
            ticker,
            ArtifactFormat.Name(fill.Side),
            ArtifactValue.Of(fill.Quantity),
            ArtifactValue.Of(fill.Price),
            ArtifactValue.Of(fill.Commission),
            fill.Tag ?? string.Empty));
    }

    /// <inheritdoc />
    public void OnRoundTrip(RoundTrip trip)
    {
        ArgumentNullException.ThrowIfNull(trip);
        if (!_data.KeepsTrade)
        {
            _data.SkipTrade();
            return;
        }

        var clock = ClockOf(trip.Symbol);
        var excursion = _writer.Options.Excursions?.ExcursionOf(trip);
        _data.AddTrade(new TradeRow(
            trip.Symbol.Ticker,
            ArtifactFormat.Name(trip.Direction),
            ArtifactValue.Of(trip.Quantity),
            clock.ToOffset(trip.EntryTimeUtc),
            ArtifactValue.Of(trip.EntryPrice),
            clock.ToOffset(trip.ExitTimeUtc),
            ArtifactValue.Of(trip.ExitPrice),
            ArtifactValue.Of(trip.Pnl),
            ArtifactValue.Of(trip.Commission),
            trip.ExitReason ?? string.Empty,
            ArtifactValue.Of(excursion?.Mae),
            ArtifactValue.Of(excursion?.Mfe)));
    }

    /// <inheritdoc />
    /// <remarks>The equity is rounded (to units) and no time value is made per mark: see <see cref="EquitySeries.AddRounded"/>.</remarks>
    public void OnEquity(in EquityPoint point) => _data.Equity.AddRounded(point.TimeUtc.Ticks, _equityClock.OffsetTicks(point.TimeUtc), point.Equity);

    /// <inheritdoc />
    /// <remarks>A buffered writer keeps the points of <c>plots.csv</c> bounded; <see cref="Build()"/> draws those, as the page read from the file does.</remarks>
    public void OnPlot(in PlotPoint point)
    {
        if (_writer.BuffersPlots)
        {
            return;
        }

        AddPlot((point.Symbol is { } symbol ? ClockOf(symbol) : _equityClock).ToOffset(point.TimeUtc), point);
    }

    private void AddPlot(DateTimeOffset at, in PlotPoint point)
    {
        var v = point.Value;
        if (Math.Abs(v) >= 7.9e28)
        {
            return; // beyond what the chart's decimal ladder holds: left out of the chart, as when read from plots.csv
        }

        if (!_plots.TryGetValue((point.Series, point.Symbol), out var target))
        {
            target = TargetOf(point);
            var kept = _writer.PlotRows?.KeptOf(point) ?? 0;
            target.Overlay?.Reserve(kept);
            target.Plot?.Reserve(kept);
            _plots.Add((point.Series, point.Symbol), target);
        }

        if (target.Overlay is { } overlay)
        {
            overlay.Add(at, v);
        }
        else if (target.Plot is { } ladder)
        {
            var d = (decimal)v;
            ladder.Add(at, at, d, d, d, d, 0, -1);
        }

        // neither: beyond the symbol's overlays, left out as when read from plots.csv
    }

    /// <summary>Where a series' points go, from its first point: a symbol's overlay (neither past the symbol's cap) or a strategy plot.</summary>
    private PlotTarget TargetOf(in PlotPoint point)
    {
        if (point.Pane != PlotPane.Strategy && point.Symbol is { } owner)
        {
            return new PlotTarget(null, _data.OverlayOf(owner.Ticker, point.Series, point.Pane));
        }

        var label = point.Symbol is { } s ? point.Series + " (" + s.Ticker + ")" : point.Series;
        if (!_data.Plots.TryGetValue(label, out var ladder))
        {
            ladder = new CandleLadder(ReportData.PlotPointsPerSeries);
            _data.Plots.Add(label, ladder);
        }

        return new PlotTarget(ladder, null);
    }

    /// <summary>
    /// The page's input, once the writer has completed the folder (its <c>summary.json</c> is read, nothing else); null
    /// when the summary's start equity is not the one given here (the page is then built from the files).
    /// </summary>
    internal ReportData? Build() => Build(null);

    /// <summary>
    /// <see cref="Build()"/> with the summary and the daily rows taken from <paramref name="ending"/>, the bytes the writer
    /// is about to write (the same bytes as the files: the page is the same), so that the page can be built while the
    /// writer completes the folder. Reads only what the run recorded and, of the writer, its candles and plot points;
    /// null when <paramref name="ending"/> is null and the folder has no summary yet, or the start equities differ.
    /// </summary>
    internal ReportData? Build(RunFolderEnding? ending)
    {
        if (_built is not null || _mismatch)
        {
            return _built;
        }

        var folder = _writer.DirectoryPath;
        var summary = ending is not null ? RunSummary.Parse(ending.Summary, folder) : RunSummary.Exists(folder) ? RunSummary.Read(folder) : null;
        if (summary?.Decimal("start_equity") != _startEquity)
        {
            _mismatch = true;
            return null;
        }

        _data.Summary = summary;

        // One row a date, written with the summary.
        _data.Daily = ending is not null ? DailyCsv.Read(ending.Daily, Path.Combine(folder, DailyCsv.FileName)) : DailyCsv.Read(folder);
        foreach (var (symbol, resting) in _restingOrders)
        {
            var clock = ClockOf(symbol);
            foreach (var o in RestingById(resting.Kept))
            {
                _data.AddOrder(new OrderRow(
                    o.Id,
                    clock.ToOffset(o.CreatedUtc),
                    o.Symbol.Ticker,
                    ArtifactFormat.Name(o.Side),
                    ArtifactFormat.Name(o.Type),
                    ArtifactValue.Of(o.Quantity),
                    ArtifactValue.Of(o.LimitPrice),
                    ArtifactValue.Of(o.StopPrice),
                    o.Tag ?? string.Empty,
                    ArtifactFormat.Name(o.Status),
                    clock.ToOffset(o.UpdatedUtc)));
            }

            if (resting.More)
            {
                _data.MoreLevelOrders(symbol.Ticker);
            }
        }

        if (_writer.PlotRows is { } plots)
        {
            foreach (var (at, point) in plots.Points())
            {
                AddPlot(at, point);
            }
        }

        if (_barsFromEvents)
        {
            _data.BarsFile = RunFolderWriter.BarsFileName;
        }
        else if (_writer.ChartBars is { } chartBars)
        {
            _data.BarsFile = RunFolderWriter.ChartBarsFileName;
            foreach (var symbol in RunFolderWriter.SortedSymbols(chartBars))
            {
                var candles = chartBars[symbol];
                // As the page reads chart_bars.csv: the writer's candles, rounded as written, merged again into a ladder.
                if (!_data.Bars.TryGetValue(symbol.Ticker, out var ladder))
                {
                    ladder = new CandleLadder(ReportData.CandlesPerSymbol);
                    ladder.Reserve(candles.Candles.Count);
                    _data.Bars.Add(symbol.Ticker, ladder);
                }

                foreach (var c in candles.Candles)
                {
                    ladder.Add(
                        c.StartUtcTicks,
                        c.StartOffsetTicks,
                        c.EndUtcTicks,
                        c.EndOffsetTicks,
                        ArtifactValue.Of(c.Open),
                        ArtifactValue.Of(c.High),
                        ArtifactValue.Of(c.Low),
                        ArtifactValue.Of(c.Close),
                        ArtifactValue.Of(c.Volume),
                        c.Trades);
                }
            }
        }

        _built = _data;
        return _built;
    }

    /// <summary>
    /// Keeps the resting orders of a symbol with the lowest ids (as reading <c>orders.csv</c>, in id order, keeps the
    /// first ones), as many as the symbol's share of the page's level lines (<see cref="ReportData.LevelShare"/>): a
    /// bounded max-heap by id, and the ids in it so that an order's later events add nothing. When the share shrinks (a
    /// symbol's first bar), the highest ids go.
    /// </summary>
    private void Track(Order order)
    {
        if (!_restingOrders.TryGetValue(order.Symbol, out var resting))
        {
            resting = new RestingOrders();
            _restingOrders.Add(order.Symbol, resting);
        }

        // Kept ids are at most the highest kept (the queue's first out): a newer order, nearly every event once the queue
        // is full, needs no hashed look-up.
        if (resting.Kept.Count > 0 && order.Id <= resting.Kept.Peek().Id && resting.Ids.Contains(order.Id))
        {
            return;
        }

        var share = ReportData.LevelShare(_data.ChartedAtLeast);
        while (resting.Kept.Count > share)
        {
            resting.Ids.Remove(resting.Kept.Dequeue().Id);
            resting.More = true;
        }

        if (resting.Kept.Count < share)
        {
            resting.Kept.Enqueue(order, -order.Id);
            resting.Ids.Add(order.Id);
            return;
        }

        resting.More = true;
        var highest = resting.Kept.Peek();
        if (order.Id < highest.Id)
        {
            resting.Kept.Dequeue();
            resting.Ids.Remove(highest.Id);
            resting.Kept.Enqueue(order, -order.Id);
            resting.Ids.Add(order.Id);
        }
    }

    /// <summary>
    /// The kept orders by id (ids are unique: <see cref="RestingOrders.Ids"/>). An array sorted in place rather than
    /// LINQ's OrderBy over the queue's (element, priority) tuples, whose generic code is JIT-compiled at every start.
    /// </summary>
    private static Order[] RestingById(PriorityQueue<Order, long> kept)
    {
        var orders = new Order[kept.Count];
        var i = 0;
        foreach (var (order, _) in kept.UnorderedItems)
        {
            orders[i++] = order;
        }

        Array.Sort(orders, static (a, b) => a.Id.CompareTo(b.Id));
        return orders;
    }

    private ExchangeOffsetCache ClockOf(Symbol symbol)
    {
        if (!_clocks.TryGetValue(symbol, out var clock))
        {
            clock = new ExchangeOffsetCache(_writer.Options.Calendars(symbol));
            _clocks.Add(symbol, clock);
        }

        return clock;
    }

    /// <summary>A series' destination: a strategy plot's candles or a symbol's overlay points (both null past the overlay cap).</summary>
    private readonly record struct PlotTarget(CandleLadder? Plot, PointLadder? Overlay);

    private sealed class RestingOrders
    {
        /// <summary>The kept orders, the highest id first out.</summary>
        public PriorityQueue<Order, long> Kept { get; } = new();

        public HashSet<long> Ids { get; } = [];

        /// <summary>True once an order was left out.</summary>
        public bool More { get; set; }
    }
}
