using System.Globalization;
using static StrategyLab.Reporting.Html.HtmlText;

namespace StrategyLab.Reporting.Html;

// The returns section: the monthly (and yearly) return table, and for short runs the daily grid, from the run's daily
// equity closes.
internal sealed partial class ReportPage
{
    private void ReturnsSection()
    {
        _html.Append("<section class=\"panel\" id=\"returns\">\n<div class=\"panel-head\"><h2>Returns</h2></div>\n");
        var daily = _run.Equity.DailyCloses;
        if (daily.Count == 0 || _run.Equity.StartEquity is not { } start || start <= 0)
        {
            _html.Append("<p class=\"empty\">No equity marks recorded.</p>\n</section>\n");
            return;
        }

        MonthlyTable(start, daily);
        if (daily.Count <= DailyReturnsUpToDays)
        {
            DailyGrid(start, daily);
        }

        _html.Append("<p class=\"muted small\">Return of each period from the equity at the last mark of the previous period (the start equity before the first), exchange-local dates.</p>\n</section>\n");
    }

    // The returns tables are built with lists of small classes and plain loops rather than sorted dictionaries, LINQ
    // and groupings over tuples: generic code over value types is not precompiled (ReadyToRun) and was compiled at
    // every start, a tenth of a small backtest's CPU (docs/performance.md: Start-up). Same tables, same bytes.
    private void MonthlyTable(decimal start, IReadOnlyList<(DateOnly Date, decimal Equity)> daily)
    {
        // Last close of each month, in calendar order.
        var months = new List<MonthReturn>();
        for (var i = 0; i < daily.Count; i++)
        {
            var (date, equity) = daily[i];
            var key = (date.Year * 12) + date.Month - 1;
            var at = months.Count - 1;
            while (at >= 0 && months[at].Key > key)
            {
                at--;
            }

            if (at >= 0 && months[at].Key == key)
            {
                months[at].Close = equity;
            }
            else
            {
                months.Insert(at + 1, new MonthReturn(key, equity));
            }
        }

        // Each month's return from the previous month's close, each year's from the previous year's last close.
        var years = new List<YearReturn>();
        var previous = start;
        var previousYearEnd = start;
        var lastYear = months[0].Year;
        decimal? scale = null;
        foreach (var month in months)
        {
            if (month.Year != lastYear)
            {
                previousYearEnd = previous; // the last month before this year's first
                lastYear = month.Year;
            }

            month.Return = previous > 0 ? (month.Close / previous) - 1 : 0;
            if (years.Count == 0 || years[^1].Year != month.Year)
            {
                years.Add(new YearReturn(month.Year));
            }

            years[^1].Return = previousYearEnd > 0 ? (month.Close / previousYearEnd) - 1 : 0;
            previous = month.Close;
            scale = MaxOf(scale, Math.Abs(month.Return));
        }

        var heatScale = scale ?? 0;
        _html.Append("<table class=\"heat monthly\">\n<caption>Monthly, %</caption>\n<thead><tr><th></th>");
        foreach (var m in MonthNames)
        {
            _html.Append("<th>").Append(m).Append("</th>");
        }

        _html.Append("<th>Year</th></tr></thead>\n<tbody>\n");
        var next = 0;
        foreach (var year in years)
        {
            _html.Append("<tr><th>").Append(year.Year.ToString(CultureInfo.InvariantCulture)).Append("</th>");
            for (var m = 1; m <= 12; m++)
            {
                if (next < months.Count && months[next].Key == (year.Year * 12) + m - 1)
                {
                    HeatCell(months[next++].Return, heatScale, Invariant($"{year.Year}-{m:00}"));
                }
                else
                {
                    _html.Append("<td class=\"none\"></td>");
                }
            }

            HeatCell(year.Return, Math.Max(heatScale, Math.Abs(year.Return)), year.Year.ToString(CultureInfo.InvariantCulture), "year");
            _html.Append("</tr>\n");
        }

        _html.Append("</tbody>\n</table>\n");
    }

    /// <summary>The larger of the two, the first when they are equal (as <c>Enumerable.Max</c> keeps it: equal decimals can differ in scale).</summary>
    private static decimal MaxOf(decimal? max, decimal value) => max is { } m && !(value > m) ? m : value;

    private void HeatCell(decimal value, decimal scale, string period, string? cssClass = null)
    {
        var strength = scale > 0 ? Math.Abs(value) / scale : 0;
        _html.Append("<td").Append(cssClass is null ? string.Empty : " class=\"" + cssClass + "\"")
            .Append(" data-period=\"").Append(Encode(period)).Append("\" style=\"background:").Append(HeatColour(value, strength)).Append("\">")
            .Append(Encode(SignedPercent(value))).Append("</td>");
    }

    private void DailyGrid(decimal start, IReadOnlyList<(DateOnly Date, decimal Equity)> daily)
    {
        var weekend = false;
        var returns = new DayReturn[daily.Count];
        var previous = start;
        decimal? scale = null;
        for (var i = 0; i < daily.Count; i++)
        {
            var (date, equity) = daily[i];
            weekend |= date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            returns[i] = new DayReturn(date, equity, equity - previous, previous > 0 ? (equity / previous) - 1 : 0);
            scale = MaxOf(scale, Math.Abs(returns[i].Return));
            previous = equity;
        }

        var heatScale = scale ?? 0;
        var days = weekend ? 7 : 5;
        _html.Append("<table class=\"heat daily\">\n<caption>Daily, %</caption>\n<thead><tr><th>Week of</th>");
        string[] names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        for (var d = 0; d < days; d++)
        {
            _html.Append("<th>").Append(names[d]).Append("</th>");
        }

        _html.Append("</tr></thead>\n<tbody>\n");

        // Weeks (from Monday) in the order of their first day in the list; a day at most once in its week.
        var weeks = new List<WeekReturns>();
        foreach (var r in returns)
        {
            var day = ((int)r.Date.DayOfWeek + 6) % 7;
            var monday = r.Date.AddDays(-day);
            var week = weeks.Find(w => w.Monday == monday);
            if (week is null)
            {
                week = new WeekReturns(monday);
                weeks.Add(week);
            }

            if (week.Days[day] is not null)
            {
                throw new ArgumentException($"The daily closes hold {r.Date:yyyy-MM-dd} twice.", nameof(daily));
            }

            week.Days[day] = r;
        }

        foreach (var week in weeks)
        {
            _html.Append("<tr><th>").Append(week.Monday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append("</th>");
            for (var d = 0; d < days; d++)
            {
                if (week.Days[d] is not { } r)
                {
                    _html.Append("<td class=\"none\"></td>");
                    continue;
                }

                var strength = heatScale > 0 ? Math.Abs(r.Return) / heatScale : 0;
                var date = r.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                _html.Append("<td data-period=\"").Append(date).Append("\" style=\"background:").Append(HeatColour(r.Return, strength))
                    .Append("\" title=\"").Append(Encode(date + ": equity " + StatisticDisplay.Money(r.Equity) + ", P&L " + StatisticDisplay.Money(r.Pnl)))
                    .Append("\"><span class=\"day\">").Append(r.Date.ToString("MMM dd", CultureInfo.InvariantCulture)).Append("</span>")
                    .Append(Encode(SignedPercent(r.Return))).Append("</td>");
            }

            _html.Append("</tr>\n");
        }

        _html.Append("</tbody>\n</table>\n");
    }

    /// <summary>A month of the monthly table: its key (year × 12 + month − 1), last close and return.</summary>
    private sealed class MonthReturn(int key, decimal close)
    {
        public int Key { get; } = key;

        public int Year => Key / 12;

        public decimal Close { get; set; } = close;

        public decimal Return { get; set; }
    }

    /// <summary>A year of the monthly table and its return.</summary>
    private sealed class YearReturn(int year)
    {
        public int Year { get; } = year;

        public decimal Return { get; set; }
    }

    /// <summary>A day of the daily grid.</summary>
    private sealed record DayReturn(DateOnly Date, decimal Equity, decimal Pnl, decimal Return);

    /// <summary>A row of the daily grid: the days of the week starting <see cref="Monday"/> (Monday first).</summary>
    private sealed class WeekReturns(DateOnly monday)
    {
        public DateOnly Monday { get; } = monday;

        public DayReturn?[] Days { get; } = new DayReturn?[7];
    }
}
