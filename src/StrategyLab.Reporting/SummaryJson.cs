using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Statistics;

namespace StrategyLab.Reporting;

/// <summary>
/// Writes <c>summary.json</c>: indented with two spaces, <c>\n</c> line ends, keys in a fixed order, numbers in the
/// artifact number format (<see cref="ArtifactFormat"/>), undefined statistics as <c>null</c>.
/// </summary>
internal static class SummaryJson
{
    /// <summary>The engine's informational version (the core assembly's), e.g. <c>0.1.0+3e8b72a…</c>.</summary>
    public static string EngineVersion { get; } =
        typeof(TradingEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(TradingEngine).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static void Write(Stream stream, RunFolderWriter run, RunSnapshot snapshot)
    {
        var options = new JsonWriterOptions
        {
            Indented = true,
            NewLine = "\n",

            // Keep '+', quotes and non-ASCII readable; the file is data, not HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using var w = new Utf8JsonWriter(stream, options);
        var equityClock = new ExchangeOffsetCache(run.Options.EquityCalendar);
        var portfolio = snapshot.Portfolio;
        var counters = snapshot.Counters;

        w.WriteStartObject();

        w.WriteStartObject("engine");
        w.WriteString("name", "Strategy Lab");
        w.WriteString("version", EngineVersion);
        w.WriteEndObject();

        w.WriteString("mode", ArtifactFormat.Name(run.Options.Mode));

        w.WritePropertyName("configuration");
        if (run.Options.Configuration is { } configuration)
        {
            configuration.WriteTo(w);
        }
        else
        {
            w.WriteNullValue();
        }

        w.WritePropertyName("data");
        if (run.Options.Data is { } data)
        {
            w.WriteStartObject();
            w.WriteString("source", data.Source);
            w.WriteBoolean("synthetic", data.Synthetic);
            w.WriteString("label", data.Label);
            if (data.Adjustment is { } adjustment)
            {
                w.WriteString("adjustment", adjustment);
            }

            w.WriteEndObject();
        }
        else
        {
            w.WriteNullValue();
        }

        w.WriteStartObject("period");
        Time(w, "first_bar_start", run.FirstBarStartUtc is { } first ? equityClock.ToOffset(first) : null);
        Time(w, "last_bar_end", run.LastBarEndUtc is { } last ? equityClock.ToOffset(last) : null);
        w.WriteEndObject();

        WriteStatistics(w, snapshot.Statistics);

        w.WriteStartObject("counts");
        Number(w, "cycles", counters.Cycles);
        Number(w, "bars", counters.Bars);
        Number(w, "bars_dropped", counters.BarsDropped);
        Number(w, "equity_marks", run.EquityMarks);
        Number(w, "orders", counters.OrdersSubmitted);
        Number(w, "fills", counters.Fills);
        Number(w, "rejections", counters.OrdersRejected);
        Number(w, "round_trips", run.RoundTrips);
        Number(w, "open_positions", portfolio.OpenPositionCount);
        Number(w, "final_equity", portfolio.Equity);
        Number(w, "final_cash", portfolio.Cash);
        w.WriteEndObject();

        WriteAttribution(w, snapshot.Statistics);
        WriteHoldingTimes(w, snapshot.Statistics);

        if (snapshot.OutsideSession is { } outside)
        {
            WriteOutsideSession(w, outside);
        }

        if (snapshot.Session is { } session)
        {
            w.WritePropertyName("session");
            session.WriteTo(w);
        }

        w.WriteStartArray("corporate_actions");
        foreach (var a in run.CorporateActions)
        {
            var action = a.Action;
            w.WriteStartObject();
            w.WriteString("date", action.ExDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("symbol", action.Symbol.Ticker);
            w.WriteString("kind", action.Kind == Core.CorporateActions.CorporateActionKind.Split ? "split" : "dividend");
            if (action.Kind == Core.CorporateActions.CorporateActionKind.Split)
            {
                Number(w, "ratio", action.SplitRatio);
            }
            else
            {
                Number(w, "amount", action.DividendPerShare);
            }

            Number(w, "qty_before", a.QuantityBefore);
            Number(w, "qty_after", a.QuantityAfter);
            Number(w, "cash", a.CashAmount);
            Number(w, "orders_adjusted", a.OrdersAdjusted);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("open_positions");
        foreach (var p in portfolio.Positions.Where(p => p.IsOpen).OrderBy(p => p.Symbol))
        {
            w.WriteStartObject();
            w.WriteString("symbol", p.Symbol.Ticker);
            w.WriteString("side", p.IsLong ? "long" : "short");
            Number(w, "qty", Math.Abs(p.Quantity));
            Number(w, "avg_price", p.AveragePrice);
            Number(w, "last_price", p.LastPrice);
            Time(w, "last_price_time", run.Options.Calendars(p.Symbol).ToExchangeOffset(p.LastPriceTimeUtc));
            Number(w, "market_value", p.MarketValue);
            Number(w, "unrealized_pnl", p.UnrealizedPnl);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n'); // a text file ends with a line break
    }

    /// <summary>The bars left out as outside the sessions: the total, then per kind the count, first dates and counts per symbol.</summary>
    private static void WriteOutsideSession(Utf8JsonWriter w, OutsideSessionBars outside)
    {
        w.WriteStartObject("bars_outside_session");
        Number(w, "count", outside.Count);
        foreach (var (name, kind) in new[]
                 {
                     ("closed_days", OutsideSessionKind.ClosedDay),
                     ("outside_hours", OutsideSessionKind.OutsideHours),
                     ("extended_hours", OutsideSessionKind.ExtendedHours),
                 })
        {
            var group = outside[kind];
            w.WriteStartObject(name);
            Number(w, "count", group.Count);
            w.WriteStartArray("first_dates");
            foreach (var (date, bars) in group.FirstDates)
            {
                w.WriteStartObject();
                w.WriteString("date", date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                Number(w, "bars", bars);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("more_dates", group.MoreDates);
            w.WriteStartObject("by_symbol");
            foreach (var (symbol, count) in group.BySymbol)
            {
                Number(w, symbol.Ticker, count);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>Every property of <see cref="PerformanceStatistics"/>, snake-cased, in declaration order.</summary>
    private static void WriteStatistics(Utf8JsonWriter w, PerformanceStatistics s)
    {
        w.WriteStartObject("statistics");
        Number(w, "start_equity", s.StartEquity);
        Number(w, "end_equity", s.EndEquity);
        Number(w, "net_profit", s.NetProfit);
        Number(w, "trading_days", s.TradingDays);
        Number(w, "total_return", s.TotalReturn);
        Number(w, "cagr", s.Cagr);
        Number(w, "annual_volatility", s.AnnualVolatility);
        Number(w, "sharpe", s.Sharpe);
        Number(w, "sortino", s.Sortino);
        Number(w, "risk_free_rate", s.RiskFreeRate);
        Number(w, "max_drawdown", s.MaxDrawdown);
        w.WriteString("longest_drawdown", s.LongestDrawdown.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
        Number(w, "longest_drawdown_trading_days", s.LongestDrawdownTradingDays);
        w.WriteBoolean("longest_drawdown_recovered", s.LongestDrawdownRecovered);
        Number(w, "calmar", s.Calmar);
        Number(w, "rolling_sharpe_days", (decimal?)s.RollingSharpeDays);
        var b = s.Benchmark;
        if (b is null)
        {
            w.WriteNull("benchmark");
        }
        else
        {
            w.WriteString("benchmark", b.Symbol);
        }

        Number(w, "benchmark_return", b?.TotalReturn);
        Number(w, "alpha", b?.Alpha);
        Number(w, "beta", b?.Beta);
        Number(w, "correlation", b?.Correlation);
        Number(w, "tracking_error", b?.TrackingError);
        Number(w, "information_ratio", b?.InformationRatio);
        Number(w, "trade_count", s.TradeCount);
        Number(w, "winning_trades", s.WinningTrades);
        Number(w, "losing_trades", s.LosingTrades);
        Number(w, "win_rate", s.WinRate);
        Number(w, "gross_profit", s.GrossProfit);
        Number(w, "gross_loss", s.GrossLoss);
        Number(w, "profit_factor", s.ProfitFactor);
        Number(w, "average_win", s.AverageWin);
        Number(w, "average_loss", s.AverageLoss);
        Number(w, "expectancy", s.Expectancy);
        Number(w, "exposure", s.Exposure);
        Number(w, "total_fees", s.TotalFees);
        Number(w, "fee_share_of_gross", s.FeeShareOfGross);
        w.WriteBoolean("fees_dominate", s.FeesDominate);
        var q = s.Quality;
        Number(w, "average_mae", q?.AverageMae);
        Number(w, "average_mfe", q?.AverageMfe);
        Duration(w, "average_holding_time", q?.AverageHoldingTime);
        Duration(w, "median_holding_time", q?.MedianHoldingTime);
        w.WriteEndObject();
    }

    /// <summary>What each symbol contributed (<see cref="PerformanceStatistics.Attribution"/>).</summary>
    private static void WriteAttribution(Utf8JsonWriter w, PerformanceStatistics s)
    {
        w.WriteStartArray("attribution");
        foreach (var a in s.Attribution)
        {
            w.WriteStartObject();
            w.WriteString("symbol", a.Symbol);
            Number(w, "trade_count", a.Trades);
            Number(w, "winning_trades", a.WinningTrades);
            Number(w, "win_rate", a.WinRate);
            Number(w, "net_pnl", a.NetPnl);
            Number(w, "fees", a.Fees);
            Number(w, "exposure", a.Exposure);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>The holding-time distribution (<see cref="TradeQuality.HoldingTimes"/>); empty when not recorded.</summary>
    private static void WriteHoldingTimes(Utf8JsonWriter w, PerformanceStatistics s)
    {
        w.WriteStartArray("holding_times");
        foreach (var h in s.Quality?.HoldingTimes ?? [])
        {
            w.WriteStartObject();
            w.WriteString("label", h.Label);
            Duration(w, "from", h.From);
            Duration(w, "to", h.To);
            Number(w, "trades", h.Trades);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>A duration as <c>[d.]hh:mm:ss</c>, rounded to the second; null when absent.</summary>
    private static void Duration(Utf8JsonWriter w, string name, TimeSpan? value)
    {
        if (value is { } v)
        {
            var seconds = TimeSpan.FromSeconds(Math.Round(v.TotalSeconds, MidpointRounding.AwayFromZero));
            w.WriteString(name, seconds.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Number(Utf8JsonWriter w, string name, decimal? value)
    {
        w.WritePropertyName(name);
        if (value is { } v)
        {
            w.WriteRawValue(ArtifactFormat.ToText(v));
        }
        else
        {
            w.WriteNullValue();
        }
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        w.WritePropertyName(name);
        if (value is { } v)
        {
            w.WriteRawValue(ArtifactFormat.ToText(v));
        }
        else
        {
            w.WriteNullValue();
        }
    }

    private static void Number(Utf8JsonWriter w, string name, long value) => w.WriteNumber(name, value);

    private static void Time(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, ArtifactFormat.ToText(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
