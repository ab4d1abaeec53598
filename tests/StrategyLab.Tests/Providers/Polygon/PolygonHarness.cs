using System.Threading.Channels;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Providers.Polygon;
using StrategyLab.Providers.Streaming;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Polygon;

/// <summary>
/// A fake Polygon server plus a feed pointed at it with shrunk timeouts, a log capture, and helpers to read events.
/// On dispose it checks that the key appeared in no log, event text or recorded exception message.
/// </summary>
public sealed class PolygonHarness : IAsyncDisposable
{
    /// <summary>A key with characters that URL-encoding changes, so both forms must be redacted.</summary>
    public const string Key = "pk_Poly+Test/Key=7c1e";

    private readonly List<MarketEvent> _seen = [];
    private readonly List<string> _exceptionTexts = [];

    private PolygonHarness(FakePolygonServer server, PolygonFeed feed, CapturingLoggerProvider logs, PolygonOptions options)
    {
        Server = server;
        Feed = feed;
        Logs = logs;
        Options = options;
    }

    public FakePolygonServer Server { get; }

    public PolygonFeed Feed { get; }

    public CapturingLoggerProvider Logs { get; }

    public PolygonOptions Options { get; }

    /// <summary>Every event read so far.</summary>
    public IReadOnlyList<MarketEvent> Seen => _seen;

    public static FakePolygonOptions ServerOptions(Func<FakePolygonOptions, FakePolygonOptions>? change = null)
    {
        var options = new FakePolygonOptions { ApiKeys = [Key], RequestsPerMinute = 0 };
        return change is null ? options : change(options);
    }

    public static async Task<PolygonHarness> StartAsync(
        FakePolygonOptions? serverOptions = null,
        Action<PolygonOptions>? configure = null,
        TimeProvider? clientTime = null)
    {
        var server = await FakePolygonServer.StartAsync(serverOptions ?? ServerOptions(), TestContext.Current.CancellationToken);
        var options = new PolygonOptions
        {
            ApiKey = Key,
            WebSocketUrl = server.WsUrl,
            RestUrl = server.RestUrl,
            Stream = new ReconnectingWebSocketOptions
            {
                InitialBackoff = TimeSpan.FromMilliseconds(20),
                MaxBackoff = TimeSpan.FromMilliseconds(200),
                SilenceTimeout = TimeSpan.FromSeconds(30),
                ConnectTimeout = TimeSpan.FromSeconds(5),
                HandshakeTimeout = TimeSpan.FromSeconds(5),
                CloseTimeout = TimeSpan.FromSeconds(1),
            },
            MaxConnectionsHoldOff = TimeSpan.FromMilliseconds(300),
            RateLimitRetries = 2,
            RateLimitBackoff = TimeSpan.FromMilliseconds(10),
            MaxRateLimitBackoff = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        var logs = new CapturingLoggerProvider();
        var feed = new PolygonFeed(options, logs.CreateFactory(), clientTime);
        return new PolygonHarness(server, feed, logs, options);
    }

    /// <summary>Records an exception's message (and its inner ones) for the final secret check.</summary>
    public void Record(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            _exceptionTexts.Add(x.Message);
        }
    }

    /// <summary>Connects and waits until the server has the feed's socket authenticated with every channel.</summary>
    public async Task ConnectAsync(params string[] tickers)
    {
        await Feed.ConnectAsync([.. tickers.Select(Symbol.Equity)], TestContext.Current.CancellationToken);
        var channels = tickers.Length * PolygonFeed.Prefixes(Options.Streams).Count();
        await Server.WaitUntilAsync(
            s => s.Connections.Any(c => c.Authenticated && c.Subscriptions.Count == channels), cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>Reads events until one of type <typeparamref name="T"/> matches; every event read is kept in <see cref="Seen"/>.</summary>
    public async Task<T> NextAsync<T>(Func<T, bool>? match = null, TimeSpan? timeout = null)
        where T : MarketEvent
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var e = await Feed.Events.ReadAsync(cts.Token);
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
                $"No {typeof(T).Name} matching within the timeout. Seen: {string.Join("; ", _seen)}. Server: accepted={Server.ConnectionsAccepted}. " +
                $"Logs: {string.Join(" / ", Logs.Entries)}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The event channel completed before a {typeof(T).Name}. Seen: {string.Join("; ", _seen)}");
        }
    }

    /// <summary>Reads <paramref name="count"/> events of type <typeparamref name="T"/>.</summary>
    public async Task<List<T>> ManyAsync<T>(int count)
        where T : MarketEvent
    {
        var list = new List<T>(count);
        while (list.Count < count)
        {
            list.Add(await NextAsync<T>());
        }

        return list;
    }

    /// <summary>Checks that the key (raw or URL-encoded) appears nowhere: logs, events, exceptions.</summary>
    public void AssertKeyNeverShown()
    {
        foreach (var form in new[] { Key, Uri.EscapeDataString(Key), System.Net.WebUtility.UrlEncode(Key) })
        {
            Logs.AssertNoneContains(form);
            foreach (var e in _seen)
            {
                Assert.DoesNotContain(form, e.ToString(), StringComparison.OrdinalIgnoreCase);
            }

            foreach (var text in _exceptionTexts)
            {
                Assert.DoesNotContain(form, text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Feed.DisposeAsync();
        await Server.DisposeAsync();
        while (Feed.Events.TryRead(out var e))
        {
            _seen.Add(e);
        }

        AssertKeyNeverShown();
    }
}
