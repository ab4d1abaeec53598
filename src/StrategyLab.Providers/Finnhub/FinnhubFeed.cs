using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Json;
using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Finnhub;

/// <summary>
/// Finnhub real-time trades (WebSocket) and history (REST <c>/stock/candle</c>, <c>/quote</c>).
/// </summary>
/// <remarks>
/// <para>
/// Stream: one socket (<c>{WebSocketUrl}?token=KEY</c>), one <c>subscribe</c> message per symbol (tickers as Finnhub spells
/// them: <c>AAPL</c>, <c>BINANCE:BTCUSDT</c>), re-sent after every reconnect; <see cref="StreamingFeed.ConnectAsync"/> returns
/// once the socket is open and every subscribe message is sent, and a key refused on the upgrade (HTTP 401/403) throws
/// <see cref="FeedAuthenticationException"/>. Each print of a <c>trade</c> frame becomes a <see cref="TradeEvent"/> with exact
/// decimal price and size (numbers or strings), UTC time from <c>t</c> (ms), the condition codes, and an id built from (s, t, p, v, c): Finnhub
/// sends duplicates, and identical prints get identical ids so the consumer can drop them. Size-0 prints are price-only
/// updates and are kept. <c>ping</c> frames only prove liveness; <c>error</c> frames become <see cref="ProviderNoticeEvent"/>s.
/// Malformed frames are logged (<c>finnhub.frame.malformed</c>) and counted, never fatal. Reconnects, back-off and the silence
/// watchdog are the shared <see cref="ReconnectingWebSocket"/>'s.
/// </para>
/// <para>
/// The event channel is unbounded (nothing is ever dropped); it completes after <see cref="StreamingFeed.DisconnectAsync"/>, on
/// dispose, or after a <see cref="FeedConnectionState.Failed"/> event (key refused on a reconnect).
/// </para>
/// </remarks>
public sealed class FinnhubFeed : StreamingFeed
{
    /// <summary>The provider's name in logs and events.</summary>
    public const string ProviderName = "finnhub";

    private readonly FinnhubOptions _options;
    private readonly FinnhubRestClient _rest;
    private readonly ProviderSymbolTable _symbolTable = new();
    private readonly FinnhubFrameParser _parser;
    private readonly List<FinnhubTrade> _batch = new(64);
    private readonly FinnhubFeedCounters _counters = new();
    private string[] _subscribeMessages = [];
    private string[] _tickers = [];
    private volatile string? _lastRequested;

    /// <summary>Creates a feed; nothing connects until <see cref="StreamingFeed.ConnectAsync"/>.</summary>
    /// <param name="options">Key, URLs, back-off and timeouts (validated here).</param>
    /// <param name="loggerFactory">Where logs go (none when null). No log ever contains the key.</param>
    /// <param name="timeProvider">The clock for every wait and every received time (the system clock when null).</param>
    /// <param name="httpMessageHandler">The REST transport (a new <see cref="SocketsHttpHandler"/> when null); not disposed by the feed.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range; the message names it.</exception>
    public FinnhubFeed(
        FinnhubOptions options,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        HttpMessageHandler? httpMessageHandler = null)
        : base(ProviderName, "Finnhub", options, loggerFactory, timeProvider)
    {
        _options = options;
        _rest = new FinnhubRestClient(options, Redactor, Logger, Time, httpMessageHandler);
        _parser = new FinnhubFrameParser(_symbolTable);
    }

    /// <inheritdoc />
    public override Timeframe HistoryResolution => Timeframe.OneMinute;

    /// <summary>Live counters of what the stream delivered (frames, trades, pings, errors, malformed frames, connections).</summary>
    public FinnhubFeedCounters Counters => _counters;

    /// <summary>
    /// Bars from <c>/stock/candle</c> whose start lies in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) and that have
    /// ended by now. Timeframes 1m 5m 15m 30m 1h 1d map to resolutions 1 5 15 30 60 D; any other timeframe is served as
    /// 1-minute bars (the result's detail says so) for the caller to aggregate. Intraday ranges longer than
    /// <see cref="FinnhubOptions.MaxCandleRequestSpan"/> are split into several calls. A daily bar spans its date's regular session.
    /// </summary>
    /// <returns>
    /// <see cref="HistoryStatus.Ok"/> with the bars; <see cref="HistoryStatus.NoData"/> for <c>{"s":"no_data"}</c>;
    /// <see cref="HistoryStatus.NotEntitled"/> for HTTP 401/403 (candles are a premium endpoint);
    /// <see cref="HistoryStatus.RateLimited"/> when still HTTP 429 after the retries; <see cref="HistoryStatus.Failed"/> otherwise.
    /// </returns>
    /// <exception cref="ArgumentException">A time is not UTC.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public override async Task<HistoryResult> GetHistoryAsync(
        Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken)
    {
        CheckHistoryArguments(symbol, timeframe, fromUtc, toUtc);
        var resolution = FinnhubResolution.For(timeframe);
        var note = resolution.Substituted
            ? $"Finnhub has no {timeframe} resolution: these are 1-minute bars (resolution 1) to aggregate. "
            : string.Empty;
        if (toUtc <= fromUtc)
        {
            return new HistoryResult(HistoryStatus.Ok, [], note + "empty range");
        }

        var bars = new SortedDictionary<DateTime, Bar>();
        var noDataChunks = 0;
        var chunks = 0;
        var skipped = 0;
        foreach (var (chunkFrom, chunkTo) in RequestRanges(resolution, fromUtc, toUtc))
        {
            chunks++;
            var query = string.Create(
                CultureInfo.InvariantCulture,
                $"/stock/candle?symbol={Uri.EscapeDataString(symbol.Ticker)}&resolution={resolution.Code}&from={chunkFrom}&to={chunkTo}");
            var reply = await _rest.GetAsync(query, cancellationToken).ConfigureAwait(false);
            if (Failure(symbol, reply) is { } failure)
            {
                return failure;
            }

            CandleChunk chunk;
            try
            {
                chunk = FinnhubCandles.Parse(reply.Body!, symbol, resolution, Logger);
            }
            catch (JsonException e)
            {
                return Logged(symbol, resolution, HistoryResult.Fail(
                    HistoryStatus.Failed, $"/stock/candle: unreadable answer: {Redactor.Redact(e.Message)}"));
            }

            if (chunk.Problem is not null)
            {
                return Logged(symbol, resolution, HistoryResult.Fail(HistoryStatus.Failed, $"/stock/candle: {chunk.Problem}"));
            }

            noDataChunks += chunk.NoData ? 1 : 0;
            skipped += chunk.Skipped;
            foreach (var bar in chunk.Bars)
            {
                bars[bar.Start] = bar; // chunks meet at their edges: a bar seen twice is kept once
            }
        }

        if (noDataChunks == chunks)
        {
            return Logged(symbol, resolution, HistoryResult.Fail(HistoryStatus.NoData, note + "Finnhub has no data for the range (s=no_data)."));
        }

        var result = EndedBarsInRange(bars.Values, fromUtc, toUtc, out var forming);
        var detail = new StringBuilder(note);
        detail.Append(CultureInfo.InvariantCulture, $"{result.Count} bars from {chunks} request(s)");
        if (forming > 0)
        {
            detail.Append(CultureInfo.InvariantCulture, $"; left out {forming} bar(s) still forming");
        }

        if (skipped > 0)
        {
            detail.Append(CultureInfo.InvariantCulture, $"; skipped {skipped} unreadable candle(s)");
        }

        detail.Append('.');
        return Logged(symbol, resolution, new HistoryResult(HistoryStatus.Ok, result, detail.ToString()));
    }

    /// <summary>
    /// The latest quote from <c>/quote</c>, or null when Finnhub has no data for the symbol (it answers <c>c = 0</c> and
    /// <c>t = 0</c>, which is never a $0 price).
    /// </summary>
    /// <exception cref="FinnhubRequestException">The call failed (HTTP error, still rate-limited after the retries, network, unreadable answer).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async Task<FinnhubQuote?> GetQuoteAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var reply = await _rest.GetAsync("/quote?symbol=" + Uri.EscapeDataString(symbol.Ticker), cancellationToken).ConfigureAwait(false);
        if (reply.Outcome != RestOutcome.Success)
        {
            throw new FinnhubRequestException($"Finnhub quote for {symbol.Ticker} failed: {reply.Detail}", reply.Status);
        }

        try
        {
            using var doc = JsonDocument.Parse(reply.Body!);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FinnhubRequestException($"Finnhub quote for {symbol.Ticker}: the answer is not a JSON object.", reply.Status);
            }

            var current = Required(root, "c", symbol);
            var seconds = root.TryGetProperty("t", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var s) ? s : -1;
            if (seconds < 0)
            {
                throw new FinnhubRequestException($"Finnhub quote for {symbol.Ticker}: 't' is missing or not epoch seconds.", reply.Status);
            }

            if (current == 0 && seconds == 0)
            {
                return null;
            }

            return new FinnhubQuote(
                symbol,
                current,
                Optional(root, "d"),
                Optional(root, "dp"),
                Required(root, "h", symbol),
                Required(root, "l", symbol),
                Required(root, "o", symbol),
                Required(root, "pc", symbol),
                DateTime.UnixEpoch.AddSeconds(seconds));
        }
        catch (JsonException e)
        {
            throw new FinnhubRequestException($"Finnhub quote for {symbol.Ticker}: unreadable answer: {Redactor.Redact(e.Message)}", reply.Status);
        }
    }

    private protected override void PrepareSubscriptions(IReadOnlyList<Symbol> symbols)
    {
        var tickers = new List<string>(symbols.Count);
        foreach (var symbol in symbols)
        {
            ArgumentNullException.ThrowIfNull(symbol, nameof(symbols));
            if (!tickers.Contains(symbol.Ticker, StringComparer.Ordinal))
            {
                tickers.Add(symbol.Ticker);
                _symbolTable.Add(symbol);
            }
        }

        _tickers = [.. tickers];
        _subscribeMessages = [.. tickers.Select(SubscribeMessage)];
    }

    /// <summary><see cref="FinnhubOptions.WebSocketUrl"/> with the key as the <c>token</c> parameter (the protocol requires it there).</summary>
    private protected override Uri StreamEndpoint()
    {
        var baseText = _options.WebSocketUrl.AbsoluteUri;
        var separator = string.IsNullOrEmpty(_options.WebSocketUrl.Query) ? "?" : "&";
        return new Uri(baseText + separator + "token=" + Uri.EscapeDataString(_options.ApiKey));
    }

    private protected override void ReleaseResources() => _rest.Dispose();

    private static string SubscribeMessage(string ticker) =>
        "{\"type\":\"subscribe\",\"symbol\":\"" + JsonEncodedText.Encode(ticker) + "\"}";

    /// <summary>The [from, to] second ranges of the calls for [fromUtc, toUtc).</summary>
    private IEnumerable<(long From, long To)> RequestRanges(FinnhubResolution resolution, DateTime fromUtc, DateTime toUtc)
    {
        if (resolution.IsDaily)
        {
            // Daily candles may be stamped up to a day away from their session's open: ask a day wider, filter afterwards.
            yield return (ToSeconds(fromUtc.AddDays(-1)), ToSeconds(toUtc.AddDays(1)));
            yield break;
        }

        var span = _options.MaxCandleRequestSpan;
        for (var start = fromUtc; start < toUtc; start += span)
        {
            var end = start + span < toUtc ? start + span : toUtc;
            yield return (ToSeconds(start), ToSeconds(end) - 1);
        }
    }

    private static long ToSeconds(DateTime utc) => (long)Math.Floor((utc - DateTime.UnixEpoch).TotalSeconds);

    private HistoryResult? Failure(Symbol symbol, RestReply reply)
    {
        var result = reply.Outcome switch
        {
            RestOutcome.Success => null,
            RestOutcome.RateLimited => HistoryResult.Fail(HistoryStatus.RateLimited, reply.Detail),
            RestOutcome.HttpError when reply.Status is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => HistoryResult.Fail(
                HistoryStatus.NotEntitled,
                $"Finnhub refused /stock/candle (HTTP {((int)reply.Status!).ToString(CultureInfo.InvariantCulture)}: {_rest.ErrorText(reply.Body)}): " +
                "candles are a premium endpoint, a free key cannot fetch history."),
            _ => HistoryResult.Fail(HistoryStatus.Failed, reply.Detail),
        };
        if (result is not null)
        {
            FinnhubLogEvents.LogHistoryProblem(Logger, symbol.Ticker, result.Status.ToString(), result.Detail, null);
        }

        return result;
    }

    private HistoryResult Logged(Symbol symbol, FinnhubResolution resolution, HistoryResult result)
    {
        if (result.Status is HistoryStatus.Ok or HistoryStatus.NoData)
        {
            FinnhubLogEvents.LogHistory(Logger, symbol.Ticker, resolution.Code, result.Status.ToString(), result.Bars.Count, result.Detail, null);
        }
        else
        {
            FinnhubLogEvents.LogHistoryProblem(Logger, symbol.Ticker, result.Status.ToString(), result.Detail, null);
        }

        return result;
    }

    private static decimal Required(JsonElement root, string name, Symbol symbol) =>
        root.TryGetProperty(name, out var e) && JsonDecimal.TryRead(e, out var value)
            ? value
            : throw new FinnhubRequestException($"Finnhub quote for {symbol.Ticker}: '{name}' is missing or not a number.");

    private static decimal? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && JsonDecimal.TryRead(e, out var value) ? value : null;

    /// <summary>Sends one subscribe message per symbol (after every connect).</summary>
    private protected override async Task OnConnectedAsync(WebSocketSender sender, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _subscribeMessages.Length; i++)
        {
            _lastRequested = _tickers[i];
            await sender.SendTextAsync(_subscribeMessages[i], cancellationToken).ConfigureAwait(false);
            _counters.AddSubscribeSent();
        }
    }

    private protected override void OnFrame(ReadOnlySpan<byte> utf8, DateTime receivedUtc)
    {
        _counters.AddFrame();
        var frame = _parser.Parse(utf8, _batch);
        switch (frame.Type)
        {
            case FinnhubFrameType.Trade:
                foreach (var print in _batch)
                {
                    EventWriter.TryWrite(new TradeEvent(receivedUtc, ToTradePrint(print)));
                }

                _counters.AddTrades(_batch.Count);
                break;
            case FinnhubFrameType.Ping:
                _counters.AddPing();
                break;
            case FinnhubFrameType.Error:
                var message = Redactor.Redact(frame.Text);
                _counters.AddError();
                FinnhubLogEvents.LogError(Logger, message, _lastRequested ?? "(none)", null);
                EventWriter.TryWrite(new ProviderNoticeEvent(
                    receivedUtc, $"Finnhub error: {message} (last symbol requested: {_lastRequested ?? "(none)"})"));
                break;
            case FinnhubFrameType.Other:
                _counters.AddOther();
                FinnhubLogEvents.LogFrameUnknown(Logger, Redactor.Redact(frame.Text), null);
                break;
        }

        if (frame.Problem is not null)
        {
            var count = _counters.AddMalformed(frame.SkippedPrints);
            FinnhubLogEvents.LogFrameMalformed(Logger, count, Redactor.Redact(frame.Problem), Redactor.Excerpt(utf8), null);
        }
    }

    private static TradePrint ToTradePrint(FinnhubTrade print)
    {
        var time = DateTime.UnixEpoch.AddTicks(print.TimeMs * TimeSpan.TicksPerMillisecond);
        return new TradePrint(print.Symbol, time, print.Price, print.Volume, TradeId(print), print.Conditions ?? []);
    }

    /// <summary>
    /// The de-duplication key of a print: (s, t, p, v, c). Numbers are written without trailing zeros so that 129.58 sent as a
    /// number or as "129.580" gives the same id.
    /// </summary>
    internal static string TradeId(FinnhubTrade print)
    {
        var sb = new StringBuilder(48);
        sb.Append(print.Symbol.Ticker).Append('|')
            .Append(print.TimeMs.ToString(CultureInfo.InvariantCulture)).Append('|')
            .Append(Canonical(print.Price)).Append('|')
            .Append(Canonical(print.Volume)).Append('|');
        if (print.Conditions is { } codes)
        {
            sb.AppendJoin(',', codes);
        }

        return sb.ToString();
    }

    private static string Canonical(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        return text;
    }
}
