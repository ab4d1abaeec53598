using System.Globalization;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Text;
using StrategyLab.Data.Time;

namespace StrategyLab.Data.Lean;

/// <summary>One row of a LEAN factor file.</summary>
/// <param name="Date">The last exchange date the factors apply to (they hold for every date after the previous row's).</param>
/// <param name="PriceFactor">Cumulative dividend factor: raw × price factor removes the later dividends.</param>
/// <param name="SplitFactor">Cumulative split factor: raw × split factor removes the later splits.</param>
/// <param name="ReferencePrice">The raw close on <paramref name="Date"/> (the first row's 1 is a placeholder).</param>
/// <param name="Line">The 1-based line in the file.</param>
public readonly record struct LeanFactorRow(DateOnly Date, decimal PriceFactor, decimal SplitFactor, decimal ReferencePrice, long Line);

/// <summary>
/// A LEAN factor file, <c>equity/usa/factor_files/&lt;ticker&gt;.csv</c>: <c>date,price_factor,split_factor,reference_price</c>
/// (yyyyMMdd, no header), dates strictly increasing.
/// </summary>
/// <remarks>
/// <para><b>Prices</b>: for a bar dated d the row in effect is the first row whose date is on or after d (no such row:
/// factors of 1). Adjusted = raw × price factor × split factor; split-adjusted = raw × split factor. The products are
/// exact decimals (no rounding). Volumes are divided by the split factor and rounded to a whole share.</para>
/// <para><b>Actions</b>, implied by consecutive rows D (earlier) and N, effective on the first trading day after D: a
/// change of split factor is a split of split_factor_N / split_factor_D new shares per old share (the quotient of the
/// 7-digit factors is snapped to the nearest simple fraction: 0.25 / 0.0357143 is 7); a change of price factor is a cash
/// dividend of reference_price_D × (1 − price_factor_D / price_factor_N) per share, rounded to 4 decimals (the factors'
/// precision).</para>
/// </remarks>
public sealed class LeanFactorFile
{
    private static readonly string[] Fields = ["date", "price_factor", "split_factor", "reference_price"];

    private LeanFactorFile(string path, LeanFactorRow[] rows)
    {
        Path = path;
        Rows = rows;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The rows, in date order.</summary>
    public IReadOnlyList<LeanFactorRow> Rows { get; }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">A row is malformed (the message names file, line and field).</exception>
    public static LeanFactorFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(path, File.ReadLines(path));
    }

    /// <summary>Parses the lines of a factor file; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">A row is malformed.</exception>
    public static LeanFactorFile Parse(string path, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rows = new List<LeanFactorRow>();
        foreach (var (line, parts) in LeanText.Rows(path, lines, Fields, minimumFields: 3))
        {
            var date = LeanText.Date(parts[0], path, line, "date");
            var price = Positive(parts[1], path, line, "price_factor");
            var split = Positive(parts[2], path, line, "split_factor");
            var reference = parts.Length == 4 ? LeanText.Number(parts[3], path, line, "reference_price") : 0m;
            if (rows.Count > 0 && date <= rows[^1].Date)
            {
                throw new DataFormatException(path, line, "date", $"{date:yyyyMMdd} is not after the previous row ({rows[^1].Date:yyyyMMdd})");
            }

            rows.Add(new LeanFactorRow(date, price, split, reference, line));
        }

        return new LeanFactorFile(path, [.. rows]);
    }

    /// <summary>The row in effect for a bar dated <paramref name="date"/>: the first on or after it; null after the last row.</summary>
    public LeanFactorRow? RowFor(DateOnly date)
    {
        var i = IndexFor(date);
        return i < Rows.Count ? Rows[i] : null;
    }

    /// <summary>The price multiplier for a bar dated <paramref name="date"/> under <paramref name="adjustment"/> (1 for raw).</summary>
    public decimal PriceMultiplier(DateOnly date, PriceAdjustment adjustment) =>
        adjustment == PriceAdjustment.Raw || RowFor(date) is not { } row ? 1m
        : adjustment == PriceAdjustment.SplitAdjusted ? row.SplitFactor
        : row.PriceFactor * row.SplitFactor;

    /// <summary>
    /// <paramref name="bars"/> (time-ordered, one symbol) with prices multiplied by the factors in effect on each bar's
    /// exchange date, and volumes divided by the split factor (whole shares); unchanged for <see cref="PriceAdjustment.Raw"/>.
    /// </summary>
    public IEnumerable<Bar> Adjust(IEnumerable<Bar> bars, PriceAdjustment adjustment, IMarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(calendar);
        return adjustment == PriceAdjustment.Raw ? bars : AdjustLazily(bars, adjustment, new ExchangeClock(calendar));
    }

    /// <summary>
    /// The splits and dividends the rows imply, with ex-dates in [<paramref name="from"/>, <paramref name="to"/>], in
    /// ex-date order (a dividend before a split on the same date: its amount is per pre-split share).
    /// </summary>
    public IReadOnlyList<CorporateAction> Actions(Symbol symbol, IMarketCalendar calendar, DateOnly from, DateOnly to)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        ArgumentNullException.ThrowIfNull(calendar);
        var actions = new List<CorporateAction>();
        for (var i = 0; i + 1 < Rows.Count; i++)
        {
            var (d, n) = (Rows[i], Rows[i + 1]);
            if (d.Date >= to)
            {
                break;
            }

            var exDate = NextSessionAfter(calendar, d.Date);
            if (exDate < from || exDate > to)
            {
                continue;
            }

            if (n.PriceFactor != d.PriceFactor)
            {
                // The factors have 7 significant digits: the quotient is good to about 1e-5, so 4 decimals recover amounts
                // such as 0.2875 or 0.425 exactly (rounding to the cent would not).
                var amount = Math.Round(d.ReferencePrice * (1m - (d.PriceFactor / n.PriceFactor)), 4, MidpointRounding.AwayFromZero);
                if (amount > 0)
                {
                    actions.Add(CorporateAction.Dividend(symbol, exDate, amount));
                }
            }

            if (n.SplitFactor != d.SplitFactor)
            {
                actions.Add(CorporateAction.Split(symbol, exDate, SplitRatio(d.SplitFactor, n.SplitFactor)));
            }
        }

        return actions;
    }

    /// <summary>
    /// The split ratio of two consecutive split factors: new / old, snapped to the nearest fraction p/q (q ≤ 100) within
    /// 1e-5 relative, because the factors are rounded to 7 digits; else the quotient rounded to 8 decimals.
    /// </summary>
    public static decimal SplitRatio(decimal before, decimal after)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(before);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(after);
        var exact = after / before;
        for (var q = 1; q <= 100; q++)
        {
            var p = Math.Round(exact * q, MidpointRounding.AwayFromZero);
            if (p > 0 && Math.Abs((p / q) - exact) <= exact * 0.00001m)
            {
                return p / q;
            }
        }

        return Math.Round(exact, 8, MidpointRounding.AwayFromZero);
    }

    private static DateOnly NextSessionAfter(IMarketCalendar calendar, DateOnly date)
    {
        for (var d = date.AddDays(1); d <= date.AddDays(30); d = d.AddDays(1))
        {
            if (calendar.GetSession(d) is not null)
            {
                return d;
            }
        }

        return date.AddDays(1);
    }

    private static decimal Positive(string text, string path, long line, string field)
    {
        var value = LeanText.Number(text, path, line, field);
        return value > 0 ? value : throw new DataFormatException(path, line, field, $"'{text}' is not a positive number");
    }

    private int IndexFor(DateOnly date)
    {
        int lo = 0, hi = Rows.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Rows[mid].Date < date)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private IEnumerable<Bar> AdjustLazily(IEnumerable<Bar> bars, PriceAdjustment adjustment, ExchangeClock clock)
    {
        // Bars come in time order: the row in effect changes a few times a year, so a bar costs a date compare.
        var validFrom = DateOnly.MaxValue;
        var validTo = DateOnly.MinValue;
        decimal price = 1m, split = 1m;
        foreach (var bar in bars)
        {
            var date = clock.LocalDate(bar.Start);
            if (date < validFrom || date > validTo)
            {
                var i = IndexFor(date);
                validFrom = i == 0 ? DateOnly.MinValue : Rows[i - 1].Date.AddDays(1);
                validTo = i < Rows.Count ? Rows[i].Date : DateOnly.MaxValue;
                split = i < Rows.Count ? Rows[i].SplitFactor : 1m;
                price = i < Rows.Count ? (adjustment == PriceAdjustment.Adjusted ? Rows[i].PriceFactor * split : split) : 1m;
            }

            yield return price == 1m && split == 1m
                ? bar
                : new Bar(
                    bar.Symbol,
                    bar.Start,
                    bar.End,
                    bar.Open * price,
                    bar.High * price,
                    bar.Low * price,
                    bar.Close * price,
                    split == 1m ? bar.Volume : Math.Round(bar.Volume / split, MidpointRounding.AwayFromZero),
                    bar.TradeCount,
                    bar.Vwap * price);
        }
    }
}

/// <summary>The field parsers of LEAN's auxiliary CSV files (factor and map files).</summary>
internal static class LeanText
{
    /// <summary>
    /// The non-blank rows of a small LEAN CSV file split into fields, with their 1-based line numbers. A row with fewer
    /// than <paramref name="minimumFields"/> or more than <paramref name="fields"/>.Length fields is an error naming the
    /// first missing field (or the extra column).
    /// </summary>
    public static IEnumerable<(long Line, string[] Parts)> Rows(string path, IEnumerable<string> lines, string[] fields, int minimumFields)
    {
        long line = 0;
        foreach (var text in lines)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var parts = text.Split(',');
            if (parts.Length < minimumFields || parts.Length > fields.Length)
            {
                var expected = minimumFields == fields.Length
                    ? fields.Length.ToString(CultureInfo.InvariantCulture)
                    : string.Create(CultureInfo.InvariantCulture, $"{minimumFields} to {fields.Length}");
                throw new DataFormatException(
                    path,
                    line,
                    parts.Length < minimumFields ? fields[parts.Length] : string.Create(CultureInfo.InvariantCulture, $"(column {fields.Length + 1})"),
                    string.Create(CultureInfo.InvariantCulture, $"the row has {parts.Length} fields; expected {expected} ({string.Join(',', fields)})"));
            }

            yield return (line, parts);
        }
    }

    public static DateOnly Date(string text, string path, long line, string field) =>
        DateOnly.TryParseExact(text.Trim(), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new DataFormatException(path, line, field, $"'{text}' is not a date yyyyMMdd");

    public static decimal Number(string text, string path, long line, string field) =>
        DecimalText.TryParse(text.Trim(), out var v)
            ? v
            : throw new DataFormatException(path, line, field, $"'{text}' is not a number");
}
