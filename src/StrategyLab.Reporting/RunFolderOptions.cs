using System.Text.Json.Nodes;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Reporting;

/// <summary>What <see cref="RunFolderWriter"/> writes and how.</summary>
public sealed record RunFolderOptions
{
    /// <summary>Backtest, replay or live: recorded in the summary and the default for <see cref="Incremental"/> and <see cref="WriteBars"/>.</summary>
    public required RunMode Mode { get; init; }

    /// <summary>The calendar of each symbol: its offset is written with every time of that symbol (trades, fills, orders, bars).</summary>
    public required Func<Symbol, IMarketCalendar> Calendars { get; init; }

    /// <summary>
    /// The calendar whose offset <c>equity.csv</c> and the summary's period are written in (normally the primary symbol's);
    /// null writes them in UTC (<c>+00:00</c>).
    /// </summary>
    public IMarketCalendar? EquityCalendar { get; init; }

    /// <summary>
    /// True: every line reaches the file at the end of the cycle it belongs to (fills and trades at once), orders.csv is
    /// rewritten when orders changed. False: lines are buffered and the files are complete at <see cref="RunFolderWriter.Complete"/>.
    /// Null (default): incremental for replay and live, buffered for backtest.
    /// </summary>
    public bool? Incremental { get; init; }

    /// <summary>Write <c>bars.csv</c>. Null (default): on for replay and live, off for backtest.</summary>
    public bool? WriteBars { get; init; }

    /// <summary>
    /// Write <c>chart_bars.csv</c>: the bars downsampled for the report's candlestick charts, at most
    /// <see cref="RunFolderWriter.ChartBarsPerSymbol"/> rows a symbol, written with the summary. Null (default): when
    /// <c>bars.csv</c> is not written (the report reads bars.csv when there is one).
    /// </summary>
    public bool? WriteChartBars { get; init; }

    /// <summary>
    /// Which equity marks <c>equity.csv</c> holds. Null (default): <see cref="EquityResolution.Session"/> for backtest,
    /// <see cref="EquityResolution.Cycle"/> for replay and live. Statistics are computed from every mark either way.
    /// </summary>
    public EquityResolution? Equity { get; init; }

    /// <summary>The run's configuration, echoed verbatim in the summary (leave secrets out of it).</summary>
    public JsonNode? Configuration { get; init; }

    /// <summary>
    /// Where the MAE and MFE of each round trip come from (the run's <see cref="Core.Statistics.StatisticsRecorder"/>,
    /// placed before the writer in the recorders); their <c>trades.csv</c> columns are empty when null.
    /// </summary>
    public Core.Statistics.ITradeExcursions? Excursions { get; init; }

    /// <summary>The data used, echoed in the summary.</summary>
    public DataDescription? Data { get; init; }

    /// <summary>Whether the writer is incremental after defaults.</summary>
    public bool IsIncremental => Incremental ?? Mode != RunMode.Backtest;

    /// <summary>Whether bars.csv is written after defaults.</summary>
    public bool IsWritingBars => WriteBars ?? Mode != RunMode.Backtest;

    /// <summary>The resolution of equity.csv after defaults.</summary>
    public EquityResolution EquityResolution => Equity ?? (Mode == RunMode.Backtest ? EquityResolution.Session : EquityResolution.Cycle);

    /// <summary>Whether chart_bars.csv is written after defaults.</summary>
    public bool IsWritingChartBars => WriteChartBars ?? !IsWritingBars;
}
