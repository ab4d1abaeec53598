
namespace StrategyLab.Data.Lean;

/// <summary>One row of a LEAN map file: the ticker in effect up to and including <paramref name="Date"/>.</summary>
/// <param name="Date">The last exchange date of this name (the first row's date is the listing date).</param>
/// <param name="Ticker">The ticker the data files use for those dates (lower case, as the folder names).</param>
/// <param name="Exchange">The exchange code, when given (<c>Q</c>, <c>N</c>, <c>P</c>…).</param>
/// <param name="Line">The 1-based line in the file.</param>
public readonly record struct LeanMapRow(DateOnly Date, string Ticker, string? Exchange, long Line);

/// <summary>A span of dates read under one ticker.</summary>
/// <param name="Ticker">The ticker of the data files (lower case).</param>
/// <param name="From">First exchange date, inclusive.</param>
/// <param name="To">Last exchange date, inclusive.</param>
public readonly record struct LeanTickerSpan(string Ticker, DateOnly From, DateOnly To);

/// <summary>
/// A LEAN map file, <c>equity/usa/map_files/&lt;ticker&gt;.csv</c>: <c>date,mapped_ticker[,exchange_code]</c>, dates strictly
/// increasing. The data of a date d is filed under the ticker of the first row whose date is on or after d (before the
/// first row: that row's ticker; after the last: the last row's). So a symbol that changed name reads its earlier
/// history from the old name's files (GOOGL before 2014-04-03 from <c>goog</c>).
/// </summary>
public sealed class LeanMapFile
{
    private static readonly string[] Fields = ["date", "mapped_ticker", "exchange_code"];

    private LeanMapFile(string path, LeanMapRow[] rows)
    {
        Path = path;
        Rows = rows;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The rows, in date order.</summary>
    public IReadOnlyList<LeanMapRow> Rows { get; }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">A row is malformed (the message names file, line and field).</exception>
    public static LeanMapFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(path, File.ReadLines(path));
    }

    /// <summary>Parses the lines of a map file; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">A row is malformed, or the file has no rows.</exception>
    public static LeanMapFile Parse(string path, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rows = new List<LeanMapRow>();
        foreach (var (line, parts) in LeanText.Rows(path, lines, Fields, minimumFields: 2))
        {
            var date = LeanText.Date(parts[0], path, line, "date");
            var ticker = parts[1].Trim().ToLowerInvariant();
            if (ticker.Length == 0 || ticker.IndexOfAny(['/', '\\']) >= 0 || ticker.Contains("..", StringComparison.Ordinal))
            {
                throw new DataFormatException(path, line, "mapped_ticker", $"'{parts[1]}' is not a ticker");
            }

            if (rows.Count > 0 && date <= rows[^1].Date)
            {
                throw new DataFormatException(path, line, "date", $"{date:yyyyMMdd} is not after the previous row ({rows[^1].Date:yyyyMMdd})");
            }

            rows.Add(new LeanMapRow(date, ticker, parts.Length == 3 && parts[2].Trim().Length > 0 ? parts[2].Trim() : null, line));
        }

        if (rows.Count == 0)
        {
            throw new DataFormatException(path, null, null, "the map file has no rows");
        }

        return new LeanMapFile(path, [.. rows]);
    }

    /// <summary>The ticker the files of <paramref name="date"/> are under.</summary>
    public string TickerOn(DateOnly date)
    {
        foreach (var row in Rows)
        {
            if (row.Date >= date)
            {
                return row.Ticker;
            }
        }

        return Rows[^1].Ticker;
    }

    /// <summary>[<paramref name="from"/>, <paramref name="to"/>] cut into spans of one ticker each, in date order.</summary>
    public IReadOnlyList<LeanTickerSpan> Spans(DateOnly from, DateOnly to)
    {
        var spans = new List<LeanTickerSpan>();
        var start = from;
        foreach (var row in Rows)
        {
            if (start > to)
            {
                break;
            }

            if (row.Date < start)
            {
                continue;
            }

            var end = row.Date < to ? row.Date : to;
            Add(spans, new LeanTickerSpan(row.Ticker, start, end));
            start = end == DateOnly.MaxValue ? end : end.AddDays(1);
            if (end == to)
            {
                return spans;
            }
        }

        if (start <= to)
        {
            Add(spans, new LeanTickerSpan(Rows[^1].Ticker, start, to));
        }

        return spans;
    }

    private static void Add(List<LeanTickerSpan> spans, LeanTickerSpan span)
    {
        // Consecutive rows of one name (listing date, then last date) make one span.
        if (spans.Count > 0 && spans[^1].Ticker == span.Ticker)
        {
            spans[^1] = spans[^1] with { To = span.To };
        }
        else
        {
            spans.Add(span);
        }
    }
}
