using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Alpaca;

/// <summary>
/// Alpaca market data v2 as a live feed: the stream (<c>/v2/{iex|sip}</c> for stocks, <c>/v1beta3/crypto/us</c> for crypto)
/// and the historical bars REST (<see cref="AlpacaMarketDataClient"/>) for warm-up and gap backfill.
/// </summary>
/// <remarks>
/// <para>
/// Stream: per connection the handshake waits for <c>[{"T":"success","msg":"connected"}]</c>, sends
/// <c>{"action":"auth","key":…,"secret":…}</c> (the keys travel only there), waits for <c>authenticated</c>, sends one
/// <c>subscribe</c> (<c>bars</c>, or <c>trades</c> per <see cref="AlpacaDataFeedOptions.Stream"/>) and waits for the
/// <c>subscription</c> echo. Error 402 (auth failed) or 401 throws <see cref="FeedAuthenticationException"/> (never retried);
/// 406 (connection limit exceeded) is logged as <c>alpaca.data.connection_limit</c>, reported as a
/// <see cref="ProviderNoticeEvent"/> and holds the next reconnect off for <see cref="AlpacaDataFeedOptions.ConnectionLimitHoldOff"/>;
/// every other error code is logged (<c>alpaca.data.error</c>) with its meaning and reported. One stream carries one asset
/// class: stocks and crypto in one run are refused.
/// </para>
/// <para>
/// Frames are JSON arrays. <c>b</c> (and <c>u</c>, an updated bar, with the same start: the consumer upserts) become one-minute
/// <see cref="BarEvent"/>s (<c>t</c> is the minute's start); <c>t</c> becomes a <see cref="TradeEvent"/> whose id is the
/// trade id <c>i</c> (with the exchange <c>x</c>); other types (quotes, statuses, LULD…) are counted and ignored. A frame or
/// message that cannot be read is logged (<c>alpaca.data.frame.malformed</c>) and skipped; the rest of the frame is kept.
/// Reconnects, back-off and the silence watchdog are the shared <see cref="ReconnectingWebSocket"/>'s (Polly).
/// </para>
/// <para>
/// History: <see cref="HistoryResolution"/> is one minute; every timeframe is fetched as <c>1Min</c> bars and longer ones are
/// resampled on the calendar's session-aligned grid (Alpaca's own are clock-aligned). Only bars that have ended are returned.
/// </para>
/// </remarks>
public sealed class AlpacaDataFeed : StreamingFeed
{
    /// <summary>The provider's name in logs and events.</summary>
    public const string ProviderName = "alpaca";

    private readonly AlpacaDataFeedOptions _options;
    private readonly AlpacaMarketDataClient _rest;
    private readonly SecretRedactor _redactor;
    private readonly HandshakeInbox<Control> _inbox = new();
    private readonly Dictionary<string, Symbol> _symbols = new(StringComparer.OrdinalIgnoreCase);
    private string _subscribeMessage = string.Empty;
    private string _channel = "bars";
    private bool _crypto;
    private long _bars;
    private long _trades;
    private long _malformed;
    private long _errors;

    /// <summary>Creates a feed; nothing connects until <see cref="StreamingFeed.ConnectAsync"/>.</summary>
    /// <param name="options">Keys, URLs, feed, stream and back-off (validated here).</param>
    /// <param name="loggerFactory">Where logs go (none when null). No log ever contains a key.</param>
    /// <param name="timeProvider">The clock of every wait and every received time (the system clock when null).</param>
    /// <param name="httpMessageHandler">The REST transport (a new one when null); not disposed by the feed.</param>
    /// <exception cref="ArgumentException">A setting is missing or out of range; the message names it.</exception>
    public AlpacaDataFeed(
        AlpacaDataFeedOptions options,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        HttpMessageHandler? httpMessageHandler = null)
        : base(ProviderName, "Alpaca", (options ?? throw new ArgumentNullException(nameof(options))).AsStreaming(), loggerFactory, timeProvider)
    {
        _options = options;
        _redactor = options.Alpaca.CreateRedactor();
        _rest = new AlpacaMarketDataClient(options.Alpaca, Logger, Time, httpMessageHandler);
    }

    /// <summary>One minute: the stream's bars and the history this feed fetches.</summary>
    public override Timeframe HistoryResolution => Timeframe.OneMinute;

    /// <summary>Bars received on the stream (including updated bars).</summary>
    public long BarsReceived => Interlocked.Read(ref _bars);

    /// <summary>Trades received on the stream.</summary>
    public long TradesReceived => Interlocked.Read(ref _trades);

    /// <summary>Frames or messages skipped as unreadable.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformed);

    /// <summary>Error messages (<c>T:"error"</c>) received.</summary>
    public long ErrorsReceived => Interlocked.Read(ref _errors);

    /// <summary>The meaning of a data stream error code (protocols §3.5), for messages.</summary>
    public static string ErrorMeaning(int code) => code switch
    {
        400 => "invalid syntax",
        401 => "not authenticated",
        402 => "auth failed",
        403 => "already authenticated",
        404 => "auth timeout",
        405 => "symbol limit exceeded",
        406 => "connection limit exceeded",
        407 => "slow client",
        408 => "v2 not enabled",
        409 => "insufficient subscription",
        410 => "invalid subscribe action",
        500 => "internal error",
        _ => "unknown error",
    };

    /// <summary>
    /// One-minute bars fetched from <c>/v2/stocks/bars</c> (or <c>/v1beta3/crypto/us/bars</c>), resampled to
    /// <paramref name="timeframe"/> when longer; bars that start in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) and
    /// have ended by now. Bars outside the hours in use (<see cref="AlpacaDataFeedOptions.ExtendedHours"/>) are left out.
    /// </summary>
    /// <returns>
    /// <see cref="HistoryStatus.Ok"/> with the bars; <see cref="HistoryStatus.KeyRefused"/> for HTTP 401 (or 403 "not
    /// authorized"); <see cref="HistoryStatus.NotEntitled"/> for another 403 (e.g. recent SIP data on a free plan);
    /// <see cref="HistoryStatus.RateLimited"/> when still 429 after the retries; <see cref="HistoryStatus.Failed"/> otherwise.
    /// </returns>
    /// <exception cref="ArgumentException">A time is not UTC, or the timeframe is the default value.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public override async Task<HistoryResult> GetHistoryAsync(
        Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken)
    {
        CheckHistoryArguments(symbol, timeframe, fromUtc, toUtc);
        if (toUtc <= fromUtc)
        {
            return Logged(symbol, timeframe, new HistoryResult(HistoryStatus.Ok, [], "empty range"));
        }

        var calendar = MarketCalendars.For(symbol);
        var resampled = timeframe != Timeframe.OneMinute;
        var fetchTo = toUtc;
        if (resampled && new BarWindows(calendar, timeframe, _options.ExtendedHours).TryGetWindow(toUtc.AddTicks(-1), out var last) && last.End > toUtc)
        {
            fetchTo = last.End;
        }

        IReadOnlyList<AlpacaBar> fetched;
        try
        {
            // end is inclusive on bar starts: the last minute that starts before fetchTo.
            fetched = await _rest.GetBarsAsync([WireTicker(symbol)], "1Min", fromUtc, fetchTo.AddSeconds(-1), "raw", cancellationToken).ConfigureAwait(false);
        }
        catch (AlpacaApiException e)
        {
            return Logged(symbol, timeframe, Failure(e));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return Logged(symbol, timeframe, HistoryResult.Fail(HistoryStatus.Failed, "bars: unreadable answer: " + _redactor.Redact(e.Message)));
        }

        var grid = new BarWindows(calendar, Timeframe.OneMinute, _options.ExtendedHours);
        var minutes = new List<Bar>(fetched.Count);
        var outside = 0;
        var skipped = 0;
        foreach (var b in fetched)
        {
            if (!grid.TryGetWindow(b.StartUtc, out _))
            {
                outside++;
                continue;
            }

            if (ToBar(symbol, b) is { } bar)
            {
                minutes.Add(bar);
            }
            else
            {
                skipped++;
            }
        }

        IEnumerable<Bar> candidates = minutes;
        if (resampled)
        {
            var resampler = new BarResampler(calendar, timeframe, _options.ExtendedHours);
            var sink = new BarCollector();
            foreach (var bar in minutes)
            {
                resampler.Add(bar, sink);
            }

            resampler.Flush(sink);
            candidates = sink.Bars;
        }

        var result = EndedBarsInRange(candidates, fromUtc, toUtc, out var forming);
        var detail = new StringBuilder(resampled ? $"{timeframe} bars built from 1Min bars on the session-aligned grid; " : string.Empty);
        detail.Append(CultureInfo.InvariantCulture, $"{result.Count} bars ({_options.Alpaca.Feed} feed)");
        if (outside > 0)
        {
            detail.Append(CultureInfo.InvariantCulture, $"; left out {outside} bar(s) outside the {(_options.ExtendedHours ? "extended" : "regular")} session");
        }

        if (forming > 0)
        {
            detail.Append(CultureInfo.InvariantCulture, $"; left out {forming} bar(s) still forming");
        }

        if (skipped > 0)
        {
            detail.Append(CultureInfo.InvariantCulture, $"; skipped {skipped} inconsistent bar(s)");
        }

        return Logged(symbol, timeframe, new HistoryResult(HistoryStatus.Ok, result, detail.Append('.').ToString()));
    }

    private protected override void PrepareSubscriptions(IReadOnlyList<Symbol> symbols)
    {
        if (symbols.Count == 0)
        {
            throw new ArgumentException("At least one symbol is needed to subscribe to.", nameof(symbols));
        }

        var classes = symbols.Select(s => s.AssetClass).Distinct().ToList();
        if (classes.Count > 1)
        {
            throw new ArgumentException("The Alpaca feed streams one asset class per run: stocks (v2/{feed}) or crypto (v1beta3/crypto/us), not both.", nameof(symbols));
        }

        _crypto = classes[0] == AssetClass.Crypto;
        foreach (var symbol in symbols)
        {
            _symbols[WireTicker(symbol)] = symbol;
        }

        _channel = _options.Stream == AlpacaDataStream.Trades ? "trades" : "bars";
        var tickers = string.Join(',', _symbols.Keys.Order(StringComparer.Ordinal).Select(t => "\"" + JsonEncodedText.Encode(t) + "\""));
        _subscribeMessage = "{\"action\":\"subscribe\",\"" + _channel + "\":[" + tickers + "]}";
    }

    /// <summary><c>{DataStreamUrl}/v2/{feed}</c> for stocks, <c>{DataStreamUrl}/v1beta3/crypto/us</c> for crypto (no key in it).</summary>
    private protected override Uri StreamEndpoint()
    {
        var root = _options.Alpaca.DataStreamUrl.AbsoluteUri.TrimEnd('/');
        return new Uri(_crypto ? root + "/v1beta3/crypto/us" : root + "/v2/" + _options.Alpaca.Feed);
    }

    private protected override void ReleaseResources() => _rest.Dispose();

    private protected override void OnSocketOpened() => _inbox.Open();

    /// <summary>Per connection: <c>connected</c>, then <c>auth</c> → <c>authenticated</c>, then <c>subscribe</c> → <c>subscription</c>.</summary>
    private protected override async Task OnConnectedAsync(WebSocketSender sender, CancellationToken cancellationToken)
    {
        await ExpectAsync("connected", "before 'connected'", cancellationToken).ConfigureAwait(false);
        var alpaca = _options.Alpaca;
        var auth = "{\"action\":\"auth\",\"key\":\"" + JsonEncodedText.Encode(alpaca.KeyId) + "\",\"secret\":\"" + JsonEncodedText.Encode(alpaca.SecretKey) + "\"}";
        await _inbox.SendAsync(t => sender.SendTextAsync(auth, t), cancellationToken).ConfigureAwait(false);
        await ExpectAsync("authenticated", "while authenticating", cancellationToken).ConfigureAwait(false);
        await _inbox.SendAsync(t => sender.SendTextAsync(_subscribeMessage, t), cancellationToken).ConfigureAwait(false);
        await ExpectAsync("subscription", "while subscribing", cancellationToken).ConfigureAwait(false);
        _inbox.Close();
    }

    private async Task ExpectAsync(string wanted, string when, CancellationToken cancellationToken)
    {
        while (true)
        {
            var control = await NextControlAsync(cancellationToken).ConfigureAwait(false);
            if (control.Type == "subscription" ? wanted == "subscription" : string.Equals(control.Message, wanted, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            if (control.Type != "error")
            {
                continue; // e.g. a late 'connected' repeated: keep waiting
            }

            switch (control.Code)
            {
                case 401 or 402:
                    throw new FeedAuthenticationException(
                        $"Alpaca refused the data stream keys: {control.Code} {control.Message}. Check {AlpacaOptions.KeyIdVariable} and " +
                        $"{AlpacaOptions.SecretKeyVariable} or providers.alpaca (the keys are not shown).");
                case 403:
                    continue; // already authenticated: harmless
                default:
                    throw new WebSocketException($"alpaca: error {control.Code} ({ErrorMeaning(control.Code)}) {when}: {control.Message}");
            }
        }
    }

    /// <summary>The next control message; those that arrived just before a close still count (a 402 then a close must fail the feed).</summary>
    private async ValueTask<Control> NextControlAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _inbox.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_inbox.TryReceive(out var pending))
        {
            return pending;
        }
    }

    private protected override void OnFrame(ReadOnlySpan<byte> utf8, DateTime receivedUtc)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            Malformed("not JSON: " + e.Message, utf8);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                Malformed($"a frame must be a JSON array (was {root.ValueKind})", utf8);
                return;
            }

            foreach (var message in root.EnumerateArray())
            {
                try
                {
                    OnMessage(message, receivedUtc);
                }
                catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or KeyNotFoundException)
                {
                    Malformed(e.Message, utf8);
                }
            }
        }
    }

    private void OnMessage(JsonElement message, DateTime receivedUtc)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"a message must be a JSON object (was {message.ValueKind})");
        }

        var type = AlpacaWire.String(message, "T") ?? throw new FormatException("a message without 'T'");
        switch (type)
        {
            case "b" or "u":
            {
                var symbol = SymbolOf(message);
                var bar = ToBar(symbol, AlpacaWire.Bar(symbol.Ticker, message, type == "u"))
                    ?? throw new FormatException("inconsistent bar (high below low, or open/close outside them)");
                Interlocked.Increment(ref _bars);
                EventWriter.TryWrite(new BarEvent(receivedUtc, bar));
                break;
            }

            case "t":
            {
                var symbol = SymbolOf(message);
                var time = ReadTime(message, "t");
                var price = AlpacaWire.Decimal(message, "p") ?? throw new FormatException("trade without p");
                var size = AlpacaWire.Decimal(message, "s") ?? throw new FormatException("trade without s");
                var id = message.TryGetProperty("i", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetRawText() : null;
                var venue = AlpacaWire.String(message, "x");
                IReadOnlyList<string>? conditions = message.TryGetProperty("c", out var c) && c.ValueKind == JsonValueKind.Array
                    ? [.. c.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
                    : null;
                Interlocked.Increment(ref _trades);
                EventWriter.TryWrite(new TradeEvent(receivedUtc, new TradePrint(symbol, time, price, size, id is null ? null : venue + ":" + id, conditions)));
                break;
            }

            case "success":
                _inbox.TryPost(new Control(type, 0, AlpacaWire.String(message, "msg") ?? string.Empty));
                break;
            case "subscription":
                if (message.TryGetProperty(_channel, out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    AlpacaDataLogEvents.LogSubscribed(Logger, _channel, string.Join(',', list.EnumerateArray().Select(x => x.GetString())), null);
                }

                _inbox.TryPost(new Control(type, 0, string.Empty));
                break;
            case "error":
                OnError(message, receivedUtc);
                break;
            default:
                break; // quotes, daily bars, statuses, LULD, corrections: not used
        }
    }

    private void OnError(JsonElement message, DateTime receivedUtc)
    {
        Interlocked.Increment(ref _errors);
        var code = message.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
        var text = _redactor.Redact(AlpacaWire.String(message, "msg") ?? string.Empty);
        switch (code)
        {
            case 406:
                AlpacaDataLogEvents.LogConnectionLimit(Logger, text, _options.ConnectionLimitHoldOff.TotalSeconds, null);
                if (_options.ConnectionLimitHoldOff > TimeSpan.Zero)
                {
                    Session?.HoldOff(_options.ConnectionLimitHoldOff, "406 connection limit exceeded: another connection holds this account's data stream");
                }

                break;
            case 401 or 402:
                AlpacaDataLogEvents.LogAuthFailed(Logger, code, text, $"{AlpacaOptions.KeyIdVariable}/{AlpacaOptions.SecretKeyVariable}", null);
                break;
            default:
                AlpacaDataLogEvents.LogStreamError(Logger, code, ErrorMeaning(code), text, null);
                break;
        }

        EventWriter.TryWrite(new ProviderNoticeEvent(receivedUtc, FormattableString.Invariant($"Alpaca data stream error {code} ({ErrorMeaning(code)}): {text}")));
        _inbox.TryPost(new Control("error", code, text));
    }

    private Symbol SymbolOf(JsonElement message)
    {
        var ticker = AlpacaWire.String(message, "S");
        if (string.IsNullOrWhiteSpace(ticker))
        {
            throw new FormatException("a message without 'S' (symbol)");
        }

        return _symbols.TryGetValue(ticker, out var known) ? known : Symbol.Parse(ticker);
    }

    private static DateTime ReadTime(JsonElement e, string name)
    {
        var text = AlpacaWire.String(e, name) ?? throw new FormatException($"'{name}' is missing or not a string");
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            throw new FormatException($"'{name}' is not an RFC 3339 time: {text}");
        }

        return time.UtcDateTime;
    }

    /// <summary>A one-minute bar; null when the values are inconsistent (the core refuses them).</summary>
    private static Bar? ToBar(Symbol symbol, AlpacaBar b)
    {
        try
        {
            var start = DateTime.SpecifyKind(b.StartUtc, DateTimeKind.Utc);
            return new Bar(symbol, start, start.AddMinutes(1), b.Open, b.High, b.Low, b.Close, b.Volume,
                b.Trades is >= 0 and <= int.MaxValue ? (int)b.Trades : null, b.Vwap);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Alpaca spells crypto pairs <c>BTC/USD</c>; equities as they are.</summary>
    private static string WireTicker(Symbol symbol) =>
        symbol.AssetClass == AssetClass.Crypto ? symbol.Ticker.Replace('-', '/') : symbol.Ticker;

    private void Malformed(string problem, ReadOnlySpan<byte> utf8)
    {
        var count = Interlocked.Increment(ref _malformed);
        AlpacaDataLogEvents.LogFrameMalformed(Logger, count, _redactor.Redact(problem), _redactor.Redact(Redactor.Excerpt(utf8)), null);
    }

    private HistoryResult Failure(AlpacaApiException e)
    {
        var text = _redactor.Redact(e.Message);
        return e.StatusCode switch
        {
            HttpStatusCode.Unauthorized => HistoryResult.Fail(
                HistoryStatus.KeyRefused, $"Alpaca refused the keys ({text}). Check {AlpacaOptions.KeyIdVariable}/{AlpacaOptions.SecretKeyVariable} (not shown)."),
            HttpStatusCode.Forbidden when e.ErrorCode == 40110000 => HistoryResult.Fail(
                HistoryStatus.KeyRefused, $"Alpaca refused the keys ({text}). Check {AlpacaOptions.KeyIdVariable}/{AlpacaOptions.SecretKeyVariable} (not shown)."),
            HttpStatusCode.Forbidden => HistoryResult.Fail(HistoryStatus.NotEntitled, $"Alpaca: the plan does not include this data ({text})."),
            HttpStatusCode.TooManyRequests => HistoryResult.Fail(HistoryStatus.RateLimited, text),
            _ => HistoryResult.Fail(HistoryStatus.Failed, text),
        };
    }

    private HistoryResult Logged(Symbol symbol, Timeframe timeframe, HistoryResult result)
    {
        if (result.Status == HistoryStatus.Ok)
        {
            AlpacaDataLogEvents.LogHistory(Logger, symbol.Ticker, timeframe.ToString(), result.Status.ToString(), result.Bars.Count, result.Detail, null);
        }
        else
        {
            AlpacaDataLogEvents.LogHistoryProblem(Logger, symbol.Ticker, result.Status.ToString(), result.Detail, null);
        }

        return result;
    }

    /// <summary>A control message of the handshake: <c>success</c> (its <c>msg</c>), <c>subscription</c>, or <c>error</c> (code, msg).</summary>
    private readonly record struct Control(string Type, int Code, string Message);
}
