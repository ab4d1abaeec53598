using System.Globalization;
using Microsoft.Extensions.Logging;
using nietras.SeparatedValues;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Text;
using StrategyLab.Data.Time;

namespace StrategyLab.Data.Lean;

/// <summary>
/// Reads US equity trade data from a LEAN <c>Data/</c> folder (<c>equity/usa/&lt;resolution&gt;/…</c>), streaming each
/// zip entry: constant memory whatever the range.
/// </summary>
/// <remarks>
/// <para>Prices in LEAN equity files are integers in 1/10,000 dollar; they become exact decimals (scale 4).</para>
/// <para>Second and minute bars: one zip per day; the first field is milliseconds since local midnight and marks the bar
/// start in New York time, so a bar covers [t, t + period). Extended hours are included as in the file.</para>
/// <para>Hour and daily bars: one zip per symbol, <c>yyyyMMdd HH:mm</c>, regular session only. The hour bar stamped
/// 09:00 holds 09:30–10:00: an hour bar spans [stamp, stamp + 1h) cut to the session's regular hours (so the last bar of
/// an early close ends at 13:00). A daily bar spans the session's regular hours.</para>
/// <para>Ticks: <c>ms(.fraction),price,size,exchange,conditions,suspicious</c>; suspicious ticks are left out unless asked
/// for, and counted. The condition flags become <see cref="TradePrint.Conditions"/>; the exchange code is not kept.</para>
/// <para>Renames: with a map file (<c>map_files/&lt;ticker&gt;.csv</c>), the dates filed under an earlier name are read
/// from that name's files when they exist (see <see cref="LeanMapFile"/>); the bars carry the requested symbol.</para>
/// <para>Prices are raw as in the files; the overload taking a <see cref="Core.CorporateActions.PriceAdjustment"/> applies the factor file
/// (see <see cref="LeanFactorFile"/>).</para>
/// <para>A trading day (per the calendar) with no file, an empty CSV in its zip, or no bar in an hour/daily file, is
/// reported with the <c>data.day.missing</c> log event and in <see cref="LeanReadReport.MissingDays"/>; days the market
/// was closed are skipped silently.</para>
/// <para>Each zip is read from its conventionally named entry (<c>20131007_spy_minute_trade.csv</c>,
/// <c>20131007_spy_Trade_Tick.csv</c>, <c>spy.csv</c>), wherever it sits in the zip; a zip without it is an error naming
/// the entries it does have. A price at or below zero is an error naming the entry, line and field.</para>
/// </remarks>
public sealed partial class LeanDataFolder
{
    private static readonly string[] BarFields = ["time", "open", "high", "low", "close", "volume"];
    private static readonly string[] TickFields = ["time", "price", "size", "exchange", "conditions", "suspicious"];

    private readonly Func<Symbol, IMarketCalendar> _calendarFor;
    private readonly ILogger? _logger;

    /// <summary>A reader of the LEAN data root <paramref name="root"/> (the folder holding <c>equity/</c>).</summary>
    /// <param name="root">The LEAN <c>Data/</c> folder.</param>
    /// <param name="calendarFor">The calendar of a symbol; default <see cref="MarketCalendars.For(Symbol)"/>.</param>
    /// <param name="logger">Where missing days and off-calendar bars are logged.</param>
    public LeanDataFolder(string root, Func<Symbol, IMarketCalendar>? calendarFor = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = System.IO.Path.GetFullPath(root);
        _calendarFor = calendarFor ?? MarketCalendars.For;
        _logger = logger;
    }

    /// <summary>The LEAN data root.</summary>
    public string Root { get; }

    /// <summary>True when <paramref name="path"/> looks like a LEAN data root (it has an <c>equity/usa</c> folder).</summary>
    public static bool IsLeanFolder(string path) => Directory.Exists(System.IO.Path.Combine(path, "equity", "usa"));

    /// <summary>
    /// The bars of <paramref name="symbol"/> at <paramref name="resolution"/> whose exchange-local date lies in
    /// [<paramref name="from"/>, <paramref name="to"/>], in time order, read lazily.
    /// </summary>
    /// <exception cref="DataFormatException">A file is malformed (the message names zip, entry, line and field).</exception>
    /// <exception cref="ArgumentException">Tick resolution (use <see cref="ReadTrades"/>) or a non-equity symbol.</exception>
    public IEnumerable<Bar> ReadBars(Symbol symbol, LeanResolution resolution, DateOnly from, DateOnly to, LeanReadReport? report = null)
    {
        CheckSymbol(symbol);
        return resolution switch
        {
            LeanResolution.Second or LeanResolution.Minute => ReadDailyFiles(symbol, resolution, from, to, report ?? new LeanReadReport()),
            LeanResolution.Hour or LeanResolution.Daily => ReadSymbolFile(symbol, resolution, from, to, report ?? new LeanReadReport()),
            _ => throw new ArgumentException("Ticks are trades: use ReadTrades.", nameof(resolution)),
        };
    }

    /// <summary>
    /// The trades of <paramref name="symbol"/> on exchange dates [<paramref name="from"/>, <paramref name="to"/>], in order,
    /// read lazily. Suspicious ticks are left out (and counted in <paramref name="report"/>) unless
    /// <paramref name="includeSuspicious"/>.
    /// </summary>
    /// <exception cref="DataFormatException">A file is malformed.</exception>
    public IEnumerable<TradePrint> ReadTrades(
        Symbol symbol, DateOnly from, DateOnly to, bool includeSuspicious = false, LeanReadReport? report = null)
    {
        CheckSymbol(symbol);
        return ReadTicks(symbol, from, to, includeSuspicious, report ?? new LeanReadReport());
    }

    /// <summary>
    /// The exchange dates with data: the day files present for tick/second/minute, the dates of the rows for hour/daily.
    /// </summary>
    public IReadOnlyList<DateOnly> GetAvailableDates(Symbol symbol, LeanResolution resolution)
    {
        CheckSymbol(symbol);
        if (resolution is LeanResolution.Hour or LeanResolution.Daily)
        {
            var dates = new List<DateOnly>();
            foreach (var (date, _, _) in MappedSymbolFileRows(symbol, resolution, DateOnly.MinValue, DateOnly.MaxValue, null))
            {
                if (dates.Count == 0 || dates[^1] != date)
                {
                    dates.Add(date);
                }
            }

            return dates;
        }

        // The own folder, plus the days an earlier name (per the map file) has files for.
        var own = symbol.Ticker.ToLowerInvariant();
        var result = new SortedSet<DateOnly>(DayFileDates(resolution, own));
        var map = ReadMapFile(symbol);
        foreach (var span in map?.Spans(DateOnly.MinValue, DateOnly.MaxValue) ?? [])
        {
            if (span.Ticker != own)
            {
                result.UnionWith(DayFileDates(resolution, span.Ticker).Where(d => d >= span.From && d <= span.To));
            }
        }

        return [.. result];
    }

    /// <summary>The zip of one day (tick, second, minute).</summary>
    public string DayFilePath(Symbol symbol, LeanResolution resolution, DateOnly date) =>
        System.IO.Path.Combine(
            Root, "equity", "usa", resolution.FolderName(), symbol.Ticker.ToLowerInvariant(),
            date.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "_trade.zip");

    /// <summary>The zip of a whole history (hour, daily).</summary>
    public string SymbolFilePath(Symbol symbol, LeanResolution resolution) =>
        System.IO.Path.Combine(Root, "equity", "usa", resolution.FolderName(), symbol.Ticker.ToLowerInvariant() + ".zip");

    private static void CheckSymbol(Symbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (symbol.AssetClass != AssetClass.UsEquity)
        {
            throw new ArgumentException(
                $"LEAN folders are read for US equities (equity/usa); {symbol} is {symbol.AssetClass}.", nameof(symbol));
        }
    }

    private IEnumerable<Bar> ReadDailyFiles(Symbol symbol, LeanResolution resolution, DateOnly from, DateOnly to, LeanReadReport report)
    {
        var calendar = _calendarFor(symbol);
        var clock = new ExchangeClock(calendar);
        var period = resolution.ToTimeframe().Ticks;
        var missing = new MissingDays(this, symbol, resolution, report);
        var map = ReadMapFile(symbol);
        for (var date = from; date <= to; date = date.AddDays(1))
        {
            var path = MappedDayFilePath(symbol, resolution, date, map);
            if (!File.Exists(path))
            {
                if (calendar.GetSession(date) is not null)
                {
                    missing.Add(date);
                }

                continue;
            }

            report.FilesRead++;
            var midnight = date.ToDateTime(TimeOnly.MinValue);
            using var entry = ZipEntryReader.Open(path, ExpectedEntryName(path, resolution));
            var reader = entry.Reader;
            var previous = long.MinValue;
            while (entry.MoveNext())
            {
                if (!TryParseBarRow(reader, entry.Name, out var ms, out var o, out var h, out var l, out var c, out var v, out var line))
                {
                    continue;
                }

                missing.Flush(); // the day has data: it ends a run of missing days

                if (ms < 0 || ms >= TimeSpan.MillisecondsPerDay)
                {
                    throw new DataFormatException(entry.Name, line, "time", Invariant($"{ms} ms is outside the day"));
                }

                if (ms <= previous)
                {
                    throw new DataFormatException(entry.Name, line, "time", Invariant($"{ms} ms is not after the previous bar ({previous} ms)"));
                }

                previous = ms;
                var start = clock.ToUtc(midnight.AddTicks(ms * TimeSpan.TicksPerMillisecond));
                yield return MakeBar(symbol, start, new DateTime(start.Ticks + period, DateTimeKind.Utc), o, h, l, c, v, entry.Name, line);
            }

            if (previous == long.MinValue && calendar.GetSession(date) is not null)
            {
                missing.Add(date); // an empty CSV in the zip is a missing day, not a quiet one
            }
        }

        missing.Flush();
    }

    private IEnumerable<Bar> ReadSymbolFile(Symbol symbol, LeanResolution resolution, DateOnly from, DateOnly to, LeanReadReport report)
    {
        var calendar = _calendarFor(symbol);
        var clock = new ExchangeClock(calendar);
        var missing = new MissingDays(this, symbol, resolution, report);
        using var sessions = calendar.GetSessions(from, to).GetEnumerator();
        var hasSession = sessions.MoveNext();
        TradingSession? current = null;
        var currentDate = DateOnly.MinValue;
        var currentOffCalendar = false;
        var offCalendar = new OffCalendarBars(_logger, symbol, resolution, calendar.Name); // one line per read, not per bar
        foreach (var (date, row, name) in MappedSymbolFileRows(symbol, resolution, from, to, report))
        {
            // Every calendar session before this row's date that had no row is missing.
            while (hasSession && sessions.Current.Date < date)
            {
                if (sessions.Current.Date != currentDate)
                {
                    missing.Add(sessions.Current.Date);
                }

                hasSession = sessions.MoveNext();
            }

            missing.Flush();
            if (date != currentDate)
            {
                currentDate = date;
                current = calendar.GetSession(date);
                currentOffCalendar = current is null;
                if (current is null)
                {
                    var open = clock.ToUtc(date.ToDateTime(new TimeOnly(9, 30)));
                    var close = clock.ToUtc(date.ToDateTime(new TimeOnly(16, 0)));
                    current = new TradingSession(date, open, open, close, close, IsEarlyClose: false);
                }
            }

            if (currentOffCalendar)
            {
                report.BarsOffCalendar++;
                offCalendar.AddClosedDay(date);
            }

            DateTime start, end;
            if (resolution == LeanResolution.Daily)
            {
                (start, end) = (current!.RegularOpen, current.RegularClose);
            }
            else
            {
                // The bar nominally spans [stamp, stamp + 1h), the 09:00 bar starting at the 09:30 open; it is cut to the
                // session's regular hours. A bar wholly outside them (older files have 13:00 bars on early closes) keeps
                // its nominal span and is reported.
                var local = date.ToDateTime(TimeOnly.MinValue).AddTicks(row.TimeOfDayTicks);
                var nominalStart = clock.ToUtc(local.Hour == 9 && local.Minute == 0 ? local.AddMinutes(30) : local);
                var nominalEnd = clock.ToUtc(local.AddHours(1));
                start = nominalStart < current!.RegularOpen ? current.RegularOpen : nominalStart;
                end = nominalEnd > current.RegularClose ? current.RegularClose : nominalEnd;
                if (end <= start)
                {
                    (start, end) = (nominalStart, nominalEnd);
                    report.BarsOffCalendar++;
                    offCalendar.AddOutsideSession(name, row.Line);
                }
            }

            yield return MakeBar(symbol, start, end, row.Open, row.High, row.Low, row.Close, row.Volume, name, row.Line);
        }

        offCalendar.Flush();
        while (hasSession)
        {
            if (sessions.Current.Date != currentDate)
            {
                missing.Add(sessions.Current.Date);
            }

            hasSession = sessions.MoveNext();
        }

        missing.Flush();
    }

    private static IEnumerable<(DateOnly Date, HourRow Row, string Name)> ReadSymbolFileRows(string path, Symbol symbol, LeanResolution resolution)
    {
        using var entry = ZipEntryReader.Open(path, ExpectedEntryName(path, resolution));
        var reader = entry.Reader;
        var previous = DateTime.MinValue;
        while (entry.MoveNext())
        {
            if (!TryParseHourRow(reader, entry.Name, out var date, out var row))
            {
                continue;
            }

            var stamp = date.ToDateTime(TimeOnly.MinValue).AddTicks(row.TimeOfDayTicks);
            if (stamp <= previous)
            {
                throw new DataFormatException(entry.Name, row.Line, "time", Invariant(
                    $"{stamp:yyyyMMdd HH:mm} is not after the previous row ({previous:yyyyMMdd HH:mm}) in the {resolution.FolderName()} file of {symbol}"));
            }

            previous = stamp;
            yield return (date, row, entry.Name);
        }
    }

    private IEnumerable<TradePrint> ReadTicks(Symbol symbol, DateOnly from, DateOnly to, bool includeSuspicious, LeanReadReport report)
    {
        var calendar = _calendarFor(symbol);
        var clock = new ExchangeClock(calendar);
        var missing = new MissingDays(this, symbol, LeanResolution.Tick, report);
        var map = ReadMapFile(symbol);
        var conditionLists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var lookup = conditionLists.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var date = from; date <= to; date = date.AddDays(1))
        {
            var path = MappedDayFilePath(symbol, LeanResolution.Tick, date, map);
            if (!File.Exists(path))
            {
                if (calendar.GetSession(date) is not null)
                {
                    missing.Add(date);
                }

                continue;
            }

            report.FilesRead++;
            var midnight = date.ToDateTime(TimeOnly.MinValue);
            using var entry = ZipEntryReader.Open(path, ExpectedEntryName(path, LeanResolution.Tick));
            var reader = entry.Reader;
            var any = false;
            while (entry.MoveNext())
            {
                if (!TryParseTickRow(reader, entry.Name, lookup, out var ticks, out var price, out var size, out var conditions, out var suspicious, out var line))
                {
                    continue;
                }

                if (!any)
                {
                    missing.Flush(); // the day has data: it ends a run of missing days
                    any = true;
                }

                if (suspicious && !includeSuspicious)
                {
                    report.SuspiciousTicksExcluded++;
                    continue;
                }

                var time = clock.ToUtc(midnight.AddTicks(ticks));
                yield return new TradePrint(symbol, time, price, size, null, conditions);
            }

            if (!any && calendar.GetSession(date) is not null)
            {
                missing.Add(date); // an empty CSV in the zip is a missing day, not a quiet one
            }
        }

        missing.Flush();
    }

    private static bool TryParseBarRow(
        SepReader reader, string name, out long ms, out decimal open, out decimal high, out decimal low, out decimal close, out decimal volume, out long line)
    {
        var row = reader.Current;
        line = row.LineNumberFrom;
        ms = 0;
        open = high = low = close = volume = 0m;
        if (row.ColCount == 1 && row[0].Span.IsEmpty)
        {
            return false;
        }

        CheckColumns(row.ColCount, 6, name, line, BarFields);
        ms = Long(row[0].Span, name, line, "time");
        open = Price(row[1].Span, name, line, "open");
        high = Price(row[2].Span, name, line, "high");
        low = Price(row[3].Span, name, line, "low");
        close = Price(row[4].Span, name, line, "close");
        volume = Long(row[5].Span, name, line, "volume");
        return true;
    }

    private static bool TryParseHourRow(SepReader reader, string name, out DateOnly date, out HourRow parsed)
    {
        var row = reader.Current;
        long line = row.LineNumberFrom;
        date = default;
        parsed = default;
        if (row.ColCount == 1 && row[0].Span.IsEmpty)
        {
            return false;
        }

        CheckColumns(row.ColCount, 6, name, line, BarFields);
        var t = row[0].Span;
        if (t.Length != 14 || t[8] != ' ' || t[11] != ':'
            || !DateOnly.TryParseExact(t[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date)
            || !int.TryParse(t[9..11], NumberStyles.None, CultureInfo.InvariantCulture, out var hh)
            || !int.TryParse(t[12..14], NumberStyles.None, CultureInfo.InvariantCulture, out var mm) || hh > 23 || mm > 59)
        {
            throw new DataFormatException(name, line, "time", $"'{t.ToString()}' is not 'yyyyMMdd HH:mm'");
        }

        parsed = new HourRow(
            line,
            (hh * TimeSpan.TicksPerHour) + (mm * TimeSpan.TicksPerMinute),
            Price(row[1].Span, name, line, "open"),
            Price(row[2].Span, name, line, "high"),
            Price(row[3].Span, name, line, "low"),
            Price(row[4].Span, name, line, "close"),
            Long(row[5].Span, name, line, "volume"));
        return true;
    }

    private static bool TryParseTickRow(
        SepReader reader,
        string name,
        Dictionary<string, IReadOnlyList<string>>.AlternateLookup<ReadOnlySpan<char>> conditionLists,
        out long ticks,
        out decimal price,
        out decimal size,
        out IReadOnlyList<string>? conditions,
        out bool suspicious,
        out long line)
    {
        var row = reader.Current;
        line = row.LineNumberFrom;
        ticks = 0;
        price = size = 0m;
        conditions = null;
        suspicious = false;
        if (row.ColCount == 1 && row[0].Span.IsEmpty)
        {
            return false;
        }

        CheckColumns(row.ColCount, 6, name, line, TickFields);
        var t = row[0].Span;
        if (!DecimalText.TryParse(t, out var ms) || ms < 0 || ms >= TimeSpan.MillisecondsPerDay)
        {
            throw new DataFormatException(name, line, "time", $"'{t.ToString()}' is not milliseconds since midnight");
        }

        ticks = (long)(ms * TimeSpan.TicksPerMillisecond);
        price = Price(row[1].Span, name, line, "price");
        size = Long(row[2].Span, name, line, "size");
        var flags = row[4].Span;
        if (!flags.IsEmpty)
        {
            if (!conditionLists.TryGetValue(flags, out conditions))
            {
                var text = flags.ToString();
                conditions = [text];
                conditionLists[text] = conditions;
            }
        }

        var s = row[5].Span;
        suspicious = s switch
        {
            "0" => false,
            "1" => true,
            _ => throw new DataFormatException(name, line, "suspicious", $"'{s.ToString()}' is not 0 or 1"),
        };
        return true;
    }

    private static void CheckColumns(int count, int expected, string name, long line, string[] fields)
    {
        if (count != expected)
        {
            throw new DataFormatException(
                name, line, count < expected ? fields[count] : Invariant($"(column {expected + 1})"),
                Invariant($"the row has {count} fields; expected {expected} ({string.Join(',', fields)})"));
        }
    }

    private static decimal Price(ReadOnlySpan<char> text, string name, long line, string field) =>
        DecimalText.FromScaled(Long(text, name, line, field), 4);

    private static long Long(ReadOnlySpan<char> text, string name, long line, string field)
    {
        if (!DecimalText.TryParseInt64(text, out var v))
        {
            throw new DataFormatException(name, line, field, $"'{text.ToString()}' is not a whole number");
        }

        return v;
    }

    private static Bar MakeBar(
        Symbol symbol, DateTime start, DateTime end, decimal open, decimal high, decimal low, decimal close, decimal volume, string name, long line)
    {
        Bar bar;
        try
        {
            bar = new Bar(symbol, start, end, open, high, low, close, volume);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(name, line, e.ParamName, e.Message.Split(" (Parameter")[0]);
        }

        if (low <= 0m)
        {
            // Checked after the Bar constructor so high < low is reported as such; LEAN prices are scaled, so this is
            // the price as read, after scaling.
            throw new DataFormatException(name, line, "low", Invariant($"low {low} is not a positive price"));
        }

        return bar;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private readonly record struct HourRow(long Line, long TimeOfDayTicks, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume);

    /// <summary>Collects consecutive missing trading days and logs each run once.</summary>
    private sealed class MissingDays(LeanDataFolder folder, Symbol symbol, LeanResolution resolution, LeanReadReport report)
    {
        private DateOnly _first;
        private DateOnly _last;
        private int _count;

        public void Add(DateOnly day)
        {
            report.AddMissing(day);
            if (_count == 0)
            {
                _first = day;
            }

            _last = day;
            _count++;
        }

        public void Flush()
        {
            if (_count == 0)
            {
                return;
            }

            if (folder._logger is { } logger)
            {
                DataLogEvents.LogDaysMissing(logger, symbol.Ticker, resolution.FolderName(), _first, _last, _count, null);
            }

            _count = 0;
        }
    }
}
