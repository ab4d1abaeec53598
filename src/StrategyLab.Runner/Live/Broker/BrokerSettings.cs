using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Reporting;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Live.Broker;

/// <summary>The <c>broker</c> section: its checks, the keys, and the venue it makes.</summary>
public static class BrokerSettings
{
    /// <summary>The command-line flag that, with <c>broker.live: true</c>, allows real-money orders.</summary>
    public const string LiveConfirmationFlag = "--i-understand-live-trading";

    /// <summary>Checks the section (called while the configuration is resolved).</summary>
    /// <exception cref="ConfigException">An unknown type, a broker outside live mode, or a bad URL.</exception>
    internal static void Validate(RunConfig config, RunMode mode)
    {
        var broker = config.Broker;
        if (broker.Type is not ("simulated" or "alpaca"))
        {
            throw new ConfigException("broker.type", $"expected 'simulated' or 'alpaca', got '{broker.Type}'.");
        }

        if (broker.Type == "alpaca" && mode != RunMode.Live)
        {
            throw new ConfigException("broker.type", $"'alpaca' sends real orders: it is for live mode only (this run is a {mode.ToString().ToLowerInvariant()}).");
        }

        if (broker.Live && broker.Type != "alpaca")
        {
            throw new ConfigException("broker.live", "live trading needs broker.type 'alpaca'.");
        }

        var a = config.Providers.Alpaca ?? new AlpacaConfig();
        CheckUrl("providers.alpaca.trading_url", a.TradingUrl, "http", "https");
        CheckUrl("providers.alpaca.trade_stream_url", a.TradeStreamUrl, "ws", "wss");
    }

    /// <summary>The secrets a log of <paramref name="run"/> must never show.</summary>
    public static IEnumerable<string?> SecretsOf(ResolvedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Config.Broker.Type != "alpaca")
        {
            return [];
        }

        var (id, secret) = LiveFeeds.AlpacaKeysOf(run);
        return [id, secret];
    }

    /// <summary>
    /// The venue of <paramref name="run"/>: null for the simulated exchange, else the broker adapter (not yet connected).
    /// </summary>
    /// <param name="run">The validated configuration.</param>
    /// <param name="runId">The run's id (the run folder's name): the stem of every client order id.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="liveTradingConfirmed">The command line carried <see cref="LiveConfirmationFlag"/>.</param>
    /// <exception cref="ConfigException">No keys, or live trading without the confirmation flag.</exception>
    public static ILiveVenue? CreateVenue(ResolvedRun run, string runId, ILoggerFactory loggers, bool liveTradingConfirmed)
    {
        ArgumentNullException.ThrowIfNull(run);
        var broker = run.Config.Broker;
        if (broker.Type != "alpaca")
        {
            return null;
        }

        if (broker.Live && !liveTradingConfirmed)
        {
            throw new ConfigException(
                "broker.live",
                $"true sends real-money orders to Alpaca: add {LiveConfirmationFlag} to the command line to confirm, or set broker.live to false for paper trading.");
        }

        var (id, secret) = LiveFeeds.AlpacaKeysOf(run);
        if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(secret))
        {
            throw new ConfigException(
                "providers.alpaca.api_key_id",
                $"no Alpaca keys: set {AlpacaOptions.KeyIdVariable} and {AlpacaOptions.SecretKeyVariable} (preferred) or providers.alpaca.api_key_id and api_secret_key.");
        }

        var a = run.Config.Providers.Alpaca ?? new AlpacaConfig();
        var options = new AlpacaOptions
        {
            KeyId = id,
            SecretKey = secret,
            Live = broker.Live,
            TradingUrl = a.TradingUrl is null ? null : new Uri(a.TradingUrl),
            TradeStreamUrl = a.TradeStreamUrl is null ? null : new Uri(a.TradeStreamUrl),
        };
        return new AlpacaBroker(options, runId, loggers);
    }

    private static void CheckUrl(string key, string? text, string scheme, string secureScheme)
    {
        if (text is not null && !(Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == scheme || uri.Scheme == secureScheme)))
        {
            throw new ConfigException(key, $"expected a {scheme}:// or {secureScheme}:// URL, got '{text}'.");
        }
    }
}
