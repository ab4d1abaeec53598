using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Analysis;
using StrategyLab.Data.Csv;
using StrategyLab.Data.Lean;
using StrategyLab.Data.Store;
using Symbol = StrategyLab.Core.Domain.Symbol;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab data import</c> (CSV file or LEAN folder → Parquet bar store), <c>strategylab data info</c>
/// (bars, sessions and gaps of a CSV file, a store or a LEAN folder) and <c>strategylab data migrate</c> (a store's
/// monthly files → yearly files).
/// </summary>
internal static class DataCommand
{
    private const int ListLimit = 10;

    public static Command Create()
    {
        var command = new Command("data", "Historical data: import CSV files or LEAN folders into the bar store, download from Polygon into it, inspect coverage, migrate a store's layout.");
        command.Subcommands.Add(CreateImport());
        command.Subcommands.Add(CreateInfo());
        command.Subcommands.Add(CreateMigrate());
        command.Subcommands.Add(DataDownloadCommand.Create());
        return command;
    }

    private static Command CreateMigrate()
    {
        var path = new Argument<string>("store") { Description = "The store folder." };
        var command = new Command(
            "migrate",
            "Rewrite a store's monthly partition files (the layout before yearly files) as one file per symbol and year. Optional: both layouts are read, and a write migrates the years it touches; a migrated store opens fewer files.")
        {
            path,
        };
        command.SetAction((parse, ct) => Run(parse, async (stdout, logger) =>
        {
            var p = parse.GetValue(path)!;
            if (!ParquetBarStore.IsStore(p))
            {
                throw new UsageException($"{p}: not a bar store (no {ParquetBarStore.MarkerFileName}).");
            }

            var result = await new ParquetBarStore(p, logger: logger).MigrateAsync(ct).ConfigureAwait(false);
            await stdout.WriteLineAsync(result.MonthlyFiles == 0
                ? "nothing to migrate: every partition is a yearly file"
                : Invariant($"migrated {result.MonthlyFiles} monthly file(s) into {result.YearlyFiles} yearly file(s), {result.Bars} bars")).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command CreateImport()
    {
        var source = new Argument<string>("source") { Description = "A CSV file (header time,open,high,low,close,volume[,symbol,trades,vwap]), a LEAN data folder, or a LEAN ticker folder or zip (…/equity/usa/minute/spy, …/equity/usa/daily/spy.zip)." };
        var symbol = new Option<string>("--symbol") { Description = "The symbol (LEAN: taken from a ticker folder, else required; for a CSV with a symbol column, imports only this one)." };
        var timeframe = new Option<string>("--timeframe") { Description = "Bar length: 1s 5s … 1m 5m … 1h 4h 1d (LEAN: 1s, 1m, 1h or 1d, taken from a resolution or ticker folder; CSV: guessed from the first rows when absent)." };
        var output = new Option<string>("--out") { Description = "The store folder to write into (created if absent).", Required = true };
        var from = new Option<string>("--from") { Description = "First exchange-local date to import (yyyy-MM-dd), inclusive." };
        var to = new Option<string>("--to") { Description = "Last exchange-local date to import (yyyy-MM-dd), inclusive." };
        var timeIs = new Option<string>("--time-is") { Description = "CSV: whether the time stamp is the bar's start or end.", DefaultValueFactory = _ => "start" };
        var skipBad = new Option<bool>("--skip-bad-rows") { Description = "CSV: log and count bad rows instead of stopping at the first." };
        var ignoreUnknown = new Option<bool>("--ignore-unknown-columns") { Description = "CSV: ignore columns the reader does not know (by default they are an error)." };
        var assetClass = new Option<string>("--asset-class") { Description = "equity or crypto (default: inferred from the ticker: BTC-USD, X:BTCUSD … are crypto)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress bar (it only shows on a terminal anyway)." };
        var command = new Command("import", "Import bars from a CSV file or a LEAN folder into the Parquet bar store.")
        {
            source, symbol, timeframe, output, from, to, timeIs, skipBad, ignoreUnknown, assetClass, quiet,
        };
        command.SetAction((parse, ct) => Run(parse, async (stdout, logger) =>
        {
            var path = parse.GetValue(source)!;
            var tfText = parse.GetValue(timeframe);
            Timeframe? tf = tfText is null ? null : Timeframe.Parse(tfText);
            var sym = ParseSymbol(parse.GetValue(symbol), parse.GetValue(assetClass));
            var first = ParseDate(parse.GetValue(from), "--from");
            var last = ParseDate(parse.GetValue(to), "--to");
            CheckDateOrder(first, last);
            var store = new ParquetBarStore(parse.GetValue(output)!, logger: logger);
            StoreWriteResult result;
            string? skippedLine = null;
            if (FindLean(path) is { } location)
            {
                var lean = new LeanDataFolder(location.Root, logger: logger);
                var resolution = LeanResolutionOf(path, location, tf);
                tf = resolution.ToTimeframe();
                var s = LeanSymbolOf(path, location, sym, parse.GetValue(assetClass));
                var (f, l) = LeanRange(lean, s, resolution, first, last);
                var report = new LeanReadReport();
                var span = Math.Max(1, l.DayNumber - f.DayNumber + 1);
                var clock = MarketCalendars.For(s);
                result = await WithProgress(
                    stdout,
                    parse.GetValue(quiet),
                    lean.ReadBars(s, resolution, f, l, report),
                    bar => (DateOnly.FromDateTime(clock.ToExchangeTime(bar.Start)).DayNumber - f.DayNumber + 1) * 100.0 / span,
                    bars => store.WriteAsync(bars, tf.Value, "lean:" + lean.Root, ct)).ConfigureAwait(false);
                skippedLine = report.MissingDays.Count > 0
                    ? Invariant($"missing trading days: {report.MissingDays.Count} (first {report.MissingDays[0]:yyyy-MM-dd})")
                    : "missing trading days: 0";

                // Bars are stored raw; the factor file lets the store serve every data.adjustment and raw-mode actions.
                if (lean.ReadFactorFile(s) is { } factors)
                {
                    await store.WriteFactorFileAsync(s, factors, ct).ConfigureAwait(false);
                    skippedLine += Invariant($"\nfactors: {factors.Rows.Count} rows kept in {store.FactorFilePath(s)} (raw prices stored; adjusted on read)");
                }
                else
                {
                    skippedLine += Invariant($"\nfactors: none for {s} in the LEAN folder (prices stored and served raw)");
                }
            }
            else
            {
                if (!File.Exists(path))
                {
                    throw new UsageException($"{path}: no such file or folder.");
                }

                tf ??= CsvBarReader.InferTimeframe(path)
                    ?? throw new UsageException($"{path}: cannot tell the timeframe from the first rows; give --timeframe.");
                var reader = new CsvBarReader(path, new CsvBarReaderOptions
                {
                    Timeframe = tf.Value,
                    Symbol = sym,
                    AssetClass = sym?.AssetClass ?? ParseAssetClass(parse.GetValue(assetClass)),
                    TimeIs = ParseTimeIs(parse.GetValue(timeIs)),
                    SkipBadRows = parse.GetValue(skipBad),
                    IgnoreUnknownColumns = parse.GetValue(ignoreUnknown),
                    MaxSignificantDigits = 18, // the store's DECIMAL(18, scale): say which CSV line does not fit
                    Logger = logger,
                });
                // Progress: bars read against an estimate of the file's bars from the length of its first lines.
                var estimate = EstimateLines(path);
                result = await WithProgress(
                    stdout,
                    parse.GetValue(quiet),
                    BarStreams.BetweenDates(reader.ReadBars(), first, last),
                    null,
                    bars => store.WriteAsync(bars, tf.Value, "csv:" + Path.GetFullPath(path), ct),
                    estimate).ConfigureAwait(false);
                skippedLine = Invariant($"skipped rows: {reader.Statistics.SkippedRows}");
                if (reader.Statistics.OtherSymbolRows > 0)
                {
                    skippedLine += Invariant($"; rows of other symbols: {reader.Statistics.OtherSymbolRows}");
                }
            }

            var bySeries = result.Partitions.GroupBy(p => p.Symbol).OrderBy(g => g.Key).ToList();
            stdout.WriteLine(Invariant($"Imported {result.BarsReceived} bars into {store.Root}"));
            foreach (var series in bySeries)
            {
                var months = series.OrderBy(p => p.Month).ToList();
                stdout.WriteLine(Invariant(
                    $"  {series.Key} {tf}: {months.Count} month(s) {months[0].Month:yyyy-MM}..{months[^1].Month:yyyy-MM}, {months.Sum(p => p.Bars)} bars in those months"));
                if (months.Count <= 24)
                {
                    foreach (var p in months)
                    {
                        stdout.WriteLine(Invariant($"    {p.Month:yyyy-MM}: {p.Bars} bars  {p.Path}"));
                    }
                }
            }

            if (result.ReplacedBars > 0)
            {
                stdout.WriteLine(Invariant($"replaced bars (same start): {result.ReplacedBars}"));
            }

            stdout.WriteLine(skippedLine);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Runs <paramref name="write"/> over <paramref name="bars"/> with a progress bar (bars/s, ETA) when stdout is a
    /// terminal; plain otherwise. Progress is <paramref name="percentOf"/> of the latest bar, or the bar count against
    /// <paramref name="estimatedBars"/>.
    /// </summary>
    private static async Task<StoreWriteResult> WithProgress(
        TextWriter stdout,
        bool quiet,
        IEnumerable<Bar> bars,
        Func<Bar, double>? percentOf,
        Func<IEnumerable<Bar>, Task<StoreWriteResult>> write,
        long estimatedBars = 0)
    {
        if (quiet || !RunConsole.IsTerminal(stdout))
        {
            return await write(bars).ConfigureAwait(false);
        }

        StoreWriteResult? result = null;
        await RunConsole.For(stdout).Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("import", maxValue: 100);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                long count = 0;
                IEnumerable<Bar> Track()
                {
                    foreach (var bar in bars)
                    {
                        if (++count % 10_000 == 0)
                        {
                            task.Value = Math.Min(99.9, percentOf?.Invoke(bar) ?? (estimatedBars > 0 ? count * 100.0 / estimatedBars : 0));
                            task.Description = Invariant($"{count:N0} bars, {count / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):N0} bars/s");
                        }

                        yield return bar;
                    }
                }

                result = await write(Track()).ConfigureAwait(false);
                task.Value = 100;
            }).ConfigureAwait(false);
        return result!;
    }

    private static long EstimateLines(string path)
    {
        var length = new FileInfo(path).Length;
        using var stream = File.OpenRead(path);
        var buffer = new byte[(int)Math.Min(65_536, length)];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var lines = buffer.AsSpan(0, read).Count((byte)'\n');
        return lines == 0 ? 0 : length * lines / Math.Max(1, read);
    }

    private static Command CreateInfo()
    {
        var path = new Argument<string>("path") { Description = "A CSV file, a store folder or a LEAN data folder." };
        var symbol = new Option<string>("--symbol") { Description = "The symbol (required for LEAN; filters a store or a multi-symbol CSV)." };
        var timeframe = new Option<string>("--timeframe") { Description = "Bar length (required for LEAN; filters a store; for a CSV, guessed from the first rows when absent)." };
        var from = new Option<string>("--from") { Description = "First exchange-local date (yyyy-MM-dd) to check." };
        var to = new Option<string>("--to") { Description = "Last exchange-local date (yyyy-MM-dd) to check." };
        var timeIs = new Option<string>("--time-is") { Description = "CSV: whether the time stamp is the bar's start or end.", DefaultValueFactory = _ => "start" };
        var assetClass = new Option<string>("--asset-class") { Description = "equity or crypto (default: inferred from the ticker)." };
        var maxList = new Option<int>("--max-gaps") { Description = "How many missing sessions and gaps to list.", DefaultValueFactory = _ => ListLimit };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (every series' coverage) on stdout; logs stay on stderr." };
        var command = new Command("info", "Show what a CSV file, a store or a LEAN folder holds: bars, first/last bar, sessions covered, gaps against the calendar.")
        {
            path, symbol, timeframe, from, to, timeIs, assetClass, maxList, json,
        };
        command.SetAction((parse, _) => Run(parse, (stdout, logger) =>
        {
            var p = parse.GetValue(path)!;
            var sym = ParseSymbol(parse.GetValue(symbol), parse.GetValue(assetClass));
            var tfText = parse.GetValue(timeframe);
            Timeframe? tf = tfText is null ? null : Timeframe.Parse(tfText);
            var first = ParseDate(parse.GetValue(from), "--from");
            var last = ParseDate(parse.GetValue(to), "--to");
            CheckDateOrder(first, last);
            var limit = Math.Max(0, parse.GetValue(maxList));
            var reports = new List<(CoverageReport Report, string Source)>();
            if (ParquetBarStore.IsStore(p))
            {
                var store = new ParquetBarStore(p, logger: logger);
                var series = store.ListSeries().Where(s => (sym is null || s.Symbol == sym) && (tf is null || s.Timeframe == tf)).ToList();
                if (series.Count == 0)
                {
                    throw new UsageException($"The store {store.Root} holds no series{(sym is null ? "" : " of " + sym)}{(tf is null ? "" : " at " + tf)}.");
                }

                foreach (var s in series)
                {
                    var bars = first is null && last is null
                        ? store.ReadBars(s.Symbol, s.Timeframe)
                        : store.ReadBars(s.Symbol, s.Timeframe, first ?? DateOnly.MinValue, last ?? DateOnly.MaxValue);
                    reports.Add((Analyze(bars, s.Symbol, s.Timeframe, first, last, limit),
                        Invariant($"store {s.Partitions.Count} month(s) {s.Partitions[0].Month:yyyy-MM}..{s.Partitions[^1].Month:yyyy-MM}")));
                }
            }
            else if (FindLean(p) is { } location)
            {
                var lean = new LeanDataFolder(location.Root, logger: logger);
                var s = LeanSymbolOf(p, location, sym, parse.GetValue(assetClass));
                var resolution = LeanResolutionOf(p, location, tf);
                var t = resolution.ToTimeframe();
                var (f, l) = LeanRange(lean, s, resolution, first, last);
                var report = new LeanReadReport();
                reports.Add((Analyze(lean.ReadBars(s, resolution, f, l, report), s, t, f, l, limit), $"LEAN {resolution.FolderName()} {lean.Root}"));
            }
            else
            {
                if (!File.Exists(p))
                {
                    throw new UsageException($"{p}: no such file or folder.");
                }

                var t = tf ?? CsvBarReader.InferTimeframe(p)
                    ?? throw new UsageException($"{p}: cannot tell the timeframe from the first rows; give --timeframe.");
                var reader = new CsvBarReader(p, new CsvBarReaderOptions
                {
                    Timeframe = t,
                    Symbol = sym,
                    AssetClass = sym?.AssetClass ?? ParseAssetClass(parse.GetValue(assetClass)),
                    TimeIs = ParseTimeIs(parse.GetValue(timeIs)),
                    Logger = logger,
                });
                var analyzers = new Dictionary<Symbol, CoverageAnalyzer>();
                foreach (var bar in BarStreams.BetweenDates(reader.ReadBars(), first, last))
                {
                    if (!analyzers.TryGetValue(bar.Symbol, out var a))
                    {
                        a = new CoverageAnalyzer(bar.Symbol, t, MarketCalendars.For(bar.Symbol), limit);
                        analyzers[bar.Symbol] = a;
                    }

                    a.Add(bar);
                }

                if (analyzers.Count == 0)
                {
                    throw new UsageException($"{p}: no bars{(sym is null ? "" : " of " + sym)} in the file{(first is null && last is null ? "" : " between the dates given")}.");
                }

                foreach (var (_, a) in analyzers.OrderBy(kv => kv.Key))
                {
                    reports.Add((a.Complete(first, last), "CSV " + Path.GetFullPath(p)));
                }
            }

            if (parse.GetValue(json))
            {
                stdout.WriteLine(CoverageJson.Document(reports).ToJsonString(CoverageJson.Indented));
                return Task.FromResult(0);
            }

            foreach (var (report, src) in reports)
            {
                Print(stdout, report, src);
            }

            return Task.FromResult(0);
        }));
        return command;
    }

    private static CoverageReport Analyze(IEnumerable<Bar> bars, Symbol symbol, Timeframe timeframe, DateOnly? from, DateOnly? to, int limit)
    {
        var analyzer = new CoverageAnalyzer(symbol, timeframe, MarketCalendars.For(symbol), limit);
        foreach (var bar in bars)
        {
            analyzer.Add(bar);
        }

        return analyzer.Complete(from, to);
    }

    private static void Print(TextWriter o, CoverageReport r, string source)
    {
        var calendar = MarketCalendars.For(r.Symbol);
        o.WriteLine(Invariant($"{r.Symbol} ({r.Symbol.AssetClass}) {r.Timeframe}  [{source}]"));
        o.WriteLine(Invariant($"  bars: {r.Bars}"));
        if (r.First is { } first && r.Last is { } last)
        {
            o.WriteLine(Invariant($"  first bar: {Stamp(calendar, first)}  {Ohlcv(first)}"));
            o.WriteLine(Invariant($"  last bar:  {Stamp(calendar, last)}  {Ohlcv(last)}"));
        }

        if (r.To >= r.From && r.From != DateOnly.MinValue)
        {
            o.WriteLine(Invariant(
                $"  sessions covered: {r.SessionsCovered} of {r.TradingSessions} trading sessions {r.From:yyyy-MM-dd}..{r.To:yyyy-MM-dd} ({r.Calendar})"));
        }

        o.WriteLine(Invariant($"  missing sessions: {r.MissingSessionCount}"));
        foreach (var d in r.MissingSessions)
        {
            o.WriteLine(Invariant($"    {d:yyyy-MM-dd}"));
        }

        if (r.MissingSessionCount > r.MissingSessions.Count)
        {
            o.WriteLine(Invariant($"    … and {r.MissingSessionCount - r.MissingSessions.Count} more"));
        }

        if (!r.Timeframe.IsDaily)
        {
            o.WriteLine(Invariant($"  intraday gaps (regular hours): {r.GapCount} interval(s), {r.GapTotal.TotalMinutes:0.##} min in total"));
            foreach (var g in r.Gaps)
            {
                var a = calendar.ToExchangeTime(g.Start);
                var b = calendar.ToExchangeTime(g.End);
                o.WriteLine(Invariant($"    {g.Session:yyyy-MM-dd} {a:HH:mm:ss}-{b:HH:mm:ss} ({g.Duration.TotalMinutes:0.##} min)"));
            }

            if (r.GapCount > r.Gaps.Count)
            {
                o.WriteLine(Invariant($"    … and {r.GapCount - r.Gaps.Count} more"));
            }
        }

        if (r.BarsOffCalendar > 0)
        {
            o.WriteLine(Invariant($"  bars outside any session: {r.BarsOffCalendar}"));
        }
    }

    private static string Ohlcv(Bar b) => $"O={Num(b.Open)} H={Num(b.High)} L={Num(b.Low)} C={Num(b.Close)} V={Num(b.Volume)}";

    // Values from the store carry their file's scale (397.2400); show them without trailing zeros.
    private static string Num(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static string Stamp(Core.Calendar.IMarketCalendar calendar, Bar bar) =>
        Invariant($"{bar.Start:yyyy-MM-ddTHH:mm:ssZ} ({calendar.ToExchangeTime(bar.Start):yyyy-MM-dd HH:mm:ss} exchange)");

    /// <summary>
    /// The LEAN location of a folder (the data root or one below it), or of a ticker's zip; null for any other file
    /// (a CSV). A folder that is neither is an error.
    /// </summary>
    private static LeanLocation? FindLean(string path)
    {
        var isFolder = Directory.Exists(path);
        if (!isFolder && !path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return LeanLocation.Find(path) ?? (isFolder
            ? throw new UsageException($"{path}: a folder that is neither a bar store ({ParquetBarStore.MarkerFileName}) nor a LEAN data folder (a root holding equity/usa, or a folder below it such as equity/usa/minute/spy).")
            : throw new UsageException($"{path}: a zip that is not a LEAN ticker file (…/equity/usa/daily/<ticker>.zip or …/hour/<ticker>.zip)."));
    }

    /// <summary>The resolution to read: the one the path names, which a given --timeframe must agree with.</summary>
    private static LeanResolution LeanResolutionOf(string path, LeanLocation location, Timeframe? timeframe)
    {
        if (location.Resolution is { } named)
        {
            if (named == LeanResolution.Tick)
            {
                throw new UsageException($"{path}: LEAN tick data holds trades, not bars; give a second, minute, hour or daily folder.");
            }

            if (timeframe is { } t && t != named.ToTimeframe())
            {
                throw new UsageException($"--timeframe {t} does not match {path}, which holds {named.FolderName()} bars ({named.ToTimeframe()}).");
            }

            return named;
        }

        var given = timeframe ?? throw new UsageException($"--timeframe is required for the LEAN folder {path} (1s, 1m, 1h or 1d), or give the resolution's folder (…/equity/usa/minute).");
        return LeanResolutions.TryFromTimeframe(given, out var r)
            ? r
            : throw new UsageException($"LEAN folders hold 1s, 1m, 1h and 1d bars, not {given}; import one of those (aggregation makes the others).");
    }

    /// <summary>The symbol to read: the ticker the path names, which a given --symbol must agree with.</summary>
    private static Symbol LeanSymbolOf(string path, LeanLocation location, Symbol? symbol, string? assetClass)
    {
        if (location.Ticker is not { } ticker)
        {
            return symbol ?? throw new UsageException($"--symbol is required for the LEAN folder {path}, or give the ticker's folder (…/equity/usa/minute/spy).");
        }

        if (symbol is { } s)
        {
            return string.Equals(s.Ticker, ticker, StringComparison.OrdinalIgnoreCase)
                ? s
                : throw new UsageException($"--symbol {s.Ticker} does not match {path}, which holds {ticker.ToUpperInvariant()}.");
        }

        return ParseSymbol(ticker.ToUpperInvariant(), assetClass)!;
    }

    private static (DateOnly From, DateOnly To) LeanRange(LeanDataFolder lean, Symbol symbol, LeanResolution resolution, DateOnly? from, DateOnly? to)
    {
        if (from is { } f && to is { } t)
        {
            return (f, t);
        }

        var dates = lean.GetAvailableDates(symbol, resolution);
        if (dates.Count == 0)
        {
            throw new UsageException($"{lean.Root}: no {resolution.FolderName()} data for {symbol}.");
        }

        return (from ?? dates[0], to ?? dates[^1]);
    }

    private static Symbol? ParseSymbol(string? ticker, string? assetClass)
    {
        if (string.IsNullOrWhiteSpace(ticker))
        {
            return null;
        }

        try
        {
            return assetClass is null ? Symbol.Parse(ticker) : Symbol.Create(ticker, ParseAssetClass(assetClass)!.Value);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--symbol: " + e.Message.Split(" (Parameter")[0]);
        }
    }

    private static AssetClass? ParseAssetClass(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "equity" or "usequity" or "us-equity" => AssetClass.UsEquity,
        "crypto" => AssetClass.Crypto,
        _ => throw new UsageException($"--asset-class: '{text}' is not equity or crypto."),
    };

    private static TimeIs ParseTimeIs(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "start" => TimeIs.Start,
        "end" => TimeIs.End,
        _ => throw new UsageException($"--time-is: '{text}' is not start or end."),
    };

    /// <summary>A range whose end is before its start reads nothing; say so rather than "no bars between the dates".</summary>
    private static void CheckDateOrder(DateOnly? first, DateOnly? last)
    {
        if (first is { } f && last is { } l && l < f)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--to: {l:yyyy-MM-dd} is before --from {f:yyyy-MM-dd}."));
        }
    }

    private static DateOnly? ParseDate(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new UsageException($"{option}: '{text}' is not a date (yyyy-MM-dd).");
    }

    /// <summary>Runs an action with the error policy of the data commands: bad input → exit 2 with one line on stderr.</summary>
    private static async Task<int> Run(ParseResult parse, Func<TextWriter, ILogger, Task<int>> action)
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        using var loggerFactory = CliLogging.Create(stderr);
        var logger = loggerFactory.CreateLogger("StrategyLab.Data");
        try
        {
            return await action(stdout, logger).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DataFormatException or UsageException or FormatException or ArgumentException
                                      or FileNotFoundException or DirectoryNotFoundException)
        {
            await stderr.WriteLineAsync("error: " + e.Message.Split(" (Parameter")[0]).ConfigureAwait(false);
            return CliApp.ExitBadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.ExitFailure;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Bad command-line input that the parser cannot catch (a missing option that depends on the source, …).</summary>
    private sealed class UsageException(string message) : Exception(message);
}
