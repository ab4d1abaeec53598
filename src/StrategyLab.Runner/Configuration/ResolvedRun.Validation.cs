using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Reporting;

namespace StrategyLab.Runner.Configuration;
// The checks and parsers Resolve uses: each rejects a value with a message naming its key.
public sealed partial record ResolvedRun
{
    private static RunMode ResolveMode(RunConfig config, List<string> warnings)
    {
        var mode = config.Mode switch
        {
            "backtest" => RunMode.Backtest,
            "replay" => RunMode.Replay,
            "live" => RunMode.Live,
            _ => throw new ConfigException("mode", $"expected backtest, replay or live, got '{config.Mode}'."),
        };
        if (config.LiveMode && mode == RunMode.Backtest)
        {
            mode = RunMode.Live;
        }

        if (config.Replay.Enabled)
        {
            if (mode == RunMode.Live)
            {
                warnings.Add("replay.enabled and live mode are both set: replay takes precedence, live mode is off.");
            }

            mode = RunMode.Replay;
        }

        return mode;
    }

    private static PriceAdjustment? ResolveAdjustment(DataConfig data)
    {
        if (data.Adjustment is null)
        {
            return null;
        }

        Require(
            PriceAdjustments.TryParse(data.Adjustment, out var adjustment),
            "data.adjustment",
            $"expected 'raw', 'split_adjusted' or 'adjusted', got '{data.Adjustment}'.");
        Require(
            adjustment == PriceAdjustment.Raw || data.Provider is "lean" or "store",
            "data.adjustment",
            $"'{data.Adjustment}' needs corporate-action factors, which only the lean and store providers have; {data.Provider} bars are taken as given (leave data.adjustment out, or set \"raw\"; to backtest adjusted prices, give adjusted bars).");
        return adjustment;
    }

    private static Func<Symbol, IMarketCalendar> ResolveCalendar(string name)
    {
        if (string.Equals(name, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return MarketCalendars.For;
        }

        if (!MarketCalendars.TryGet(name, out var calendar))
        {
            throw new ConfigException("market_hours.calendar", $"unknown calendar '{name}'. Known: auto, {MarketCalendars.KnownNamesText}.");
        }

        return _ => calendar;
    }

    private static void RequireNoShortSelling(IStrategyFactory factory, StrategyParameters parameters)
    {
        // Said once here, not as a rejected order per signal: a cash account refuses every short sale.
        foreach (var spec in factory.Parameters)
        {
            if (spec.EnablesShortSelling && spec.Kind == ParameterKind.Boolean && parameters.GetBool(spec.Name))
            {
                throw new ConfigException(
                    $"strategy.params.{spec.Name}",
                    $"true lets '{factory.Name}' sell short, which a cash account cannot do (exchange.account is \"cash\", the default): every short entry would be rejected. Set exchange.account: \"margin\", or {spec.Name}: false.");
            }
        }
    }

    private static void RequireSessions(List<Symbol> symbols, Func<Symbol, IMarketCalendar> calendarOf, DateOnly from, DateOnly to)
    {
        foreach (var symbol in symbols)
        {
            var calendar = calendarOf(symbol);
            bool any;
            try
            {
                any = calendar.GetSessions(from, to).Any();
            }
            catch (ArgumentOutOfRangeException)
            {
                continue; // the calendar does not cover these years; the data will tell
            }

            if (!any)
            {
                throw new ConfigException(
                    "data.from",
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"data.from..data.to ({from:yyyy-MM-dd}..{to:yyyy-MM-dd}) holds no trading session of {symbol} on the {calendar.Name} calendar (only weekend days or holidays): the run would have nothing to trade."));
            }
        }
    }

    private static void ValidateProvider(string key, ProviderConfig p)
    {
        Require(IsUrl(p.WsUrl, "ws", "wss"), $"{key}.ws_url", $"expected a ws:// or wss:// URL, got '{p.WsUrl}'.");
        Require(IsUrl(p.RestUrl, "http", "https"), $"{key}.rest_url", $"expected an http:// or https:// URL, got '{p.RestUrl}'.");
        Require(p.SilenceTimeoutSeconds > 0, $"{key}.silence_timeout_seconds", "must be positive.");
        Require(p.LateGraceSeconds >= 0, $"{key}.late_grace_seconds", "must not be negative.");
    }

    /// <summary>
    /// True when <paramref name="text"/> is an absolute URL with scheme <paramref name="plain"/> or <paramref name="secure"/>.
    /// A built-in endpoint with the secure scheme is known to be one: checking it with <see cref="Uri"/> loaded
    /// System.Private.Uri in every run (~1 % of a small backtest's CPU) for providers the run does not use.
    /// </summary>
    internal static bool IsUrl(string? text, string plain, string secure) =>
        (text is not null && Array.IndexOf(BuiltInEndpoints, text) >= 0 && text.StartsWith(secure + "://", StringComparison.Ordinal))
        || (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == plain || uri.Scheme == secure));

    /// <summary>The providers' default endpoints (<see cref="IsUrl"/>).</summary>
    internal static readonly string[] BuiltInEndpoints = BuiltInEndpointsOf();

    private static string[] BuiltInEndpointsOf()
    {
        var finnhub = new FinnhubConfig();
        var polygon = new PolygonConfig();
        var alpaca = new AlpacaConfig();
        return [finnhub.WsUrl, finnhub.RestUrl, polygon.WsUrl, polygon.RestUrl, alpaca.StreamUrl, alpaca.DataUrl];
    }

    private static void ValidateAlpaca(AlpacaConfig p)
    {
        const string Key = "providers.alpaca";
        Require(IsUrl(p.StreamUrl, "ws", "wss"), $"{Key}.stream_url", $"expected a ws:// or wss:// URL, got '{p.StreamUrl}'.");
        Require(IsUrl(p.DataUrl, "http", "https"), $"{Key}.data_url", $"expected an http:// or https:// URL, got '{p.DataUrl}'.");
        Require(p.Feed is "iex" or "sip" or "delayed_sip" or "test", $"{Key}.feed", $"expected iex, sip, delayed_sip or test, got '{p.Feed}'.");
        Require(p.SilenceTimeoutSeconds > 0, $"{Key}.silence_timeout_seconds", "must be positive.");
        Require(p.LateGraceSeconds >= 0, $"{Key}.late_grace_seconds", "must not be negative.");
    }

    private static Timeframe ParseTimeframe(string key, string text)
    {
        try
        {
            return Timeframe.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ConfigException(key, e.Message);
        }
    }

    private static DateOnly? ParseDate(string key, string? text)
    {
        if (text is null)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new ConfigException(key, $"expected a date yyyy-MM-dd, got '{text}'.");
    }

    private static void RequirePercent(string key, decimal? value, bool below100)
    {
        if (value is not { } v)
        {
            return;
        }

        Require(v > 0, key, $"must be positive (or null for none), got {Num(v)}.");
        Require(!below100 || v < 100, key, $"must be below 100%, got {Num(v)}.");
    }

    private static Dictionary<string, object?> ToParameterValues(JsonObject node)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in node)
        {
            values[key] = value switch
            {
                null => null,
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.TryGetValue<decimal>(out var d) ? d : (object)v.GetValue<double>(),
                JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                _ => value.ToJsonString(),
            };
        }

        return values;
    }

    private static JsonObject BuildEcho(JsonObject effective, StrategyParameters parameters, string strategyName, StrategyOrigin origin)
    {
        var copy = effective.DeepClone().AsObject();

        // The parameters the strategy really ran with, defaults included.
        if (copy["strategy"] is JsonObject strategy)
        {
            var resolved = new JsonObject();
            foreach (var name in SortedKeys.Ordinal(parameters.Values))
            {
                var value = parameters.Values[name];
                resolved[name] = value switch
                {
                    int i => JsonValue.Create(i),
                    long l => JsonValue.Create(l),
                    decimal d => JsonValue.Create(d),
                    bool b => JsonValue.Create(b),
                    _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
                };
            }

            strategy["params"] = resolved;
            strategy["name"] = strategyName;
            if (origin.User is not null)
            {
                strategy["origin"] = origin.ToJson();
            }
        }

        if (copy["providers"] is JsonObject providers)
        {
            foreach (var (_, p) in providers)
            {
                if (p is JsonObject po)
                {
                    foreach (var secret in (string[])["api_key", "api_key_id", "api_secret_key"])
                    {
                        if (po[secret] is not null)
                        {
                            po[secret] = "***";
                        }
                    }
                }
            }

            // The Alpaca section (a broker's keys and URLs) is echoed only when set: runs without it keep their summary as it was.
            if (providers["alpaca"] is JsonObject alpaca && alpaca.All(kv => kv.Value is null))
            {
                providers.Remove("alpaca");
            }
        }

        // Likewise the broker section at its defaults (the simulated exchange, paper).
        if (copy["broker"] is JsonObject broker && broker["type"]?.GetValue<string>() == "simulated" && broker["live"]?.GetValue<bool>() != true)
        {
            copy.Remove("broker");
        }

        return copy;
    }

    private static void Require(bool condition, string key, string problem)
    {
        if (!condition)
        {
            throw new ConfigException(key, problem);
        }
    }

    private static string Num(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>Bounds a money amount (or a quantity) so that no product of the run can overflow decimal arithmetic.</summary>
    private static void RequireMoney(string key, decimal value) =>
        Require(value <= MaxMoney, key, $"must be at most {Num(MaxMoney)} (10^15), got {Num(value)}.");
}
