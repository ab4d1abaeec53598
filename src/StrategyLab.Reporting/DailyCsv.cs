using StrategyLab.Core.Statistics;
using StrategyLab.Reporting.Reading;

namespace StrategyLab.Reporting;

/// <summary>
/// <c>daily.csv</c>: the equity at the last mark of each exchange-local date, the benchmark held from the start with
/// the same equity, and the rolling Sharpe ratio (formats in docs/run-artifacts.md, formulas in docs/statistics.md).
/// Written with the summary; the report draws the benchmark and the rolling Sharpe from it.
/// </summary>
internal static class DailyCsv
{
    /// <summary>The file name.</summary>
    public const string FileName = "daily.csv";

    /// <summary>The header.</summary>
    public const string Header = "time,equity,benchmark,rolling_sharpe";

    // Beyond this a rolling Sharpe says nothing more (a window of near-identical returns): left empty.
    private const double MaxRatio = 1e9;

    /// <summary>Writes <paramref name="series"/> to <paramref name="path"/>; times in <paramref name="clock"/>'s offsets.</summary>
    public static void Write(string path, DailySeries series, ExchangeOffsetCache clock)
    {
        using var csv = new CsvFile(path, Header);
        WriteRows(csv, series, clock);
    }

    /// <summary>The bytes of <see cref="Write(string, DailySeries, ExchangeOffsetCache)"/>, made in memory.</summary>
    public static byte[] Bytes(DailySeries series, ExchangeOffsetCache clock)
    {
        var bytes = new MemoryStream();
        using (var csv = new CsvFile(bytes, FileName, Header))
        {
            WriteRows(csv, series, clock);
        }

        return bytes.ToArray();
    }

    private static void WriteRows(CsvFile csv, DailySeries series, ExchangeOffsetCache clock)
    {
        foreach (var p in series.Points)
        {
            csv.Time(clock.ToOffset(p.LastMarkUtc)).Number(p.Equity).Number(p.Benchmark);
            if (p.RollingSharpe is { } s && Math.Abs(s) < MaxRatio)
            {
                csv.Number(Math.Round((decimal)s, 6, MidpointRounding.AwayFromZero));
            }
            else
            {
                csv.Empty();
            }

            csv.EndRow();
        }
    }

    /// <summary>The rows of the folder's <c>daily.csv</c>; empty when there is none.</summary>
    /// <exception cref="RunFolderException">A row is malformed.</exception>
    public static List<DailyRow> Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return [];
        }

        using var csv = new CsvTable(path);
        return ReadRows(csv);
    }

    /// <summary>The rows of <paramref name="bytes"/>, the file's content for <paramref name="path"/> (made in memory); empty when null.</summary>
    /// <exception cref="RunFolderException">A row is malformed.</exception>
    public static List<DailyRow> Read(byte[]? bytes, string path)
    {
        if (bytes is null)
        {
            return [];
        }

        using var csv = new CsvTable(new MemoryStream(bytes, writable: false), path);
        return ReadRows(csv);
    }

    private static List<DailyRow> ReadRows(CsvTable csv)
    {
        var rows = new List<DailyRow>();
        int time = csv.Column("time"), equity = csv.Column("equity"), benchmark = csv.OptionalColumn("benchmark"), sharpe = csv.OptionalColumn("rolling_sharpe");
        while (csv.Next())
        {
            rows.Add(new DailyRow(
                csv.Time(time, "time"),
                csv.Decimal(equity, "equity"),
                csv.OptionalDecimal(benchmark, "benchmark"),
                csv.OptionalDecimal(sharpe, "rolling_sharpe")));
        }

        return rows;
    }
}
