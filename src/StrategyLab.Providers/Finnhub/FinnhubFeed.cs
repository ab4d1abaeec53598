using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
/// Stream: one socket (<c>{WebSocketUrl}?token=KEY</c>), one <c>subscribe</c> message per symbol, re-sent after every
/// reconnect. Each print of a <c>trade</c> frame becomes a <see cref="TradeEvent"/> with exact decimal price and size
/// (numbers or strings), UTC time from <c>t</c> (ms), the condition codes, and an id built from (s, t, p, v, c): Finnhub
/// sends duplicates, and identical prints get identical ids so the consumer can drop them. Size-0 prints are price-only
/// updates and are kept. <c>ping</c> frames only prove liveness; <c>error</c> frames become <see cref="ProviderNoticeEvent"/>s.
/// Malformed frames are logged (<c>finnhub.frame.malformed</c>) and counted, never fatal. Reconnects, back-off and the silence
/// watchdog are the shared <see cref="ReconnectingWebSocket"/>'s.
/// </para>
/// <para>
/// The event channel is unbounded (nothing is ever dropped); it completes after <see cref="DisconnectAsync"/>, on dispose,
/// or after a <see cref="FeedConnectionState.Failed"/> event (key refused on a reconnect).
/// </para>
/// </remarks>
public sealed class FinnhubFeed : ILiveMarketDataFeed
{
    /// <summary>The provider's name in logs and events.</summary>
    public const string ProviderName = "finnhub";

    private readonly FinnhubOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SecretRedactor _redactor;
    private readonly Channel<MarketEvent> _events;
    private readonly FinnhubRestClient _rest;
    private readonly ProviderSymbolTable _symbolTable = new();
    private readonly FinnhubFrameParser _parser;
    private readonly List<FinnhubTrade> _batch = new(64);
    private readonly FinnhubFeedCounters _counters = new();
    private readonly object _gate = new();
    private ReconnectingWebSocket? _session;
    private string[] _subscribeMessages = [];
    private string[] _tickers = [];
    private volatile string? _lastRequested;
    private bool _disposed;

    /// <summary>Creates a feed; nothing connects until <see cref="ConnectAsync"/>.</summary>
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
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("StrategyLab.Providers.Finnhub");
        _time = timeProvider ?? TimeProvider.System;
        _redactor = new SecretRedactor(options.ApiKey);
        _events = Channel.CreateUnbounded<MarketEvent>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
        _rest = new FinnhubRestClient(options, _redactor, _logger, _time, httpMessageHandler);
        _parser = new FinnhubFrameParser(_symbolTable);
    }

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <inheritdoc />
    public Timeframe HistoryResolution => Timeframe.OneMinute;

    /// <inheritdoc />
    public ChannelReader<MarketEvent> Events => _events.Reader;

    /// <summary>Live counters of what the stream delivered (frames, trades, pings, errors, malformed frames, connections).</summary>
    public FinnhubFeedCounters Counters => _counters;

    /// <summary>True while the stream is connected and subscribed.</summary>
    public bool IsConnected => _session?.IsConnected ?? false;

    /// <summary>
    /// Opens the stream and subscribes to <paramref name="symbols"/> (tickers as Finnhub spells them: <c>AAPL</c>,
    /// <c>BINANCE:BTCUSDT</c>); returns once the socket is open and every subscribe message is sent. Connection failures are
    /// retried with back-off until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <exception cref="FeedAuthenticationException">Finnhub refused the key (HTTP 401/403 on the upgrade); the message does not contain it.</exception>
    /// <exception cref="InvalidOperationException">Already connected, or disconnected/disposed (a feed connects once).</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the first connection was up.</exception>
    public async Task ConnectAsync(IReadOnlyList<Symbol> symbols, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ReconnectingWebSocket session;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is not null)
            {
                throw new InvalidOperationException("The Finnhub feed was already connected; a feed connects once (create a new one to start again).");
            }

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
            session = new ReconnectingWebSocket(
                ProviderName, StreamUri(), new StreamHandler(this), _events.Writer, _options.Stream, _redactor, _logger, _time);
            _session = session;
        }

        await session.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the stream (close frame, then abort); no reconnect after this, and <see cref="Events"/> completes.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        ReconnectingWebSocket? session;
        lock (_gate)
        {
            session = _session;
        }

        if (session is null)
        {
            _events.Writer.TryComplete();
            return;
        }

        await session.StopAsync(cancellationToken).ConfigureAwait(false);
    }

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
    public async Task<HistoryResult> GetHistoryAsync(
        Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (timeframe.IsDefault)
        {
            throw new ArgumentException("A timeframe is required.", nameof(timeframe));
        }

        RequireUtc(fromUtc, nameof(fromUtc));
        RequireUtc(toUtc, nameof(toUtc));
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
                chunk = FinnhubCandles.Parse(reply.Body!, symbol, resolution, _logger);
            }
            catch (JsonException e)
            {
                return Logged(symbol, resolution, HistoryResult.Fail(
                    HistoryStatus.Failed, $"/stock/candle: unreadable answer: {_redactor.Redact(e.Message)}"));
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

        var now = _time.GetUtcNow().UtcDateTime;
        var result = new List<Bar>(bars.Count);
        var forming = 0;
        foreach (var bar in bars.Values)
        {
            if (bar.Start < fromUtc || bar.Start >= toUtc)
            {
                continue;
            }

            if (bar.End > now)
            {
                forming++;
                continue;
            }

            result.Add(bar);
        }

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
            throw new FinnhubRequestException($"Finnhub quote for {symbol.Ticker}: unreadable answer: {_redactor.Redact(e.Message)}", reply.Status);
        }
    }

    /// <summary>Disconnects (see <see cref="DisconnectAsync"/>) and releases the sockets and the HTTP client.</summary>
    public async ValueTask DisposeAsync()
    {
        ReconnectingWebSocket? session;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            session = _session;
        }

        if (session is not null)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        _events.Writer.TryComplete();
        _rest.Dispose();
    }

    private Uri StreamUri()
    {
        var baseText = _options.WebSocketUrl.AbsoluteUri;
        var separator = string.IsNullOrEmpty(_options.WebSocketUrl.Query) ? "?" : "&";
        return new Uri(baseText + separator + "token=" + Uri.EscapeDataString(_options.ApiKey));
    }

    private static string SubscribeMessage(string ticker) =>
        "{\"type\":\"subscribe\",\"symbol\":\"" + JsonEncodedText.Encode(ticker) + "\"}";

    private static void RequireUtc(DateTime value, string name)
    {
        if (value.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"{name} must be a UTC instant (DateTimeKind.Utc); it was {value.Kind}.", name);
        }
    }

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
            FinnhubLogEvents.LogHistoryProblem(_logger, symbol.Ticker, result.Status.ToString(), result.Detail, null);
        }

        return result;
    }

    private HistoryResult Logged(Symbol symbol, FinnhubResolution resolution, HistoryResult result)
    {
        if (result.Status is HistoryStatus.Ok or HistoryStatus.NoData)
        {
            FinnhubLogEvents.LogHistory(_logger, symbol.Ticker, resolution.Code, result.Status.ToString(), result.Bars.Count, result.Detail, null);
        }
        else
        {
            FinnhubLogEvents.LogHistoryProblem(_logger, symbol.Ticker, result.Status.ToString(), result.Detail, null);
        }

        return result;
    }

    private static decimal Required(JsonElement root, string name, Symbol symbol) =>
        root.TryGetProperty(name, out var e) && JsonDecimal.TryRead(e, out var value)
            ? value
            : throw new FinnhubRequestException($"Finnhub quote for {symbol.Ticker}: '{name}' is missing or not a number.");

    private static decimal? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && JsonDecimal.TryRead(e, out var value) ? value : null;

    private async Task SubscribeAllAsync(WebSocketSender sender, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _subscribeMessages.Length; i++)
        {
            _lastRequested = _tickers[i];
            await sender.SendTextAsync(_subscribeMessages[i], cancellationToken).ConfigureAwait(false);
            _counters.AddSubscribeSent();
        }
    }

    private void OnFrame(ReadOnlySpan<byte> utf8, DateTime receivedUtc)
    {
        _counters.AddFrame();
        var frame = _parser.Parse(utf8, _batch);
        switch (frame.Type)
        {
            case FinnhubFrameType.Trade:
                foreach (var print in _batch)
                {
                    _events.Writer.TryWrite(new TradeEvent(receivedUtc, ToTradePrint(print)));
                }

                _counters.AddTrades(_batch.Count);
                break;
            case FinnhubFrameType.Ping:
                _counters.AddPing();
                break;
            case FinnhubFrameType.Error:
                var message = _redactor.Redact(frame.Text);
                _counters.AddError();
                FinnhubLogEvents.LogError(_logger, message, _lastRequested ?? "(none)", null);
                _events.Writer.TryWrite(new ProviderNoticeEvent(
                    receivedUtc, $"Finnhub error: {message} (last symbol requested: {_lastRequested ?? "(none)"})"));
                break;
            case FinnhubFrameType.Other:
                _counters.AddOther();
                FinnhubLogEvents.LogFrameUnknown(_logger, _redactor.Redact(frame.Text), null);
                break;
        }

        if (frame.Problem is not null)
        {
            var count = _counters.AddMalformed(frame.SkippedPrints);
            FinnhubLogEvents.LogFrameMalformed(_logger, count, _redactor.Redact(frame.Problem), _redactor.Excerpt(utf8), null);
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

    /// <summary>The stream side of the feed, kept private so the feed's public surface stays the interface's.</summary>
    private sealed class StreamHandler(FinnhubFeed feed) : IWebSocketSessionHandler
    {
        public Task OnConnectedAsync(WebSocketSender sender, CancellationToken cancellationToken) =>
            feed.SubscribeAllAsync(sender, cancellationToken);

        public void OnFrame(ReadOnlySpan<byte> utf8, DateTime receivedUtc) => feed.OnFrame(utf8, receivedUtc);

        public bool IsSilenceSignificant(DateTime utcNow) => feed._options.SilenceMatters?.Invoke(utcNow) ?? true;
    }
}
