using System.Threading.Channels;
using StrategyLab.Core.Data;
using StrategyLab.FakeServers.Alpaca;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Providers.Streaming;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Alpaca;

/// <summary>
/// A fake Alpaca server plus a trading client and a <c>trade_updates</c> stream pointed at it (short back-offs), with a log
/// capture. On dispose it checks that the secret key appeared in no log line and no recorded exception message.
/// </summary>
public sealed class AlpacaHarness : IAsyncDisposable
{
    public const string KeyId = "PKTESTKEY7Q";

    /// <summary>A secret with characters URL-encoding changes, so every form must be redacted.</summary>
    public const string Secret = "sEcReT/Alpaca+Key=9z";

    private readonly List<MarketEvent> _seen = [];
    private readonly List<string> _exceptionTexts = [];
    private AlpacaTradeStream? _stream;

    private AlpacaHarness(FakeAlpacaServer server, AlpacaOptions options, CapturingLoggerProvider logs)
    {
        Server = server;
        Options = options;
        Logs = logs;
        Client = new AlpacaTradingClient(options, logs.CreateFactory().CreateLogger("alpaca"));
    }

    public FakeAlpacaServer Server { get; }

    public AlpacaOptions Options { get; }

    public CapturingLoggerProvider Logs { get; }

    public AlpacaTradingClient Client { get; }

    public AlpacaTradeStream Stream => _stream ?? throw new InvalidOperationException("Call StartStreamAsync first.");

    public IReadOnlyList<MarketEvent> Seen => _seen;

    public static FakeAlpacaOptions ServerOptions(Func<FakeAlpacaOptions, FakeAlpacaOptions>? change = null)
    {
        var options = new FakeAlpacaOptions { Keys = new Dictionary<string, string>(StringComparer.Ordinal) { [KeyId] = Secret } };
        return change is null ? options : change(options);
    }

    public static async Task<AlpacaHarness> StartAsync(FakeAlpacaOptions? serverOptions = null, Action<AlpacaOptions>? configure = null)
    {
        var server = await FakeAlpacaServer.StartAsync(serverOptions ?? ServerOptions(), TestContext.Current.CancellationToken);
        var options = new AlpacaOptions
        {
            KeyId = KeyId,
            SecretKey = Secret,
            TradingUrl = server.TradingUrl,
            TradeStreamUrl = server.TradeStreamUrl,
            DataUrl = server.DataUrl,
            DataStreamUrl = server.DataStreamUrl,
            RateLimitRetries = 3,
            RateLimitBackoff = TimeSpan.FromMilliseconds(10),
            MaxRateLimitBackoff = TimeSpan.FromMilliseconds(50),
            RequestTimeout = TimeSpan.FromSeconds(5),
            Stream = new ReconnectingWebSocketOptions
            {
                InitialBackoff = TimeSpan.FromMilliseconds(20),
                MaxBackoff = TimeSpan.FromMilliseconds(200),
                BackoffJitter = false,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                HandshakeTimeout = TimeSpan.FromSeconds(5),
                CloseTimeout = TimeSpan.FromSeconds(1),
            },
        };
        configure?.Invoke(options);
        return new AlpacaHarness(server, options, new CapturingLoggerProvider());
    }

    /// <summary>Starts the <c>trade_updates</c> stream and waits until the server has it listening.</summary>
    public async Task StartStreamAsync()
    {
        _stream = new AlpacaTradeStream(Options, Logs.CreateFactory().CreateLogger("alpaca.stream"));
        await _stream.StartAsync(TestContext.Current.CancellationToken);
        await Server.WaitUntilAsync(s => s.TradeStreamListeners == 1, cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>A market order with a fresh deterministic id.</summary>
    public static AlpacaOrderRequest Market(string symbol, decimal qty, AlpacaSide side, long intent) =>
        new(symbol, qty, side, AlpacaOrderType.Market, AlpacaTimeInForce.Day, AlpacaClientOrderId.For("run-test", intent));

    public void Record(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            _exceptionTexts.Add(x.Message);
        }
    }

    /// <summary>Reads stream events until one of type <typeparamref name="T"/> matches; every event read is kept.</summary>
    public async Task<T> NextAsync<T>(Func<T, bool>? match = null, TimeSpan? timeout = null)
        where T : MarketEvent
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var e = await Stream.Events.ReadAsync(cts.Token);
                _seen.Add(e);
                if (e is T t && (match?.Invoke(t) ?? true))
                {
                    return t;
                }
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"No {typeof(T).Name} matching within the timeout. Seen: {string.Join("; ", _seen)}. Logs: {string.Join(" / ", Logs.Entries)}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The event channel completed before a {typeof(T).Name}. Seen: {string.Join("; ", _seen)}");
        }
    }

    /// <summary>The next trade update with this event name (and order client id, when given).</summary>
    public async Task<AlpacaTradeUpdate> NextUpdateAsync(string ev, string? clientOrderId = null) =>
        (await NextAsync<AlpacaTradeUpdateEvent>(u => u.Update.Event == ev && (clientOrderId is null || u.Update.Order.ClientOrderId == clientOrderId))).Update;

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        Client.Dispose();
        await Server.DisposeAsync();
        Logs.AssertNoneContains(Secret);
        Logs.AssertNoneContains(Uri.EscapeDataString(Secret));
        foreach (var text in _exceptionTexts)
        {
            Assert.DoesNotContain(Secret, text, StringComparison.OrdinalIgnoreCase);
        }

        foreach (var e in _seen)
        {
            Assert.DoesNotContain(Secret, e.ToString(), StringComparison.OrdinalIgnoreCase);
        }

        Logs.Dispose();
    }
}
