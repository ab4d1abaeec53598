using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Json;
using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Polygon;

/// <summary>
/// Polygon (Massive) real-time stock aggregates and trades (WebSocket, stocks cluster) and history (REST <c>/v2/aggs</c>).
/// </summary>
/// <remarks>
/// <para>
/// Stream: one socket to <see cref="PolygonOptions.WebSocketUrl"/>; per connection the handshake waits for the
/// <c>connected</c> status, sends <c>{"action":"auth","params":KEY}</c>, waits for <c>auth_success</c> (an
/// <c>auth_failed</c> throws <see cref="FeedAuthenticationException"/> and is never retried), then subscribes every
/// channel (<c>AM.</c>/<c>A.</c>/<c>T.</c> + ticker, per <see cref="PolygonOptions.Streams"/>) in one comma-separated message
/// and waits for one <c>success</c> per channel; <see cref="StreamingFeed.ConnectAsync"/> returns once the first connection
/// has them all, takes US equities only (an <see cref="ArgumentException"/> otherwise: the crypto cluster is not streamed by
/// this feed) and at least one symbol, and retries <c>max_connections</c> like any failed attempt. Every frame is a JSON array of events. <c>AM</c>/<c>A</c> become
/// <see cref="BarEvent"/>s (exact decimals; <c>s</c>/<c>e</c> are the bar's start and end; <c>v</c> volume; <c>vw</c> the
/// VWAP; <c>z</c>, <c>av</c>, <c>op</c>, <c>a</c> ignored; no trade count). A bar re-sent with the same start (a late
/// correction) is passed on as another event: the consumer upserts by (symbol, start). <c>T</c> becomes a
/// <see cref="TradeEvent"/> whose id is (sym, i, x), so duplicates carry the same id.
/// </para>
/// <para>
/// Statuses: <c>max_connections</c> is logged as an error (<c>polygon.max_connections</c>), reported as a
/// <see cref="ProviderNoticeEvent"/>, and holds the next reconnect off for <see cref="PolygonOptions.MaxConnectionsHoldOff"/>;
/// <c>auth_timeout</c> is logged (<c>polygon.auth_timeout</c>); any other unexpected status is logged (<c>polygon.status</c>)
/// and reported. A malformed frame or event is logged (<c>polygon.frame.malformed</c>) and skipped. Reconnects, back-off and
/// the silence watchdog are the shared <see cref="ReconnectingWebSocket"/>'s; after a reconnect the whole handshake runs again.
/// </para>
/// <para>
/// History: <see cref="HistoryResolution"/> is 1 minute (1 second without the <c>AM</c> stream). Second timeframes (1s … 30s) are served from <c>1/second</c>
/// aggregates, every other one from <c>1/minute</c> aggregates; timeframes longer than the base are resampled on the
/// calendar's session-aligned grid (see <see cref="PolygonAggregatePlan"/>).
/// </para>
/// </remarks>
public sealed class PolygonFeed : StreamingFeed
{
    /// <summary>The provider's name in logs and events.</summary>
    public const string ProviderName = "polygon";

    private const int MaxPages = 100_000;

    private readonly PolygonOptions _options;
    private readonly PolygonRestClient _rest;
    private readonly ProviderSymbolTable _symbolTable = new();
    private readonly PolygonFrameParser _parser;
    private readonly List<PolygonEvent> _batch = new(64);
    private readonly PolygonFeedCounters _counters = new();
    private readonly HandshakeInbox<PolygonStatus> _inbox = new();
    private string[] _channels = [];
    private string _subscribeMessage = string.Empty;

    /// <summary>Creates a feed; nothing connects until <see cref="StreamingFeed.ConnectAsync"/>.</summary>
    /// <param name="options">Key, URLs, streams, back-off and timeouts (validated here).</param>
    /// <param name="loggerFactory">Where logs go (none when null). No log ever contains the key.</param>
    /// <param name="timeProvider">The clock for every wait and every received time (the system clock when null).</param>
    /// <param name="httpMessageHandler">The REST transport (a new <see cref="SocketsHttpHandler"/> when null); not disposed by the feed.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range; the message names it.</exception>
    public PolygonFeed(
        PolygonOptions options,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        HttpMessageHandler? httpMessageHandler = null)
        : base(ProviderName, "Polygon", options, loggerFactory, timeProvider)
    {
        _options = options;
        _rest = new PolygonRestClient(options, Redactor, Logger, Time, httpMessageHandler);
        _parser = new PolygonFrameParser(_symbolTable);
    }

    /// <summary>
    /// The history bars that match the stream: 1 minute when minute aggregates (<c>AM</c>) are streamed, else 1 second
    /// (a sub-minute run streams <c>A</c> or <c>T</c>, and warms up and backfills from <c>1/second</c> aggregates).
    /// </summary>
    public override Timeframe HistoryResolution =>
        _options.Streams.HasFlag(PolygonStreams.MinuteAggregates) ? Timeframe.OneMinute : Timeframe.OneSecond;

    /// <summary>Live counters of what the stream delivered.</summary>
    public PolygonFeedCounters Counters => _counters;

    /// <summary>
    /// Bars of <paramref name="timeframe"/> whose start lies in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) and that
    /// have ended by now, from <c>/v2/aggs/ticker/{ticker}/range/1/{minute|second}/{from ms}/{to ms}</c> with
    /// <c>adjusted</c>, <c>sort=asc</c> and <c>limit</c>, following every <c>next_url</c> page (the key goes in the
    /// <c>Authorization</c> header of each). Longer timeframes are resampled from base bars on the calendar's grid (the
    /// fetch is extended to the end of the window that holds <paramref name="toUtc"/>). Bars outside the hours in use
    /// (<see cref="PolygonOptions.ExtendedHours"/>) are left out.
    /// </summary>
    /// <returns>
    /// <see cref="HistoryStatus.Ok"/> with the bars (possibly none); <see cref="HistoryStatus.KeyRefused"/> for HTTP 401
    /// (key refused); <see cref="HistoryStatus.NotEntitled"/> for 403 (plan); <see cref="HistoryStatus.RateLimited"/> when still HTTP 429 after the retries;
    /// <see cref="HistoryStatus.Failed"/> otherwise. The detail says which and never holds the key.
    /// </returns>
    /// <exception cref="ArgumentException">A time is not UTC, or the timeframe is the default value.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public override async Task<HistoryResult> GetHistoryAsync(
        Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken)
    {
        CheckHistoryArguments(symbol, timeframe, fromUtc, toUtc);
        var plan = PolygonAggregatePlan.For(timeframe);
        var note = plan.Resampled
            ? $"{timeframe} bars are built from 1/{plan.Timespan} aggregates on the session-aligned grid (Polygon's own are clock-aligned). "
            : string.Empty;
        if (toUtc <= fromUtc)
        {
            return Logged(symbol, timeframe, new HistoryResult(HistoryStatus.Ok, [], note + "empty range"));
        }

        var calendar = MarketCalendars.For(symbol);
        var fetchTo = toUtc;
        if (plan.Resampled && new BarWindows(calendar, timeframe, _options.ExtendedHours).TryGetWindow(toUtc.AddTicks(-1), out var last) && last.End > toUtc)
        {
            fetchTo = last.End;
        }

        var url = _rest.Url(string.Create(
            CultureInfo.InvariantCulture,
            $"v2/aggs/ticker/{Uri.EscapeDataString(symbol.Ticker)}/range/1/{plan.Timespan}/{ToMs(fromUtc)}/{ToMs(fetchTo) - 1}?adjusted={(_options.Adjusted ? "true" : "false")}&sort=asc&limit={_options.PageLimit}"));
        var bars = new SortedDictionary<DateTime, Bar>();
        var pages = 0;
        var skipped = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            if (!seen.Add(url.AbsoluteUri) || pages >= MaxPages)
            {
                return Logged(symbol, timeframe, HistoryResult.Fail(
                    HistoryStatus.Failed, $"aggregates: the server's next_url repeats a page ({_rest.Show(url)}); stopped after {pages} page(s)."));
            }

            var reply = await _rest.GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (Failure(reply) is { } failure)
            {
                return Logged(symbol, timeframe, failure);
            }

            AggregatePage page;
            try
            {
                page = PolygonAggregates.Parse(reply.Body!, symbol, plan.BaseTimeframe, Logger);
            }
            catch (JsonException e)
            {
                return Logged(symbol, timeframe, HistoryResult.Fail(HistoryStatus.Failed, $"aggregates: unreadable answer: {Redactor.Redact(e.Message)}"));
            }

            pages++;
            if (page.Problem is not null)
            {
                return Logged(symbol, timeframe, HistoryResult.Fail(HistoryStatus.Failed, $"aggregates: {page.Problem}"));
            }

            if (page.Status is "ERROR")
            {
                return Logged(symbol, timeframe, HistoryResult.Fail(HistoryStatus.Failed, $"aggregates: status ERROR: {_rest.ErrorText(reply.Body)}"));
            }

            if (page.Status is "NOT_AUTHORIZED")
            {
                return Logged(symbol, timeframe, HistoryResult.Fail(HistoryStatus.NotEntitled, $"aggregates: not entitled: {_rest.ErrorText(reply.Body)}"));
            }

            skipped += page.Skipped;
            foreach (var bar in page.Bars)
            {
                bars[bar.Start] = bar; // a bar repeated across pages is kept once
            }

            if (page.NextUrl is null)
            {
                break;
            }

            try
            {
                url = _rest.NextPage(page.NextUrl);
            }
            catch (UriFormatException)
            {
                return Logged(symbol, timeframe, HistoryResult.Fail(HistoryStatus.Failed, "aggregates: next_url is not a URL."));
            }
        }

        return Logged(symbol, timeframe, Finish(symbol, timeframe, plan, calendar, bars.Values, fromUtc, toUtc, pages, skipped, note));
    }

    private protected override void PrepareSubscriptions(IReadOnlyList<Symbol> symbols)
    {
        if (symbols.Count == 0)
        {
            throw new ArgumentException("At least one symbol is needed to subscribe to.", nameof(symbols));
        }

        var channels = new List<string>();
        var tickers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var symbol in symbols)
        {
            ArgumentNullException.ThrowIfNull(symbol, nameof(symbols));
            if (symbol.AssetClass != AssetClass.UsEquity)
            {
                throw new ArgumentException(
                    $"{symbol.Ticker} is {symbol.AssetClass}: the Polygon feed streams the stocks cluster only (US equities).", nameof(symbols));
            }

            if (!tickers.Add(symbol.Ticker))
            {
                continue;
            }

            _symbolTable.Add(symbol);
            foreach (var prefix in Prefixes(_options.Streams))
            {
                channels.Add(prefix + "." + symbol.Ticker);
            }
        }

        _channels = [.. channels];
        _subscribeMessage = "{\"action\":\"subscribe\",\"params\":\"" + JsonEncodedText.Encode(string.Join(',', _channels)) + "\"}";
    }

    /// <summary><see cref="PolygonOptions.WebSocketUrl"/> as configured (the key travels in the <c>auth</c> message, never in the URL).</summary>
    private protected override Uri StreamEndpoint() => _options.WebSocketUrl;

    private protected override void ReleaseResources() => _rest.Dispose();

    /// <summary>The channel prefixes of the streams, in a fixed order: AM, A, T.</summary>
    internal static IEnumerable<string> Prefixes(PolygonStreams streams)
    {
        if (streams.HasFlag(PolygonStreams.MinuteAggregates))
        {
            yield return "AM";
        }

        if (streams.HasFlag(PolygonStreams.SecondAggregates))
        {
            yield return "A";
        }

        if (streams.HasFlag(PolygonStreams.Trades))
        {
            yield return "T";
        }
    }

    private HistoryResult Finish(
        Symbol symbol, Timeframe timeframe, PolygonAggregatePlan plan, IMarketCalendar calendar, IEnumerable<Bar> fetched,
        DateTime fromUtc, DateTime toUtc, int pages, int skipped, string note)
    {
        var grid = new BarWindows(calendar, plan.BaseTimeframe, _options.ExtendedHours);
        var outside = 0;
        var inHours = new List<Bar>();
        foreach (var bar in fetched)
        {
            if (grid.TryGetWindow(bar.Start, out _))
            {
                inHours.Add(bar);
            }
            else
            {
                outside++;
            }
        }

        IEnumerable<Bar> candidates = inHours;
        if (plan.Resampled)
        {
            var resampler = new BarResampler(calendar, timeframe, _options.ExtendedHours);
            var sink = new BarCollector();
            foreach (var bar in inHours)
            {
                resampler.Add(bar, sink);
            }

            resampler.Flush(sink);
            candidates = sink.Bars;
        }

        var result = EndedBarsInRange(candidates, fromUtc, toUtc, out var forming);
        var detail = new StringBuilder(note);
        detail.Append(CultureInfo.InvariantCulture, $"{result.Count} bars from {pages} page(s)");
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
            detail.Append(CultureInfo.InvariantCulture, $"; skipped {skipped} unreadable aggregate(s)");
        }

        detail.Append('.');
        _ = symbol;
        return new HistoryResult(HistoryStatus.Ok, result, detail.ToString());
    }

    private HistoryResult? Failure(RestReply reply)
    {
        var code = reply.Status is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : string.Empty;
        return reply.Outcome switch
        {
            RestOutcome.Success => null,
            RestOutcome.RateLimited => HistoryResult.Fail(HistoryStatus.RateLimited, reply.Detail),
            RestOutcome.HttpError when reply.Status is HttpStatusCode.Unauthorized => HistoryResult.Fail(
                HistoryStatus.KeyRefused,
                $"Polygon refused the API key (HTTP 401: {_rest.ErrorText(reply.Body)}). Check {PolygonOptions.ApiKeyVariable} or the configured key (it is not shown here)."),
            RestOutcome.HttpError when reply.Status is HttpStatusCode.Forbidden => HistoryResult.Fail(
                HistoryStatus.NotEntitled,
                $"Polygon: the plan does not include this data (HTTP 403: {_rest.ErrorText(reply.Body)})."),
            RestOutcome.HttpError => HistoryResult.Fail(HistoryStatus.Failed, $"Polygon aggregates: HTTP {code}: {_rest.ErrorText(reply.Body)}"),
            _ => HistoryResult.Fail(HistoryStatus.Failed, reply.Detail),
        };
    }

    private HistoryResult Logged(Symbol symbol, Timeframe timeframe, HistoryResult result)
    {
        if (result.Status == HistoryStatus.Ok)
        {
            PolygonLogEvents.LogHistory(Logger, symbol.Ticker, timeframe.ToString(), result.Status.ToString(), result.Bars.Count, result.Detail, null);
        }
        else
        {
            PolygonLogEvents.LogHistoryProblem(Logger, symbol.Ticker, result.Status.ToString(), result.Detail, null);
        }

        return result;
    }

    private static long ToMs(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    // ---------------------------------------------------------------- stream

    /// <summary>Per connection: <c>connected</c>, then <c>auth</c> → <c>auth_success</c>, then <c>subscribe</c> → one <c>success</c> per channel.</summary>
    private protected override async Task OnConnectedAsync(WebSocketSender sender, CancellationToken cancellationToken)
    {
        // 1. The server speaks first.
        while (true)
        {
            var status = await NextStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.Status == "connected")
            {
                break;
            }

            ThrowOnFatal(status, "before 'connected'");
        }

        // 2. Authenticate: the key travels only in this message.
        var auth = "{\"action\":\"auth\",\"params\":\"" + JsonEncodedText.Encode(_options.ApiKey) + "\"}";
        await _inbox.SendAsync(t => sender.SendTextAsync(auth, t), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var status = await NextStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.Status == "auth_success"
                || (status.Status == "success" && status.Message.Contains("authenticated", StringComparison.OrdinalIgnoreCase)))
            {
                break;
            }

            if (status.Status == "auth_failed")
            {
                throw new FeedAuthenticationException(
                    $"Polygon refused the API key: auth_failed ({status.Message}). Check {PolygonOptions.ApiKeyVariable} or the configured key (it is not shown here); " +
                    "real-time streams also need a plan that includes them (or use the delayed cluster).");
            }

            ThrowOnFatal(status, "while authenticating");
        }

        // 3. Subscribe every channel in one message; the server confirms each one.
        await _inbox.SendAsync(t => sender.SendTextAsync(_subscribeMessage, t), cancellationToken).ConfigureAwait(false);
        var confirmed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var refused = 0;
        while (confirmed.Count + refused < _channels.Length)
        {
            var status = await NextStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.Status == "success")
            {
                foreach (var channel in SubscribedChannels(status.Message))
                {
                    confirmed.Add(channel);
                }

                continue;
            }

            ThrowOnFatal(status, "while subscribing");
            if (status.Status is "error" or "auth_failed")
            {
                refused++; // already logged and reported as a notice
            }
        }

        _inbox.Close();
        PolygonLogEvents.LogSubscribed(Logger, confirmed.Count, string.Join(',', confirmed.Order(StringComparer.Ordinal)), null);
    }

    /// <summary>
    /// The next status of the handshake. When the wait is cancelled because the socket closed, statuses that arrived just
    /// before still count (an <c>auth_failed</c> followed at once by a close must fail the feed, not look like a drop).
    /// </summary>
    private async ValueTask<PolygonStatus> NextStatusAsync(CancellationToken cancellationToken)
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

    /// <summary>The channels a <c>success</c> message names (<c>subscribed to: AM.AAPL</c>, possibly several, comma-separated).</summary>
    private static IEnumerable<string> SubscribedChannels(string message)
    {
        const string Prefix = "subscribed to:";
        var at = message.IndexOf(Prefix, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            yield break;
        }

        foreach (var part in message[(at + Prefix.Length)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            yield return part;
        }
    }

    private static void ThrowOnFatal(PolygonStatus status, string when)
    {
        switch (status.Status)
        {
            case "max_connections":
                throw new WebSocketException($"polygon: max_connections {when}: {status.Message}");
            case "auth_timeout":
                throw new WebSocketException($"polygon: auth_timeout {when}: {status.Message}");
            default:
                return; // logged by the frame handler; keep waiting
        }
    }

    private protected override void OnSocketOpened() => _inbox.Open();

    private protected override void OnFrame(ReadOnlySpan<byte> utf8, DateTime receivedUtc)
    {
        _counters.AddFrame();
        var frame = _parser.Parse(utf8, _batch);
        foreach (var e in _batch)
        {
            switch (e.Kind)
            {
                case PolygonEventKind.MinuteAggregate:
                    _counters.AddMinuteBar();
                    EventWriter.TryWrite(new BarEvent(receivedUtc, e.Bar));
                    break;
                case PolygonEventKind.SecondAggregate:
                    _counters.AddSecondBar();
                    EventWriter.TryWrite(new BarEvent(receivedUtc, e.Bar));
                    break;
                case PolygonEventKind.Trade:
                    _counters.AddTrade();
                    EventWriter.TryWrite(new TradeEvent(receivedUtc, e.Trade));
                    break;
                case PolygonEventKind.Status:
                    _counters.AddStatus();
                    OnStatus(new PolygonStatus(e.Text!, Redactor.Redact(e.Message)), receivedUtc);
                    break;
                default:
                    _counters.AddOther();
                    PolygonLogEvents.LogFrameUnknown(Logger, Redactor.Redact(e.Text), null);
                    break;
            }
        }

        if (frame.Problem is not null)
        {
            var count = _counters.AddMalformed(frame.SkippedEvents);
            PolygonLogEvents.LogFrameMalformed(Logger, count, Redactor.Redact(frame.Problem), Redactor.Excerpt(utf8), null);
        }
    }

    private void OnStatus(PolygonStatus status, DateTime receivedUtc)
    {
        switch (status.Status)
        {
            case "max_connections":
                _counters.AddMaxConnections();
                PolygonLogEvents.LogMaxConnections(Logger, status.Message, _options.MaxConnectionsHoldOff.TotalSeconds, null);
                EventWriter.TryWrite(new ProviderNoticeEvent(receivedUtc, "Polygon max_connections: " + status.Message));
                if (_options.MaxConnectionsHoldOff > TimeSpan.Zero)
                {
                    Session?.HoldOff(_options.MaxConnectionsHoldOff, "max_connections: another connection holds this account's stream");
                }

                break;
            case "auth_timeout":
                PolygonLogEvents.LogAuthTimeout(Logger, status.Message, null);
                break;
            case "connected" or "auth_success" or "success" or "auth_failed":
                break;
            default:
                PolygonLogEvents.LogStatus(Logger, status.Status, status.Message, null);
                EventWriter.TryWrite(new ProviderNoticeEvent(receivedUtc, $"Polygon status '{status.Status}': {status.Message}"));
                break;
        }

        if (_inbox.TryPost(status))
        {
            return;
        }

        if (status.Status is "auth_failed" or "success" && !string.IsNullOrEmpty(status.Message))
        {
            // Outside a handshake these are unexpected: say so.
            PolygonLogEvents.LogStatus(Logger, status.Status, status.Message, null);
        }
    }

    /// <summary>A status message: <c>status</c> and its (redacted) <c>message</c>.</summary>
    private readonly record struct PolygonStatus(string Status, string Message);
}
