using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Reporting.Charts;

namespace StrategyLab.Reporting;

// What the report's charts draw: the candles of chart_bars.csv and the strategy's plots (plots.csv), both bounded
// per symbol or series whatever the run's length.
public sealed partial class RunFolderWriter
{
    /// <summary>The <c>pane</c> column of <c>plots.csv</c>: empty for the strategy plots chart, <c>price</c> or <c>indicator</c>.</summary>
    public static string PaneName(PlotPane pane) => pane switch
    {
        PlotPane.Price => "price",
        PlotPane.Indicator => "indicator",
        _ => string.Empty,
    };

    /// <inheritdoc />
    /// <remarks>
    /// <c>plots.csv</c> is created at the first point (incremental) or with the summary (buffered), so a run that plots
    /// nothing has none. A buffered run keeps at most <see cref="ChartBarsPerSymbol"/> points a series, as the chart
    /// candles do (<see cref="Charts.PlotRows"/>): a plot a bar of years of minutes would otherwise be a gigabyte.
    /// </remarks>
    public void OnPlot(in PlotPoint point)
    {
        ThrowIfClosed();
        var clock = point.Symbol is { } symbol ? ClockOf(symbol) : _equityClock;
        if (!_incremental)
        {
            var local = clock.LocalTicks(point.TimeUtc, out var offsetMinutes);
            (_plotRows ??= new PlotRows(ChartBarsPerSymbol)).Add(local, offsetMinutes, point);
            return;
        }

        _plots ??= new CsvFile(Path.Combine(DirectoryPath, PlotsFileName), PlotsHeader);
        WritePlotRow(_plots, clock.ToOffset(point.TimeUtc), point);
    }

    private static void WritePlotRow(CsvFile csv, DateTimeOffset at, in PlotPoint point) =>
        csv.Time(at)
            .Text(point.Symbol?.Ticker)
            .Text(point.Series)
            .Real(point.Value)
            .Text(PaneName(point.Pane))
            .EndRow();

    private void AddChartBar(in Bar bar)
    {
        if (_chartLadders.Get(bar.Symbol) is not { } ladder)
        {
            ladder = new CandleLadder(ChartBarsPerSymbol);
            _chartBars!.Add(bar.Symbol, ladder);
            _chartLadders.Set(bar.Symbol, ladder);
        }

        var clock = ClockOf(bar.Symbol);
        ladder.Add(bar.Start.Ticks, clock.OffsetTicks(bar.Start), bar.End.Ticks, clock.OffsetTicks(bar.End), bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, bar.TradeCount ?? -1);
    }

    private void WriteChartBars()
    {
        var path = Path.Combine(DirectoryPath, ChartBarsFileName);
        var temp = path + TempSuffix;
        using (var csv = new CsvFile(temp, BarsHeader))
        {
            foreach (var symbol in SortedSymbols(_chartBars!))
            {
                var ladder = _chartBars![symbol];
                foreach (var c in ladder.Candles)
                {
                    csv.Text(symbol.Ticker).Time(c.Start).Time(c.End).Number(c.Open).Number(c.High).Number(c.Low).Number(c.Close).Number(c.Volume);
                    if (c.Trades >= 0)
                    {
                        csv.Integer(c.Trades);
                    }
                    else
                    {
                        csv.Empty();
                    }

                    csv.EndRow();
                }

                csv.Commit();
            }
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes the kept points of a buffered run to <c>plots.csv</c> (temp + rename); nothing when none was plotted.</summary>
    private void WriteBufferedPlots()
    {
        if (_plotRows is null)
        {
            return;
        }

        var path = Path.Combine(DirectoryPath, PlotsFileName);
        var temp = path + TempSuffix;
        using (var csv = new CsvFile(temp, PlotsHeader))
        {
            foreach (var (at, point) in _plotRows.Points())
            {
                WritePlotRow(csv, at, point);
                if (csv.PendingBytes >= BufferedCommitBytes)
                {
                    csv.Commit();
                }
            }
        }

        File.Move(temp, path, overwrite: true);
    }
}
