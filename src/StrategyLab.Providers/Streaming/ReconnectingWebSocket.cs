using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using StrategyLab.Core.Data;

namespace StrategyLab.Providers.Streaming;

/// <summary>
/// A WebSocket client that stays connected: it connects, lets the <see cref="IWebSocketSessionHandler"/> authenticate and
/// subscribe, hands it every frame (text and binary, as UTF-8), and when the socket dies (drop, close frame, or silence
/// longer than <see cref="ReconnectingWebSocketOptions.SilenceTimeout"/>) closes it and reconnects with exponential back-off
/// and jitter (Polly), re-running the handshake. It reports <see cref="ConnectionEvent"/>s into the event channel and
/// logs <c>liveMode.*</c> events. A 401/403 answer to the upgrade (or a <see cref="FeedAuthenticationException"/> from the
/// handshake) stops it for good.
/// </summary>
/// <remarks>
/// Exactly one socket is open at a time: the old one is closed (or aborted) before the next attempt, since providers allow
/// one stream per key. The first connect is immediate; a failed attempt, or a connection that ends before
/// <see cref="ReconnectingWebSocketOptions.StableConnectionTime"/>, waits <see cref="ReconnectingWebSocketOptions.InitialBackoff"/>,
/// then twice that, and so on up to <see cref="ReconnectingWebSocketOptions.MaxBackoff"/> (with jitter unless disabled).
/// After a stable connection ends the client reconnects at once and the back-off starts over. Every wait uses the
/// <see cref="TimeProvider"/>. Every text logged or reported passes through the <see cref="SecretRedactor"/>.
/// The session completes the event channel's writer when it stops or fails.
/// </remarks>
public sealed partial class ReconnectingWebSocket : IAsyncDisposable
{
    private readonly string _provider;
    private readonly Uri _endpoint;
    private readonly string _endpointText;
    private readonly IWebSocketSessionHandler _handler;
    private readonly ChannelWriter<MarketEvent> _events;
    private readonly ReconnectingWebSocketOptions _options;
    private readonly SecretRedactor _redactor;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<ConnectionEnd> _pipeline;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _run;
    private volatile Connection? _current;
    private int _started;
    private int _stopping;
    private int _disposed;
    private long _framesReceived;
    private long _holdOffTicks;
    private string? _holdOffReason;
    private int _connectionsOpened;
    private int _connectionsReady;

    /// <summary>Creates a session; nothing happens until <see cref="StartAsync"/>.</summary>
    /// <param name="providerName">The provider's name for logs and events, e.g. <c>finnhub</c>.</param>
    /// <param name="endpoint">The WebSocket URL (may carry a secret: it is only ever shown redacted).</param>
    /// <param name="handler">The provider's handshake and frame handling.</param>
    /// <param name="events">Where <see cref="ConnectionEvent"/>s go; completed when the session ends.</param>
    /// <param name="options">Back-off, watchdog and timeout settings (validated here).</param>
    /// <param name="redactor">Removes secrets from every logged or reported text.</param>
    /// <param name="logger">Receives the <c>liveMode.*</c> events.</param>
    /// <param name="timeProvider">The clock for every wait.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public ReconnectingWebSocket(
        string providerName,
        Uri endpoint,
        IWebSocketSessionHandler handler,
        ChannelWriter<MarketEvent> events,
        ReconnectingWebSocketOptions options,
        SecretRedactor redactor,
        ILogger logger,
        TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _provider = providerName;
        _endpoint = endpoint;
        _handler = handler;
        _events = events;
        _options = options;
        _redactor = redactor;
        _endpointText = redactor.Redact(endpoint);
        _logger = logger;
        _time = timeProvider;
        _pipeline = BuildPipeline();
    }

    /// <summary>Frames received over all connections.</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Sockets opened (upgrade accepted), including ones that failed the handshake.</summary>
    public int ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    /// <summary>Connections that completed the handshake (each produced a <see cref="FeedConnectionState.Connected"/> event).</summary>
    public int ConnectionsReady => Volatile.Read(ref _connectionsReady);

    /// <summary>True while a connection is up and subscribed.</summary>
    public bool IsConnected => _current is { IsReady: true };

    /// <summary>
    /// Asks for the next connection attempt to wait at least <paramref name="delay"/> instead of the usual back-off (or
    /// instead of reconnecting at once after a stable connection), e.g. after a provider's "too many connections" message,
    /// where reconnecting at once would make two clients evict each other forever. The longest pending request wins; it
    /// is used once.
    /// </summary>
    /// <param name="delay">How long to wait before the next attempt.</param>
    /// <param name="reason">Why, for the <c>liveMode.reconnecting</c> log (must not contain a secret; it is redacted anyway).</param>
    /// <exception cref="ArgumentOutOfRangeException">The delay is negative.</exception>
    public void HoldOff(TimeSpan delay, string reason)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(reason);
        long current;
        do
        {
            current = Interlocked.Read(ref _holdOffTicks);
            if (delay.Ticks <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _holdOffTicks, delay.Ticks, current) != current);

        Volatile.Write(ref _holdOffReason, _redactor.Redact(reason));
    }

    /// <summary>
    /// Starts the connection loop and returns once the first connection is up and subscribed. Failed attempts are retried
    /// with back-off until <paramref name="cancellationToken"/> is cancelled (the session is then stopped).
    /// </summary>
    /// <exception cref="FeedAuthenticationException">The provider refused the key.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the first connection was up.</exception>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"The {_provider} stream was already started; create a new session to start again.");
        }

        _run = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        try
        {
            await _firstReady.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Closes the socket (close frame, then abort after <see cref="ReconnectingWebSocketOptions.CloseTimeout"/>) and ends
    /// the loop; no reconnect after this. The event channel is completed.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _stopping, 1);
        var run = _run;
        if (run is null)
        {
            _events.TryComplete();
            return;
        }

        if (run.IsCompleted)
        {
            await run.ConfigureAwait(false);
            return;
        }

        if (_current is { } connection)
        {
            using var closeTimeout = new CancellationTokenSource(_options.CloseTimeout, _time);
            await connection.Sender.TryCloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client disconnect", closeTimeout.Token)
                .ConfigureAwait(false);
            try
            {
                // Let the server answer the close so the socket ends cleanly; abort after the timeout.
                await run.WaitAsync(_options.CloseTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await run.ConfigureAwait(false);
    }

    /// <summary>Stops the session (see <see cref="StopAsync"/>) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stop.Dispose();
    }

    private bool Stopping => Volatile.Read(ref _stopping) != 0;

    private DateTime UtcNow => _time.GetUtcNow().UtcDateTime;

    private ResiliencePipeline<ConnectionEnd> BuildPipeline()
    {
        var retry = new RetryStrategyOptions<ConnectionEnd>
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = _options.BackoffJitter,
            Delay = _options.InitialBackoff,
            MaxDelay = _options.MaxBackoff,
            ShouldHandle = args => ValueTask.FromResult(ShouldReconnect(args.Outcome)),
            DelayGenerator = args => ValueTask.FromResult(TakeHoldOff(out _)),
            OnRetry = args =>
            {
                var reason = args.Outcome.Exception is { } e ? DescribeFailure(e) : args.Outcome.Result?.Reason ?? "unknown";
                StreamLogEvents.LogReconnecting(
                    _logger, _provider, (long)args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1, reason, null);
                return ValueTask.CompletedTask;
            },
        };
        return new ResiliencePipelineBuilder<ConnectionEnd> { TimeProvider = _time }.AddRetry(retry).Build();
    }

    private bool ShouldReconnect(Outcome<ConnectionEnd> outcome) => outcome switch
    {
        { Exception: FeedAuthenticationException } => false,
        { Exception: OperationCanceledException } when Stopping || _stop.IsCancellationRequested => false,
        { Exception: not null } => !Stopping,
        { Result: { } end } => !end.Stopped && !end.WasStable && !Stopping,
        _ => false,
    };

    private async Task RunAsync(CancellationToken stop)
    {
        string? failure = null;
        Exception? fatal = null;
        try
        {
            while (!stop.IsCancellationRequested && !Stopping)
            {
                var end = await _pipeline.ExecuteAsync(static (self, ct) => new ValueTask<ConnectionEnd>(self.ConnectAndRunAsync(ct)), this, stop)
                    .ConfigureAwait(false);
                if (end.Stopped || Stopping)
                {
                    break;
                }

                if (!end.WasStable)
                {
                    // Only when the pipeline was told to stop retrying; nothing else to do.
                    break;
                }

                // A stable connection ended (its socket is already closed): reconnect at once (unless a hold-off was
                // asked for), and start the back-off over, so failures from here wait InitialBackoff, then twice that, and so on.
                if (TakeHoldOff(out var holdOffReason) is { } holdOff)
                {
                    StreamLogEvents.LogReconnecting(_logger, _provider, (long)holdOff.TotalMilliseconds, 1, end.Reason + "; " + holdOffReason, null);
                    await Task.Delay(holdOff, _time, stop).ConfigureAwait(false);
                }
                else
                {
                    StreamLogEvents.LogReconnecting(_logger, _provider, 0, 1, end.Reason, null);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested || Stopping)
        {
        }
        catch (FeedAuthenticationException e)
        {
            fatal = e;
            failure = _redactor.Redact(e.Message);
        }
        catch (Exception e)
        {
            // Not expected (the pipeline retries every connection failure); report it rather than die silently.
            failure = "unexpected error: " + _redactor.Describe(e);
            fatal = new InvalidOperationException($"The {_provider} stream stopped: {failure}");
        }
        finally
        {
            if (fatal is not null)
            {
                StreamLogEvents.LogFailed(_logger, _provider, failure!, null);
                _events.TryWrite(new ConnectionEvent(UtcNow, FeedConnectionState.Failed, failure!));
                _firstReady.TrySetException(fatal);
            }
            else
            {
                _firstReady.TrySetCanceled(CancellationToken.None);
            }

            _events.TryComplete();
        }
    }

    /// <summary>The pending hold-off (consumed), or null.</summary>
    private TimeSpan? TakeHoldOff(out string reason)
    {
        var ticks = Interlocked.Exchange(ref _holdOffTicks, 0);
        reason = Volatile.Read(ref _holdOffReason) ?? string.Empty;
        return ticks > 0 ? TimeSpan.FromTicks(ticks) : null;
    }

    private async Task<ConnectionEnd> ConnectAndRunAsync(CancellationToken stop)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await ConnectSocketAsync(socket, stop).ConfigureAwait(false);

        var number = Interlocked.Increment(ref _connectionsOpened);
        using var sendLock = new SemaphoreSlim(1, 1);
        var connection = new Connection(socket, new WebSocketSender(socket, sendLock), _time.GetTimestamp());
        using var connectionCts = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _current = connection;
        _handler.OnSocketOpened();
        var receive = ReceiveLoopAsync(connection, connectionCts.Token);
        var watchdog = StartWatchdog(connection);
        try
        {
            if (!await HandshakeAsync(connection, receive, connectionCts.Token).ConfigureAwait(false))
            {
                var early = await receive.ConfigureAwait(false);
                await CloseAsync(connection).ConfigureAwait(false);
                return new ConnectionEnd(WasStable: false, Stopped: Stopping, "the connection ended during the handshake: " + early);
            }

            var readyAt = _time.GetTimestamp();
            connection.IsReady = true;
            Interlocked.Increment(ref _connectionsReady);
            StreamLogEvents.LogConnected(_logger, _provider, _endpointText, number, null);
            _events.TryWrite(new ConnectionEvent(UtcNow, FeedConnectionState.Connected, $"connected (connection {number.ToString(CultureInfo.InvariantCulture)})"));
            _firstReady.TrySetResult();

            var reason = await receive.ConfigureAwait(false);
            connection.IsReady = false;
            await CloseAsync(connection).ConfigureAwait(false);
            var stable = _time.GetElapsedTime(readyAt) >= _options.StableConnectionTime;
            if (Stopping)
            {
                StreamLogEvents.LogStopped(_logger, _provider, "stopped by the client", null);
                return new ConnectionEnd(stable, Stopped: true, "stopped by the client");
            }

            StreamLogEvents.LogDisconnected(_logger, _provider, reason, null);
            var now = UtcNow;
            var lastReceived = now - _time.GetElapsedTime(connection.LastActivity);
            _events.TryWrite(new ConnectionEvent(now, FeedConnectionState.Disconnected, reason, lastReceived));
            return new ConnectionEnd(stable, Stopped: false, reason);
        }
        finally
        {
            _current = null;
            connection.IsReady = false;
            await connectionCts.CancelAsync().ConfigureAwait(false);
            socket.Abort();
            await watchdog.DisposeAsync().ConfigureAwait(false);
            await ((Task)receive).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ConnectSocketAsync(ClientWebSocket socket, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            await socket.ConnectAsync(_endpoint, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"{_provider}: no WebSocket connection to {_endpointText} within {_options.ConnectTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.");
        }
        catch (WebSocketException e) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var code = (int)socket.HttpStatusCode;
            throw new FeedAuthenticationException(
                $"{_provider} refused the API key: HTTP {code.ToString(CultureInfo.InvariantCulture)} on the WebSocket upgrade to {_endpointText}. " +
                "Check the key (it is not shown here).",
                new WebSocketException(_redactor.Describe(e)));
        }
        catch (WebSocketException e) when (socket.HttpStatusCode != 0)
        {
            throw new WebSocketException(
                $"{_provider}: HTTP {((int)socket.HttpStatusCode).ToString(CultureInfo.InvariantCulture)} instead of a WebSocket upgrade at {_endpointText} ({_redactor.Redact(e.Message)})");
        }
    }

    /// <summary>Runs the handler's handshake; false when the socket died before it finished.</summary>
    private async Task<bool> HandshakeAsync(Connection connection, Task<string> receive, CancellationToken connectionToken)
    {
        using var timeout = new CancellationTokenSource(_options.HandshakeTimeout, _time);
        using var socketGone = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(connectionToken, timeout.Token, socketGone.Token);

        // A handshake that waits for the server's replies must not outlive the socket.
        _ = receive.ContinueWith(
            static (_, state) =>
            {
                try
                {
                    ((CancellationTokenSource)state!).Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The handshake already finished.
                }
            },
            socketGone,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        try
        {
            await _handler.OnConnectedAsync(connection.Sender, linked.Token).ConfigureAwait(false);
        }
        catch (FeedAuthenticationException)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !connectionToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"{_provider}: the handshake (authenticate and subscribe) did not finish within {_options.HandshakeTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.");
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException || receive.IsCompleted)
        {
            if (receive.IsCompleted)
            {
                return false;
            }

            throw new WebSocketException($"{_provider}: the handshake failed: {_redactor.Describe(e)}");
        }

        return !receive.IsCompleted;
    }

    /// <summary>How one connection ended.</summary>
    private sealed record ConnectionEnd(bool WasStable, bool Stopped, string Reason);

    /// <summary>One socket's state, shared by its read loop, watchdog and handshake.</summary>
    private sealed class Connection(ClientWebSocket socket, WebSocketSender sender, long openedAt)
    {
        private long _lastActivity = openedAt;
        private int _checking;
        private volatile string? _abortReason;
        private volatile bool _isReady;

        public ClientWebSocket Socket { get; } = socket;

        public WebSocketSender Sender { get; } = sender;

        public long LastActivity
        {
            get => Interlocked.Read(ref _lastActivity);
            set => Interlocked.Exchange(ref _lastActivity, value);
        }

        public string? AbortReason
        {
            get => _abortReason;
            set => _abortReason = value;
        }

        public bool IsReady
        {
            get => _isReady;
            set => _isReady = value;
        }

        /// <summary>Keeps silence checks from overlapping when a timer tick comes while the previous one still runs.</summary>
        public bool TryEnterCheck() => Interlocked.Exchange(ref _checking, 1) == 0;

        public void ExitCheck() => Volatile.Write(ref _checking, 0);
    }
}
