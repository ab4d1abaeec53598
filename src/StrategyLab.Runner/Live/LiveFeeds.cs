using Microsoft.Extensions.Logging;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Providers.Finnhub;
using StrategyLab.Providers.Polygon;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Live;

/// <summary>Creates the live feed a configuration names (<c>data.provider</c>), with its key from the environment or the configuration.</summary>
public static class LiveFeeds
{
    /// <summary>The environment variable holding the Finnhub key.</summary>
    public const string FinnhubKeyVariable = "FINNHUB_API_KEY";

    /// <summary>The environment variable holding the Polygon key.</summary>
    public const string PolygonKeyVariable = "POLYGON_API_KEY";

    private static readonly EventId SymbolNoData = new(5030, "liveMode.symbol.noData");
    private static readonly EventId SymbolQuote = new(5031, "liveMode.symbol.quote");

    /// <summary>The API key of the configured provider: the environment variable wins over the file.</summary>
    public static string? ApiKeyOf(ResolvedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Config.Data.Provider switch
        {
            "finnhub" => Environment.GetEnvironmentVariable(FinnhubKeyVariable) is { Length: > 0 } f ? f : run.Config.Providers.Finnhub.ApiKey,
            "polygon" => Environment.GetEnvironmentVariable(PolygonKeyVariable) is { Length: > 0 } p ? p : run.Config.Providers.Polygon.ApiKey,
            "alpaca" => AlpacaKeysOf(run).SecretKey,
            _ => null,
        };
    }

    /// <summary>Every secret of the configured provider, for the log redactors (Alpaca has two keys).</summary>
    public static IReadOnlyList<string?> SecretsOf(ResolvedRun run) =>
        run?.Config.Data.Provider == "alpaca" ? [AlpacaKeysOf(run).KeyId, AlpacaKeysOf(run).SecretKey] : [ApiKeyOf(run!)];

    /// <summary>
    /// Alpaca's key id and secret: <c>ALPACA_API_KEY_ID</c> / <c>ALPACA_API_SECRET_KEY</c> win over <c>providers.alpaca.api_key_id</c> /
    /// <c>api_secret_key</c>; empty strings when neither is set.
    /// </summary>
    public static (string KeyId, string SecretKey) AlpacaKeysOf(ResolvedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var p = run.Config.Providers.Alpaca ?? new AlpacaConfig();
        var id = Environment.GetEnvironmentVariable(AlpacaOptions.KeyIdVariable) is { Length: > 0 } i ? i : p.ApiKeyId;
        var secret = Environment.GetEnvironmentVariable(AlpacaOptions.SecretKeyVariable) is { Length: > 0 } k ? k : p.ApiSecretKey;
        return (id ?? string.Empty, secret ?? string.Empty);
    }

    /// <summary>The late grace of the configured provider (<c>providers.{provider}.late_grace_seconds</c>).</summary>
    public static double LateGraceSecondsOf(ResolvedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Config.Data.Provider switch
        {
            "polygon" => run.Config.Providers.Polygon.LateGraceSeconds,
            "alpaca" => (run.Config.Providers.Alpaca ?? new AlpacaConfig()).LateGraceSeconds,
            _ => run.Config.Providers.Finnhub.LateGraceSeconds,
        };
    }

    /// <summary>
    /// Asks the provider for a quote of each symbol before trading (Finnhub's free <c>/quote</c>): a quote of
    /// <c>c == 0 &amp;&amp; t == 0</c> is Finnhub's "no data" (an unknown symbol, or one the plan does not cover), never a
    /// $0 price — it is logged as <c>liveMode.symbol.noData</c> so a typo is seen at once. Feeds without quotes are skipped.
    /// </summary>
    /// <returns>The symbols the provider has no data for.</returns>
    public static async Task<IReadOnlyList<Symbol>> CheckSymbolsAsync(ILiveMarketDataFeed feed, IReadOnlyList<Symbol> symbols, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var missing = new List<Symbol>();
        if (feed is not FinnhubFeed finnhub)
        {
            return missing;
        }

        foreach (var symbol in symbols)
        {
            try
            {
                var quote = await finnhub.GetQuoteAsync(symbol, cancellationToken).ConfigureAwait(false);
                if (quote is null)
                {
                    missing.Add(symbol);
                    logger.LogWarning(SymbolNoData, "{Provider} has no data for {Symbol} (quote c=0, t=0): an unknown symbol, or one the plan does not cover", feed.Name, symbol);
                }
                else
                {
                    logger.LogInformation(SymbolQuote, "{Symbol} last {Price} at {Time:O}", symbol, quote.Current, quote.TimeUtc);
                }
            }
            catch (FinnhubRequestException e)
            {
                logger.LogWarning(SymbolNoData, "{Provider} quote for {Symbol} unavailable: {Error}", feed.Name, symbol, e.Message);
            }
        }

        return missing;
    }

    /// <summary>Creates the feed of <paramref name="run"/>.</summary>
    /// <exception cref="ConfigException">No key, or a provider that is not a live one.</exception>
    public static ILiveMarketDataFeed Create(ResolvedRun run, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(run);
        var key = ApiKeyOf(run);
        switch (run.Config.Data.Provider)
        {
            case "finnhub":
            {
                if (string.IsNullOrWhiteSpace(key))
                {
                    throw new ConfigException("providers.finnhub.api_key", $"no Finnhub API key: set {FinnhubKeyVariable} (preferred) or providers.finnhub.api_key.");
                }

                var p = run.Config.Providers.Finnhub;
                var options = new FinnhubOptions
                {
                    ApiKey = key,
                    WebSocketUrl = new Uri(p.WsUrl),
                    RestUrl = new Uri(p.RestUrl),
                };
                options.Stream.SilenceTimeout = TimeSpan.FromSeconds(p.SilenceTimeoutSeconds);
                return new FinnhubFeed(options, loggers, time);
            }

            case "polygon":
            {
                if (string.IsNullOrWhiteSpace(key))
                {
                    throw new ConfigException("providers.polygon.api_key", $"no Polygon API key: set {PolygonKeyVariable} (preferred) or providers.polygon.api_key.");
                }

                // Minute aggregates (AM) for minute and longer bars; second aggregates (A) for sub-minute bars (a minute
                // bar cannot be cut into 5 s bars). The runner upserts them by (symbol, start) until their bar closes. Quiet
                // symbols are normal and Polygon sends no heartbeat, so silence counts only while the market is open.
                var p = run.Config.Providers.Polygon;
                var calendar = run.CalendarOf(run.Symbols[0]);
                var extended = run.Config.MarketHours.ExtendedHours;
                var options = new PolygonOptions
                {
                    ApiKey = key,
                    WebSocketUrl = new Uri(p.WsUrl),
                    RestUrl = new Uri(p.RestUrl),
                    Streams = run.Timeframe.IsSeconds ? PolygonStreams.SecondAggregates : PolygonStreams.MinuteAggregates,
                    SilenceMatters = utc => calendar.IsOpen(utc, extended),
                };
                options.Stream.SilenceTimeout = TimeSpan.FromSeconds(p.SilenceTimeoutSeconds);
                return new PolygonFeed(options, loggers, time);
            }

            case "alpaca":
                return CreateAlpaca(run, loggers, time);

            default:
                throw new ConfigException("data.provider", $"'{run.Config.Data.Provider}' is not a live provider (finnhub, polygon or alpaca).");
        }
    }

    /// <summary>
    /// The Alpaca market data feed: minute bars streamed for minute and longer timeframes, trades for sub-minute ones (Alpaca
    /// has no second bars); silence counts only while the market is open (quiet symbols are normal, no heartbeat).
    /// </summary>
    private static AlpacaDataFeed CreateAlpaca(ResolvedRun run, ILoggerFactory loggers, TimeProvider time)
    {
        var (id, secret) = AlpacaKeysOf(run);
        if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(secret))
        {
            throw new ConfigException(
                "providers.alpaca.api_key_id",
                $"no Alpaca keys: set {AlpacaOptions.KeyIdVariable} and {AlpacaOptions.SecretKeyVariable} (preferred) or providers.alpaca.api_key_id and api_secret_key.");
        }

        var p = run.Config.Providers.Alpaca ?? new AlpacaConfig();
        var calendar = run.CalendarOf(run.Symbols[0]);
        var extended = run.Config.MarketHours.ExtendedHours;
        var options = new AlpacaDataFeedOptions
        {
            Alpaca = new AlpacaOptions { KeyId = id, SecretKey = secret, DataUrl = new Uri(p.DataUrl), DataStreamUrl = new Uri(p.StreamUrl), Feed = p.Feed },
            Stream = run.Timeframe.IsSeconds ? AlpacaDataStream.Trades : AlpacaDataStream.MinuteBars,
            SilenceMatters = utc => calendar.IsOpen(utc, extended),
            ExtendedHours = extended,
        };
        options.Alpaca.Stream.SilenceTimeout = TimeSpan.FromSeconds(p.SilenceTimeoutSeconds);
        return new AlpacaDataFeed(options, loggers, time);
    }
}
