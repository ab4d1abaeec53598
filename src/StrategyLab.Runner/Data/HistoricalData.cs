using System.Globalization;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Data;
using StrategyLab.Data.Csv;
using StrategyLab.Data.Lean;
using StrategyLab.Data.Store;
using StrategyLab.Data.Synthetic;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Data;

/// <summary>The bars of a backtest or replay, merged across symbols in slice order, and what they are.</summary>
/// <param name="Bars">Bars of the strategy's timeframe, ordered by end time then symbol. Lazy: reading happens while the run goes.</param>
/// <param name="Description">One line for the summary, e.g. <c>LEAN minute bars from ../shared/data/lean</c>.</param>
/// <param name="IsSynthetic">True for the built-in synthetic market (the output says so).</param>
/// <param name="Adjustment">
/// How the prices are presented: <c>raw</c>, <c>split_adjusted</c>, <c>adjusted</c>, or <c>as_given</c> (CSV, synthetic,
/// a store without factors: the bars as they are).
/// </param>
/// <param name="CorporateActions">The splits and dividends inside the range, for the engine to apply (raw prices only; else empty).</param>
public sealed record HistoricalData(
    IEnumerable<Bar> Bars, string Description, bool IsSynthetic, string Adjustment = HistoricalData.AsGiven, IReadOnlyList<CorporateAction>? CorporateActions = null)
{
    /// <summary>The <see cref="Adjustment"/> of bars served as they are.</summary>
    public const string AsGiven = "as_given";

    /// <summary>The actions to apply (never null).</summary>
    public IReadOnlyList<CorporateAction> Actions => CorporateActions ?? [];

    /// <summary>
    /// Source bars left out before they reach the engine because they lie outside the sessions (dropped while
    /// combining them into the run's timeframe). Give it to the engine so one report covers both.
    /// </summary>
    public OutsideSessionBars? OutsideSession { get; init; }
}

/// <summary>Opens the historical source a configuration names (synthetic, CSV, LEAN or the Parquet store).</summary>
public static class HistoricalDataFactory
{
    /// <summary>The date range of the synthetic market when the configuration gives none.</summary>
    public static (DateOnly From, DateOnly To) DefaultSyntheticRange { get; } = (new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 31));

    /// <summary>Opens the source of <paramref name="run"/>, resampled to its timeframe, read on the calling thread.</summary>
    /// <exception cref="Configuration.ConfigException">The source cannot serve the configuration (missing symbol, timeframe…).</exception>
    public static HistoricalData Open(ResolvedRun run, ILoggerFactory loggers) => Open(run, loggers, prefetch: null);

    /// <summary>
    /// Opens the source of <paramref name="run"/>, resampled to its timeframe; with <paramref name="prefetch"/>, each
    /// file source (CSV, LEAN, store) is parsed ahead on its own thread (<see cref="PrefetchedBars"/>) while the run
    /// consumes the bars already read (a LEAN source with its price adjustment, a pure mapping). Resampling and the
    /// outside-session tally stay on the consuming thread, so the bars and everything derived from them are the same as
    /// without; streams that reach the merge as read ahead are merged on a read-ahead thread of the merge's own
    /// (<see cref="SliceMerge"/>, the merger's order and errors), the others on the consuming thread.
    /// </summary>
    /// <exception cref="Configuration.ConfigException">The source cannot serve the configuration (missing symbol, timeframe…).</exception>
    public static HistoricalData Open(ResolvedRun run, ILoggerFactory loggers, BarPrefetchOptions? prefetch)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(loggers);
        var data = run.Config.Data;
        var logger = loggers.CreateLogger("StrategyLab.Data");
        var streams = new List<IEnumerable<Bar>>();
        var outside = new OutsideSessionBars(run.Config.MarketHours.ExtendedHours);
        var actions = new List<CorporateAction>();
        var adjustment = HistoricalData.AsGiven;
        var ahead = PrefetchFor(prefetch, run.Symbols.Count);
        Func<IReadOnlyList<IEnumerable<Bar>>, IEnumerable<Bar>> merge = Merge;
        string description;
        switch (data.Provider)
        {
            case "synthetic":
            {
                var from = run.From ?? DefaultSyntheticRange.From;
                var to = run.To ?? (run.From is null ? DefaultSyntheticRange.To : from.AddDays(30));
                var market = new SyntheticMarket(new SyntheticMarketOptions
                {
                    Seed = (ulong)data.Seed,
                    Symbols = SyntheticSymbolsFor(run.Symbols),
                    From = from,
                    To = to,
                    ExtendedHours = run.Config.MarketHours.ExtendedHours,
                    CalendarFor = run.CalendarOf,
                });

                // The market's own stream is already in slice order for all symbols.
                var label = string.Create(CultureInfo.InvariantCulture, $"SYNTHETIC market (seed {data.Seed}), {from:yyyy-MM-dd}..{to:yyyy-MM-dd}: generated data, not real prices");
                return new HistoricalData(market.Bars(run.Timeframe), label, IsSynthetic: true);
            }

            case "csv":
            {
                var source = run.SourceTimeframe ?? run.Timeframe;
                foreach (var s in run.Symbols)
                {
                    var file = CsvFileFor(data.Path!, s);
                    var reader = new CsvBarReader(file, new CsvBarReaderOptions
                    {
                        Timeframe = source,
                        Symbol = s,
                        AssetClass = s.AssetClass,
                        TimeIs = data.TimeIs == "end" ? TimeIs.End : TimeIs.Start,
                        SkipBadRows = data.SkipBadRows,
                        CalendarFor = run.CalendarOf,
                        Logger = logger,
                    });
                    streams.Add(Resample(Ahead(BarStreams.BetweenDates(reader.ReadBars(), run.From, run.To, run.CalendarOf), ahead), source, run, outside));
                }

                description = $"CSV {source} bars from {data.Path}";
                break;
            }

            case "lean":
            {
                var folder = new LeanDataFolder(data.Path!, run.CalendarOf, logger);
                var choice = LeanSourceChoice.For(run, folder);
                var resolution = choice.Resolution;
                var source = resolution.ToTimeframe();
                var mode = run.Adjustment ?? PriceAdjustment.Adjusted;
                foreach (var s in run.Symbols)
                {
                    var dates = folder.GetAvailableDates(s, resolution);
                    if (dates.Count == 0)
                    {
                        throw new ConfigException("data.symbols", $"the LEAN folder {data.Path} has no {resolution.FolderName()} data for {s}.");
                    }

                    var from = run.From ?? dates[0];
                    var to = run.To ?? dates[^1];
                    var factors = ReadFactors(() => folder.ReadFactorFile(s));
                    // Adjusted on the read-ahead thread (a pure per-bar mapping; raw mode's actions are listed here, at once), so
                    // the streams reach the merge as read ahead and are merged from their chunks (SliceMerge).
                    streams.Add(Resample(Ahead(Present(folder.ReadBars(s, resolution, from, to), factors, mode, s, from, to, run, actions), ahead), source, run, outside));
                }

                adjustment = mode.Name();
                var resampled = source == run.Timeframe ? string.Empty : $", resampled to {run.Timeframe}";
                description = $"LEAN {resolution.FolderName()} bars from {data.Path}{resampled} ({choice.Why})";
                break;
            }

            case "store":
            {
                var store = new ParquetBarStore(data.Path!, run.CalendarOf, logger);
                Timeframe? used = null;
                var factorFiles = run.Symbols.Select(s => ReadFactors(() => store.ReadFactorFile(s))).ToList();
                var withFactors = factorFiles.Count(f => f is not null);
                PriceAdjustment? mode = run.Adjustment ?? (withFactors == run.Symbols.Count ? PriceAdjustment.Adjusted : null);
                if (mode is not null && withFactors < run.Symbols.Count)
                {
                    var lacking = run.Symbols.Where((_, i) => factorFiles[i] is null).Select(s => s.Ticker);
                    throw new ConfigException(
                        "data.adjustment",
                        $"the store at {data.Path} keeps no corporate-action factors for {string.Join(", ", lacking)} (only 'data import' of a LEAN folder keeps them), so it cannot serve '{mode.Value.Name()}': leave data.adjustment out to use the bars as stored.");
                }

                for (var i = 0; i < run.Symbols.Count; i++)
                {
                    var s = run.Symbols[i];
                    var source = StoreTimeframeFor(store, s, run);
                    used = source;
                    var bars = run.From is { } f
                        ? store.ReadBars(s, source, f, run.To ?? DateOnly.MaxValue)
                        : BarStreams.BetweenDates(store.ReadBars(s, source), null, run.To, run.CalendarOf);
                    if (mode is { } m)
                    {
                        var dates = store.GetDates(s, source);
                        var from = run.From ?? (dates.Count > 0 ? dates[0] : DateOnly.MinValue);
                        var to = run.To ?? (dates.Count > 0 ? dates[^1] : DateOnly.MaxValue);
                        bars = Present(bars, factorFiles[i], m, s, from, to, run, actions);
                    }

                    streams.Add(Resample(bars, source, run, outside));
                }

                adjustment = mode?.Name() ?? HistoricalData.AsGiven;
                merge = SliceMerge.Merge; // the same order, merged a row group at a time

                description = $"Parquet store {used} bars from {data.Path}";
                break;
            }

            default:
                throw new ConfigException("data.provider", $"'{data.Provider}' is a live provider; a backtest needs synthetic, csv, lean or store.");
        }

        return new HistoricalData(merge(streams), description, IsSynthetic: false, adjustment, actions) { OutsideSession = outside };
    }

    /// <summary>
    /// <see cref="BarMerger.Merge"/>, except that streams read ahead as they are keep handing over whole chunks, so the
    /// engine is fed slices cut out of them: one stream through <see cref="TimeOrderedBars"/> (the same bars and order
    /// check), several through <see cref="SliceMerge"/> (the same bars, order and errors, merged from the streams'
    /// chunks on a read-ahead thread of its own instead of a priority queue and two enumerators per bar on the
    /// engine's thread). Streams resampled on the consuming thread are merged there by the merger, as before.
    /// </summary>
    private static IEnumerable<Bar> Merge(IReadOnlyList<IEnumerable<Bar>> streams) => streams switch
    {
        [PrefetchedBars one] => new TimeOrderedBars(one),
        [_, _, ..] when streams.All(s => s is PrefetchedBars) => SliceMerge.Merge(streams),
        _ => BarMerger.Merge(streams),
    };

    /// <summary>Most bars read ahead for all sources together: about 1 MB of bars per queued chunk set, however many symbols.</summary>
    private const int PrefetchBarsPerChunkSet = 8192;

    /// <summary>
    /// The read-ahead of each of <paramref name="sources"/> file sources: their chunks share one budget (a run of ten
    /// symbols reads ten smaller chunks ahead, not ten times the memory), and none past 64 sources (a thread each).
    /// </summary>
    private static BarPrefetchOptions? PrefetchFor(BarPrefetchOptions? prefetch, int sources) =>
        prefetch is null || sources > 64
            ? null
            : prefetch with { ChunkBars = Math.Max(Math.Min(prefetch.FirstChunkBars, prefetch.ChunkBars), Math.Min(prefetch.ChunkBars, PrefetchBarsPerChunkSet / sources)) };

    private static IEnumerable<Bar> Ahead(IEnumerable<Bar> bars, BarPrefetchOptions? options) =>
        options is null ? bars : new PrefetchedBars(bars, options);

    /// <summary>
    /// The bars of one symbol as <paramref name="mode"/> presents them: adjusted with its factors, or raw with its
    /// actions in (<paramref name="from"/>, <paramref name="to"/>] added to <paramref name="actions"/> for the engine
    /// (an action on the first date finds nothing held yet).
    /// </summary>
    private static IEnumerable<Bar> Present(
        IEnumerable<Bar> bars, LeanFactorFile? factors, PriceAdjustment mode, Symbol symbol, DateOnly from, DateOnly to, ResolvedRun run, List<CorporateAction> actions)
    {
        if (factors is null)
        {
            return bars;
        }

        if (mode != PriceAdjustment.Raw)
        {
            return factors.Adjust(bars, mode, run.CalendarOf(symbol));
        }

        actions.AddRange(factors.Actions(symbol, run.CalendarOf(symbol), from.AddDays(1), to));
        return bars;
    }

    private static LeanFactorFile? ReadFactors(Func<LeanFactorFile?> read)
    {
        try
        {
            return read();
        }
        catch (DataFormatException e)
        {
            throw new ConfigException("data.adjustment", e.Message);
        }
    }

    /// <summary>Combines <paramref name="bars"/> of <paramref name="source"/> into the run's timeframe (or passes them through).</summary>
    /// <param name="bars">The source bars.</param>
    /// <param name="source">Their timeframe.</param>
    /// <param name="run">The run (its timeframe, calendars and hours).</param>
    /// <param name="outsideSession">Where source bars dropped as outside the hours are tallied, if anywhere.</param>
    public static IEnumerable<Bar> Resample(IEnumerable<Bar> bars, Timeframe source, ResolvedRun run, OutsideSessionBars? outsideSession = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (source == run.Timeframe)
        {
            return bars;
        }

        if (!run.Timeframe.IsMultipleOf(source) || source > run.Timeframe)
        {
            throw new ConfigException("data.timeframe", $"the source has {source} bars, which cannot be combined into {run.Timeframe} bars.");
        }

        return ResampleLazily(bars, new BarResampler(run.CalendarOf, run.Timeframe, run.Config.MarketHours.ExtendedHours) { OutsideSession = outsideSession });
    }

    private static IEnumerable<Bar> ResampleLazily(IEnumerable<Bar> bars, BarResampler resampler)
    {
        var sink = new QueueSink();
        foreach (var bar in bars)
        {
            resampler.Add(bar, sink);
            while (sink.Queue.TryDequeue(out var done))
            {
                yield return done;
            }
        }

        resampler.Flush(sink);
        while (sink.Queue.TryDequeue(out var done))
        {
            yield return done;
        }
    }

    private static Timeframe StoreTimeframeFor(ParquetBarStore store, Symbol symbol, ResolvedRun run)
    {
        var available = store.TimeframesOf(symbol);
        if (run.SourceTimeframe is { } given)
        {
            return available.Contains(given)
                ? given
                : throw new ConfigException("data.source_timeframe", $"the store at {run.Config.Data.Path} has no {given} bars for {symbol} (it has: {string.Join(", ", available)}).");
        }

        if (available.Contains(run.Timeframe))
        {
            return run.Timeframe;
        }

        var usable = available.Where(t => t < run.Timeframe && run.Timeframe.IsMultipleOf(t)).OrderDescending().ToList();
        return usable.Count > 0
            ? usable[0]
            : throw new ConfigException(
                "data.symbols",
                available.Count == 0
                    ? $"the store at {run.Config.Data.Path} has no bars for {symbol}."
                    : $"the store at {run.Config.Data.Path} has {string.Join(", ", available)} bars for {symbol}; none combine into {run.Timeframe}.");
    }

    private static string CsvFileFor(string path, Symbol symbol)
    {
        if (File.Exists(path))
        {
            return path;
        }

        var safe = symbol.Ticker.Replace(':', '_').Replace('/', '_');
        var match = Directory.EnumerateFiles(path, "*.csv")
            .Order(StringComparer.Ordinal)
            .FirstOrDefault(f => string.Equals(Path.GetFileNameWithoutExtension(f), safe, StringComparison.OrdinalIgnoreCase));
        return match ?? throw new ConfigException("data.symbols", $"no CSV file for {symbol} in {path} (expected {safe}.csv).");
    }

    private static List<SyntheticSymbol> SyntheticSymbolsFor(IReadOnlyList<Symbol> symbols)
    {
        // Each symbol takes the shape (price, volatility, volume) of the default synthetic symbol at its position.
        var equities = SyntheticMarket.DefaultSymbols(symbols.Count);
        var cryptos = SyntheticMarket.DefaultCryptoSymbols(symbols.Count);
        var list = new List<SyntheticSymbol>(symbols.Count);
        for (var i = 0; i < symbols.Count; i++)
        {
            var template = symbols[i].AssetClass == AssetClass.Crypto ? cryptos[i] : equities[i];
            list.Add(template with { Symbol = symbols[i] });
        }

        return list;
    }

    private sealed class QueueSink : IBarSink
    {
        public Queue<Bar> Queue { get; } = new();

        public void OnBar(in Bar bar) => Queue.Enqueue(bar);
    }
}
