using System.Threading.Channels;
using StrategyLab.Core.Data;
using StrategyLab.FakeServers.Finnhub;
using StrategyLab.Providers.Finnhub;
using StrategyLab.Providers.Streaming;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Finnhub;

/// <summary>
/// A fake Finnhub server plus a feed pointed at it with shrunk timeouts, a log capture, and helpers to read events.
/// On dispose it checks that the key appeared in no log, event text or recorded exception message.
/// </summary>
public sealed class FinnhubHarness : IAsyncDisposable
{
    /// <summary>A key with characters that URL-encoding changes, so both forms must be redacted.</summary>
    public const string Key = "sk_fh+Test/Key=9f3a";

    private readonly List<MarketEvent> _seen = [];
    private readonly List<string> _exceptionTexts = [];

    private FinnhubHarness(FakeFinnhubServer server, FinnhubFeed feed, CapturingLoggerProvider logs, FinnhubOptions options)
    {
        Server = server;
        Feed = feed;
        Logs = logs;
        Options = options;
    }

    public FakeFinnhubServer Server { get; }

    public FinnhubFeed Feed { get; }

    public CapturingLoggerProvider Logs { get; }

    public FinnhubOptions Options { get; }

    /// <summary>Every event read so far.</summary>
    public IReadOnlyList<MarketEvent> Seen => _seen;

    public static async Task<FinnhubHarness> StartAsync(
        FakeFinnhubOptions? serverOptions = null,
        Action<FinnhubOptions>? configure = null,
        TimeProvider? clientTime = null,
        HttpMessageHandler? handler = null)
    {
        var server = await FakeFinnhubServer.StartAsync(serverOptions ?? new FakeFinnhubOptions { ApiKeys = [Key] }, TestContext.Current.CancellationToken);
        var options = new FinnhubOptions
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
            RateLimitRetries = 2,
            RateLimitBackoff = TimeSpan.FromMilliseconds(10),
            MaxRateLimitBackoff = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        var logs = new CapturingLoggerProvider();
        var feed = new FinnhubFeed(options, logs.CreateFactory(), clientTime, handler);
        return new FinnhubHarness(server, feed, logs, options);
    }

    /// <summary>Records an exception's message (and its inner ones) for the final secret check.</summary>
    public void Record(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            _exceptionTexts.Add(x.Message);
        }
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

    /// <summary>Reads <paramref name="count"/> trade events.</summary>
    public async Task<List<TradeEvent>> TradesAsync(int count)
    {
        var trades = new List<TradeEvent>(count);
        while (trades.Count < count)
        {
            trades.Add(await NextAsync<TradeEvent>());
        }

        return trades;
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

        // Drain what is left so that events written late are checked too.
        while (Feed.Events.TryRead(out var e))
        {
            _seen.Add(e);
        }

        AssertKeyNeverShown();
    }
}
