using System.Globalization;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Lean;

/// <summary>The auxiliary files of a LEAN folder: map files (renames) and factor files (splits and dividends).</summary>
public sealed partial class LeanDataFolder
{
    /// <summary>The map file of <paramref name="symbol"/> (<c>equity/usa/map_files/&lt;ticker&gt;.csv</c>), or null when there is none.</summary>
    /// <exception cref="DataFormatException">The file is malformed.</exception>
    public LeanMapFile? ReadMapFile(Symbol symbol)
    {
        CheckSymbol(symbol);
        var path = System.IO.Path.Combine(Root, "equity", "usa", "map_files", symbol.Ticker.ToLowerInvariant() + ".csv");
        return File.Exists(path) ? LeanMapFile.Read(path) : null;
    }

    /// <summary>The factor file of <paramref name="symbol"/> (<c>equity/usa/factor_files/&lt;ticker&gt;.csv</c>), or null when there is none.</summary>
    /// <exception cref="DataFormatException">The file is malformed.</exception>
    public LeanFactorFile? ReadFactorFile(Symbol symbol)
    {
        CheckSymbol(symbol);
        return File.Exists(FactorFilePath(symbol)) ? LeanFactorFile.Read(FactorFilePath(symbol)) : null;
    }

    /// <summary>Where the factor file of <paramref name="symbol"/> is (whether or not it exists).</summary>
    public string FactorFilePath(Symbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return System.IO.Path.Combine(Root, "equity", "usa", "factor_files", symbol.Ticker.ToLowerInvariant() + ".csv");
    }

    /// <summary>
    /// The bars of <paramref name="symbol"/> as <see cref="ReadBars(Symbol, LeanResolution, DateOnly, DateOnly, LeanReadReport?)"/>
    /// reads them, presented per <paramref name="adjustment"/> with the symbol's factor file (no factor file: raw prices).
    /// </summary>
    /// <exception cref="DataFormatException">A data or factor file is malformed.</exception>
    public IEnumerable<Bar> ReadBars(
        Symbol symbol, LeanResolution resolution, DateOnly from, DateOnly to, PriceAdjustment adjustment, LeanReadReport? report = null)
    {
        var bars = ReadBars(symbol, resolution, from, to, report);
        return adjustment == PriceAdjustment.Raw || ReadFactorFile(symbol) is not { } factors
            ? bars
            : factors.Adjust(bars, adjustment, _calendarFor(symbol));
    }

    private IEnumerable<DateOnly> DayFileDates(LeanResolution resolution, string ticker)
    {
        var folder = System.IO.Path.Combine(Root, "equity", "usa", resolution.FolderName(), ticker);
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*_trade.zip"))
        {
            var name = System.IO.Path.GetFileName(file);
            if (DateOnly.TryParseExact(name.AsSpan(0, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                yield return d;
            }
        }
    }

    /// <summary>The day file of <paramref name="date"/>: under the map file's name for that date when that file exists, else the symbol's own.</summary>
    private string MappedDayFilePath(Symbol symbol, LeanResolution resolution, DateOnly date, LeanMapFile? map)
    {
        var own = DayFilePath(symbol, resolution, date);
        if (map is not null && map.TickerOn(date) is var mapped && mapped != symbol.Ticker.ToLowerInvariant())
        {
            var old = System.IO.Path.Combine(
                Root, "equity", "usa", resolution.FolderName(), mapped, date.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "_trade.zip");
            if (File.Exists(old))
            {
                return old;
            }
        }

        return own;
    }

    /// <summary>
    /// The rows of the hour or daily history of <paramref name="symbol"/> dated in [<paramref name="from"/>, <paramref name="to"/>]:
    /// each span of the map file from that name's file when it exists, else from the symbol's own file.
    /// </summary>
    private IEnumerable<(DateOnly Date, HourRow Row, string Name)> MappedSymbolFileRows(
        Symbol symbol, LeanResolution resolution, DateOnly from, DateOnly to, LeanReadReport? report)
    {
        var ownPath = SymbolFilePath(symbol, resolution);
        var own = symbol.Ticker.ToLowerInvariant();
        var spans = ReadMapFile(symbol)?.Spans(from, to) ?? [new LeanTickerSpan(own, from, to)];
        var pieces = new List<(string Path, DateOnly From, DateOnly To)>();
        foreach (var span in spans)
        {
            var mappedPath = System.IO.Path.Combine(Root, "equity", "usa", resolution.FolderName(), span.Ticker + ".zip");
            var path = span.Ticker != own && File.Exists(mappedPath) ? mappedPath : ownPath;
            if (pieces.Count > 0 && pieces[^1].Path == path)
            {
                pieces[^1] = pieces[^1] with { To = span.To };
            }
            else
            {
                pieces.Add((path, span.From, span.To));
            }
        }

        foreach (var (path, first, last) in pieces)
        {
            if (!File.Exists(path))
            {
                continue;
            }

            if (report is not null)
            {
                report.FilesRead++;
            }

            foreach (var row in ReadSymbolFileRows(path, symbol, resolution))
            {
                if (row.Date < first)
                {
                    continue;
                }

                if (row.Date > last)
                {
                    break;
                }

                yield return row;
            }
        }
    }
}
