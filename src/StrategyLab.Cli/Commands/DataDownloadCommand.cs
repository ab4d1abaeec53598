using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Store;
using StrategyLab.Providers.Polygon;
using Symbol = StrategyLab.Core.Domain.Symbol;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab data download --provider polygon --symbols AAPL,MSFT --timeframe 1m --from … --to … --out STORE</c>:
/// fetches history from a provider into the Parquet bar store. Resumable: only the calendar's trading sessions in the range
/// that the store does not hold yet (per <see cref="ParquetBarStore.GetDates"/>) and that have closed are fetched, in
/// chunks of <see cref="SessionsPerRequest"/> sessions, each written as soon as it arrives.
/// </summary>
internal static class DataDownloadCommand
{
    /// <summary>
    /// Decimals a stored VWAP keeps. Polygon's own VWAPs have 4; a VWAP resampled from them is an exact quotient with up to
    /// 28 digits, more than the store's 18, so it is rounded (half to even) to this many.
    /// </summary>
    public const int VwapDecimals = 8;

    /// <summary>Sessions per history call: a chunk of extended-hours minute bars stays below one 50000-aggregate page.</summary>
    public const int SessionsPerRequest = 20;

    private static readonly EventId Progress = new(1101, "data.download");
    private static readonly EventId Skipped = new(1102, "data.download.skipped");

    public static Command Create()
    {
        var provider = new Option<string>("--provider") { Description = "The history provider: polygon.", Required = true };
        var symbols = new Option<string>("--symbols") { Description = "Comma-separated tickers, e.g. AAPL,MSFT.", Required = true };
        var timeframe = new Option<string>("--timeframe") { Description = "Bar length: 1s … 30s (from second aggregates), 1m … 1d (from minute aggregates).", DefaultValueFactory = _ => "1m" };
        var from = new Option<string>("--from") { Description = "First exchange-local date (yyyy-MM-dd), inclusive.", Required = true };
        var to = new Option<string>("--to") { Description = "Last exchange-local date (yyyy-MM-dd), inclusive.", Required = true };
        var output = new Option<string>("--out") { Description = "The store folder to write into (created if absent).", Required = true };
        var restUrl = new Option<string>("--rest-url") { Description = "The provider's REST base URL (default: the provider's own, https://api.massive.com)." };
        var keyEnv = new Option<string>("--api-key-env") { Description = "The environment variable holding the API key.", DefaultValueFactory = _ => PolygonOptions.ApiKeyVariable };
        var regularHours = new Option<bool>("--regular-hours") { Description = "Keep only regular-session bars (default: pre-market and after-hours too; a 1d bar then spans the extended session)." };
        var perMinute = new Option<int>("--requests-per-minute") { Description = "Pace calls to at most this many per minute (the free plan allows 5; 0 = no pacing, HTTP 429 is still retried).", DefaultValueFactory = _ => 0 };
        var adjustment = new Option<string>("--adjustment")
        {
            Description = "Prices as data.adjustment names them: split_adjusted (default; Polygon's adjusted=true) or raw (adjusted=false). Polygon aggregates are never dividend-adjusted.",
            DefaultValueFactory = _ => "split_adjusted",
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output; only the summary and errors." };
        var command = new Command(
            "download",
            "Download bars from a provider (polygon) into the Parquet bar store; a second run fetches only the trading days the store lacks.")
        {
            provider, symbols, timeframe, from, to, output, restUrl, keyEnv, regularHours, perMinute, adjustment, quiet,
        };
        command.SetAction((parse, ct) => RunAsync(parse, new Args(
            parse.GetValue(provider)!,
            parse.GetValue(symbols)!,
            parse.GetValue(timeframe)!,
            parse.GetValue(from)!,
            parse.GetValue(to)!,
            parse.GetValue(output)!,
            parse.GetValue(restUrl),
            parse.GetValue(keyEnv)!,
            parse.GetValue(regularHours),
            parse.GetValue(perMinute),
            parse.GetValue(quiet),
            parse.GetValue(adjustment)!), ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Args args, CancellationToken ct)
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        Plan plan;
        try
        {
            plan = Plan.Parse(args);
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.ExitBadInput;
        }

        var secrets = new[] { plan.Options.ApiKey };
        using var commandLogs = CliLogging.Create(stderr, args.Quiet ? LogLevel.Warning : LogLevel.Information, secrets);
        using var feedLogs = CliLogging.Create(stderr, LogLevel.Warning, secrets);
        var logger = commandLogs.CreateLogger("StrategyLab.Cli.Download");
        await using var feed = new PolygonFeed(plan.Options, feedLogs);
        var store = new ParquetBarStore(args.Output, logger: logger);
        var work = plan.Symbols.Select(s => Work.For(s, plan, store, DateTime.UtcNow)).ToList();
        foreach (var w in work.Where(w => w.NotClosed > 0))
        {
            logger.LogInformation(Skipped, "{Symbol}: {Count} session(s) in the range have not closed yet; not downloaded", w.Symbol.Ticker, w.NotClosed);
        }

        try
        {
            var terminal = !args.Quiet && RunConsole.IsTerminal(stdout);
            if (terminal)
            {
                await RunConsole.For(stdout).Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async ctx =>
                    {
                        foreach (var w in work)
                        {
                            var task = ctx.AddTask(Markup.Escape($"{w.Symbol.Ticker} {plan.Timeframe}"), maxValue: Math.Max(1, w.Missing.Count));
                            await DownloadAsync(feed, store, plan, w, logger, done => task.Value = done, ct).ConfigureAwait(false);
                            task.Value = task.MaxValue;
                        }
                    }).ConfigureAwait(false);
            }
            else
            {
                foreach (var w in work)
                {
                    await DownloadAsync(feed, store, plan, w, logger, null, ct).ConfigureAwait(false);
                }
            }
        }
        catch (DownloadException e)
        {
            PrintSummary(stdout, store, plan, work);
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Data.DataFormatException)
        {
            PrintSummary(stdout, store, plan, work);
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.ExitFailure;
        }

        PrintSummary(stdout, store, plan, work);
        return 0;
    }

    private static async Task DownloadAsync(
        PolygonFeed feed, ParquetBarStore store, Plan plan, Work work, ILogger logger, Action<int>? progress, CancellationToken ct)
    {
        foreach (var chunk in work.Missing.Chunk(SessionsPerRequest).SelectMany(Runs))
        {
            var fromUtc = chunk[0].Open(plan.ExtendedHours);
            var toUtc = chunk[^1].Close(plan.ExtendedHours);
            var result = await feed.GetHistoryAsync(work.Symbol, plan.Timeframe, fromUtc, toUtc, ct).ConfigureAwait(false);
            switch (result.Status)
            {
                case HistoryStatus.Ok:
                    break;
                case HistoryStatus.KeyRefused:
                    // Refused credentials exit 3 in every command (as in `live`).
                    throw new DownloadException($"{work.Symbol.Ticker}: {result.Detail} (key read from {plan.KeyVariable})", CliApp.ExitAuthenticationFailed);
                case HistoryStatus.NotEntitled:
                    throw new DownloadException($"{work.Symbol.Ticker}: {result.Detail} (key read from {plan.KeyVariable})", CliApp.ExitBadInput);
                default:
                    throw new DownloadException($"{work.Symbol.Ticker} {chunk[0].Date:yyyy-MM-dd}..{chunk[^1].Date:yyyy-MM-dd}: history {result.Status}: {result.Detail}", CliApp.ExitFailure);
            }

            if (result.Bars.Count > 0)
            {
                await store.WriteAsync(result.Bars.Select(Storable), plan.Timeframe, "polygon:" + plan.Options.RestUrl.GetLeftPart(UriPartial.Authority) + (plan.Options.Adjusted ? " (split_adjusted)" : " (raw)"), ct).ConfigureAwait(false);
            }

            var calendar = MarketCalendars.For(work.Symbol);
            var daysWithBars = result.Bars.Select(b => DateOnly.FromDateTime(calendar.ToExchangeTime(b.Start))).ToHashSet();
            var empty = chunk.Count(s => !daysWithBars.Contains(s.Date));
            work.Sessions += chunk.Length;
            work.Bars += result.Bars.Count;
            work.Empty += empty;
            progress?.Invoke(work.Sessions);
            logger.LogInformation(
                Progress,
                "{Symbol} {Timeframe} {From}..{To}: {Bars} bars in {Sessions} session(s){Empty} [{Done}/{Total}]",
                work.Symbol.Ticker,
                plan.Timeframe.ToString(),
                chunk[0].Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                chunk[^1].Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                result.Bars.Count,
                chunk.Length,
                empty > 0 ? Invariant($", {empty} without bars") : string.Empty,
                work.Sessions,
                work.Missing.Count);
        }
    }

    /// <summary>The bar with its VWAP rounded to <see cref="VwapDecimals"/> decimals (unchanged when it has fewer).</summary>
    private static Bar Storable(Bar bar) => bar.Vwap is { } vwap && vwap.Scale > VwapDecimals
        ? new Bar(bar.Symbol, bar.Start, bar.End, bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, bar.TradeCount, Math.Round(vwap, VwapDecimals, MidpointRounding.ToEven))
        : bar;

    /// <summary>Splits sessions into runs of neighbours (no stored session between them), so a call never spans stored days.</summary>
    private static IEnumerable<TradingSession[]> Runs(IndexedSession[] sessions)
    {
        var run = new List<IndexedSession>();
        foreach (var s in sessions)
        {
            if (run.Count > 0 && s.Index != run[^1].Index + 1)
            {
                yield return [.. run.Select(r => r.Session)];
                run.Clear();
            }

            run.Add(s);
        }

        if (run.Count > 0)
        {
            yield return [.. run.Select(r => r.Session)];
        }
    }

    private static void PrintSummary(TextWriter stdout, ParquetBarStore store, Plan plan, List<Work> work)
    {
        stdout.WriteLine(Invariant($"Polygon {plan.Timeframe} {plan.From:yyyy-MM-dd}..{plan.To:yyyy-MM-dd} into {store.Root}"));
        foreach (var w in work)
        {
            var line = Invariant(
                $"  {w.Symbol.Ticker}: {w.Sessions} of {w.Missing.Count} missing session(s) downloaded, {w.Bars} bars; {w.Present} already in the store");
            if (w.Empty > 0)
            {
                line += Invariant($"; {w.Empty} session(s) without bars at the provider");
            }

            if (w.NotClosed > 0)
            {
                line += Invariant($"; {w.NotClosed} not closed yet");
            }

            stdout.WriteLine(line);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static DateOnly ParseDate(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new UsageException($"{option}: '{text}' is not a date (yyyy-MM-dd).");

    /// <summary>The parsed command line.</summary>
    private sealed record Args(
        string Provider, string Symbols, string Timeframe, string From, string To, string Output, string? RestUrl, string KeyVariable,
        bool RegularHours, int RequestsPerMinute, bool Quiet, string Adjustment = "split_adjusted");

    /// <summary>What to download, validated.</summary>
    private sealed record Plan(IReadOnlyList<Symbol> Symbols, Timeframe Timeframe, DateOnly From, DateOnly To, bool ExtendedHours, string KeyVariable, PolygonOptions Options)
    {
        public static Plan Parse(Args args)
        {
            if (!string.Equals(args.Provider.Trim(), PolygonFeed.ProviderName, StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--provider: '{args.Provider}' cannot download history; supported: polygon.");
            }

            var symbols = new List<Symbol>();
            foreach (var ticker in args.Symbols.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    var symbol = Symbol.Parse(ticker);
                    if (!symbols.Contains(symbol))
                    {
                        symbols.Add(symbol);
                    }
                }
                catch (ArgumentException e)
                {
                    throw new UsageException("--symbols: " + e.Message.Split(" (Parameter")[0]);
                }
            }

            if (symbols.Count == 0)
            {
                throw new UsageException("--symbols: no ticker given.");
            }

            if (!Core.Domain.Timeframe.TryParse(args.Timeframe, out var timeframe))
            {
                throw new UsageException($"--timeframe: '{args.Timeframe}' is not a timeframe (1s … 30s, 1m … 30m, 1h 2h 4h, 1d).");
            }

            var from = ParseDate(args.From, "--from");
            var to = ParseDate(args.To, "--to");
            if (to < from)
            {
                throw new UsageException($"--to ({to:yyyy-MM-dd}) is before --from ({from:yyyy-MM-dd}).");
            }

            if (args.RequestsPerMinute < 0)
            {
                throw new UsageException("--requests-per-minute must not be negative.");
            }

            var variable = args.KeyVariable.Trim();
            var key = variable.Length == 0 ? null : Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new UsageException($"no Polygon API key: set {(variable.Length == 0 ? PolygonOptions.ApiKeyVariable : variable)} (or name another variable with --api-key-env).");
            }

            // Polygon's adjusted=true is a split adjustment only; a dividend-adjusted series must come from elsewhere.
            var adjusted = args.Adjustment switch
            {
                "split_adjusted" => true,
                "raw" => false,
                "adjusted" => throw new UsageException("--adjustment: Polygon aggregates are adjusted for splits only (adjusted=true), never for dividends: use split_adjusted or raw."),
                _ => throw new UsageException($"--adjustment: '{args.Adjustment}' is not raw or split_adjusted."),
            };
            var options = new PolygonOptions
            {
                ApiKey = key.Trim(),
                Adjusted = adjusted,
                ExtendedHours = !args.RegularHours,
                RequestsPerMinute = args.RequestsPerMinute,
            };
            if (args.RestUrl is { } rest)
            {
                if (!Uri.TryCreate(rest, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    throw new UsageException($"--rest-url: '{rest}' is not an absolute http(s) URL.");
                }

                options.RestUrl = uri;
            }

            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message.Split(" (Parameter")[0]);
            }

            return new Plan(symbols, timeframe, from, to, !args.RegularHours, variable, options);
        }
    }

    /// <summary>One calendar session and its position among the range's sessions.</summary>
    private readonly record struct IndexedSession(int Index, TradingSession Session)
    {
        public DateOnly Date => Session.Date;

        public DateTime Open(bool extended) => Session.Open(extended);

        public DateTime Close(bool extended) => Session.Close(extended);
    }

    /// <summary>One symbol's sessions to fetch, and what was done.</summary>
    private sealed class Work
    {
        private Work(Symbol symbol, List<IndexedSession> missing, int present, int notClosed)
        {
            Symbol = symbol;
            Missing = missing;
            Present = present;
            NotClosed = notClosed;
        }

        public Symbol Symbol { get; }

        public List<IndexedSession> Missing { get; }

        public int Present { get; }

        public int NotClosed { get; }

        public int Sessions { get; set; }

        public long Bars { get; set; }

        public int Empty { get; set; }

        public static Work For(Symbol symbol, Plan plan, ParquetBarStore store, DateTime nowUtc)
        {
            var stored = store.GetDates(symbol, plan.Timeframe).ToHashSet();
            var missing = new List<IndexedSession>();
            int present = 0, notClosed = 0, index = 0;
            foreach (var session in MarketCalendars.For(symbol).GetSessions(plan.From, plan.To))
            {
                index++;
                if (stored.Contains(session.Date))
                {
                    present++;
                }
                else if (session.Close(plan.ExtendedHours) > nowUtc)
                {
                    notClosed++;
                }
                else
                {
                    missing.Add(new IndexedSession(index, session));
                }
            }

            return new Work(symbol, missing, present, notClosed);
        }
    }

    /// <summary>A download that cannot go on; the message is for the user (never holds the key).</summary>
    private sealed class DownloadException(string message, int exitCode) : Exception(message)
    {
        public int ExitCode { get; } = exitCode;
    }

    /// <summary>Bad command-line input.</summary>
    private sealed class UsageException(string message) : Exception(message);
}
