using StrategyLab.Core.Engine;
using StrategyLab.Reporting.Charts;
using StrategyLab.Reporting.Reading;

namespace StrategyLab.Reporting.Html;

/// <summary>
/// Builds the page of a made-up two-day run into <see cref="Stream.Null"/>, so that the code a backtest's report runs at
/// its end is already loaded, bound and initialised when the real page is built.
/// </summary>
/// <remarks>
/// <para>
/// Why: the first page a process builds is ~90 % one-time cost (type loads, the precompiled code's fix-ups, the
/// encoders' tables, the chart library's checks): the 390-bar run's page took ~30 ms cold and ~3 ms built again, and its
/// end waits for the page. Run on another thread while the engine runs, that cost leaves the run's end.
/// </para>
/// <para>
/// Safe beside a real run: it uses only objects of its own (no symbol, no calendar, no file; the folder named here is
/// never created) and the process-wide caches it fills (the chart library's bytes, the scripts, the encoders) hold the
/// same values whoever fills them first, so the real page's bytes do not change (the golden run-folder tests and the
/// whole-folder comparisons of docs/performance.md, session 34).
/// </para>
/// </remarks>
internal static class ReportWarmUp
{
    private const string Folder = "/strategylab-report-warm-up";
    private const string Ticker = "WARM";

    private static readonly TimeSpan Offset = TimeSpan.FromHours(-5);

    /// <summary>Builds the made-up page; returns how many bytes it would have written.</summary>
    public static long Run()
    {
        var counting = new CountingStream();
        new ReportPage(Data()).WriteTo(counting);
        return counting.Length;
    }

    /// <summary>The made-up run: a summary and two dates of daily rows as the writer makes them, eight candles, an overlay and a plot, a resting order, two fills and a round trip.</summary>
    internal static ReportData Data()
    {
        var data = new ReportData(Folder, 100_000m) { ChartedAtLeast = 1, BarsFile = RunFolderWriter.ChartBarsFileName };
        data.Summary = RunSummary.Parse(SummaryBytes.ToArray(), Folder);
        data.Daily = Reporting.DailyCsv.Read(DailyBytes.ToArray(), Path.Combine(Folder, Reporting.DailyCsv.FileName));

        var open = new DateTimeOffset(2024, 1, 2, 9, 30, 0, Offset);
        var candles = new CandleLadder(ReportData.CandlesPerSymbol);
        var plot = new CandleLadder(ReportData.PlotPointsPerSeries);
        data.Bars.Add(Ticker, candles);
        data.Plots.Add("spread (" + Ticker + ")", plot);
        var overlay = data.OverlayOf(Ticker, "sma_fast", PlotPane.Price);
        for (var day = 0; day < 2; day++)
        {
            for (var minute = 0; minute < 4; minute++)
            {
                var start = open.AddDays(day).AddMinutes(minute);
                var end = start.AddMinutes(1);
                var price = 20.05m + (minute * 0.01m) - (day * 0.1m);
                candles.Add(start.UtcTicks, start.Offset.Ticks, end.UtcTicks, end.Offset.Ticks, price, price + 0.02m, price - 0.01m, price + 0.01m, 1_200m, -1);
                overlay?.Add(end, (double)price);
                plot.Add(end, end, 0.5m, 0.5m, 0.5m, 0.5m, 0, -1);
                data.Equity.AddRounded(end.UtcTicks, end.Offset.Ticks, 100_000m + (minute * 12.34m) - (day * 56.78m));
            }
        }

        var entry = open.AddMinutes(1);
        var exit = open.AddDays(1).AddMinutes(2);
        data.AddOrder(new OrderRow(2, entry, Ticker, "sell", "stop", 1_246m, null, 19.64m, "stop_loss", "canceled", exit));
        data.AddFill(new FillRow(entry, 1, Ticker, "buy", 1_246m, 20.06m, 6.23m, "entry"));
        data.AddFill(new FillRow(exit, 3, Ticker, "sell", 1_246m, 19.97m, 6.23m, "exit"));
        data.AddTrade(new TradeRow(Ticker, "long", 1_246m, entry, 20.06m, exit, 19.97m, -112.14m, 12.46m, "signal", -224.28m, 211.82m));
        return data;
    }

    /// <summary>A <c>summary.json</c> of the writer's shape (shortened).</summary>
    private static ReadOnlySpan<byte> SummaryBytes => """
        {"engine":{"name":"Strategy Lab","version":"0"},"mode":"backtest",
        "configuration":{"mode":"backtest","data":{"provider":"csv","path":"warm.csv","symbols":["WARM"],"timeframe":"1m"},
        "strategy":{"name":"sma_crossover","params":{"fast":10,"slow":30}},"exchange":{"initial_cash":100000,"commission":{"model":"zero"}},
        "output":{"dir":null,"report":true},"benchmark":null,"providers":{"finnhub":{"api_key":null}},"instruments":{}},
        "data":{"source":"warm.csv","synthetic":false,"label":null,"adjustment":"as_given"},
        "period":{"first_bar_start":"2024-01-02T09:30:00-05:00","last_bar_end":"2024-01-03T09:34:00-05:00"},
        "statistics":{"start_equity":100000,"end_equity":99887.86,"net_profit":-112.14,"trading_days":2,"total_return":-0.0011214,
        "cagr":-0.1,"annual_volatility":0.01,"sharpe":-1.5,"sortino":-2,"risk_free_rate":0,"max_drawdown":0.0037,"longest_drawdown":"02:34:00",
        "longest_drawdown_trading_days":1,"longest_drawdown_recovered":false,"calmar":-66.0,"rolling_sharpe_days":63,"benchmark":"WARM",
        "benchmark_return":-0.003,"alpha":null,"beta":null,"trade_count":1,"winning_trades":0,"losing_trades":1,"win_rate":0,
        "gross_profit":0,"gross_loss":-112.14,"profit_factor":0,"average_win":null,"average_loss":-112.14,"expectancy":-112.14,
        "exposure":0.45,"total_fees":12.46,"fee_share_of_gross":0.125,"fees_dominate":false,"average_mae":-224.28,"average_mfe":211.82,
        "average_holding_time":"1.00:01:00","median_holding_time":"1.00:01:00"},
        "counts":{"cycles":8,"bars":8,"orders":3,"fills":2,"round_trips":1,"open_positions":0,"final_equity":99887.86},
        "attribution":[{"symbol":"WARM","trade_count":1,"winning_trades":0,"win_rate":0,"net_pnl":-112.14,"fees":12.46,"exposure":0.45}],
        "holding_times":[{"label":"<5min","from":"00:00:00","to":"00:05:00","trades":0},{"label":"1–5d","from":"1.00:00:00","to":"5.00:00:00","trades":1}],
        "session":{"stop_reason":"end_of_data"},"corporate_actions":[],"open_positions":[]}
        """u8;

    /// <summary>A <c>daily.csv</c> of two dates.</summary>
    private static ReadOnlySpan<byte> DailyBytes =>
        "time,equity,benchmark,rolling_sharpe\n2024-01-02T16:00:00-05:00,100037.02,99700,\n2024-01-03T16:00:00-05:00,99887.86,99600,-1.25\n"u8;

    /// <summary>Counts what is written and keeps none of it.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }
}
