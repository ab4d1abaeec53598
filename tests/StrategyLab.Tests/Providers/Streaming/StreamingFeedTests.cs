using StrategyLab.Core.Domain;
using StrategyLab.Providers.Finnhub;
using StrategyLab.Providers.Polygon;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Tests.Providers.Streaming;

/// <summary>
/// The lifecycle both providers share through <see cref="StreamingFeed"/>, checked on each: before a connection, after a
/// disconnect and after dispose, and the history arguments every provider refuses. No server is needed: none of these
/// paths opens a socket or sends a request.
/// </summary>
public sealed class StreamingFeedTests
{
    private const string Key = "feed-test-key-77aa";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Providers => ["finnhub", "polygon"];

    private static StreamingFeed Create(string provider) => provider switch
    {
        "finnhub" => new FinnhubFeed(new FinnhubOptions { ApiKey = Key }),
        "polygon" => new PolygonFeed(new PolygonOptions { ApiKey = Key }),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "no such provider"),
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task BeforeConnecting_ItIsNotConnected_AndDisconnectCompletesTheEvents(string provider)
    {
        await using var feed = Create(provider);

        Assert.Equal(provider, feed.Name);
        Assert.Equal(Timeframe.OneMinute, feed.HistoryResolution);
        Assert.False(feed.IsConnected);
        Assert.False(feed.Events.Completion.IsCompleted);

        await feed.DisconnectAsync(Ct);

        await feed.Events.Completion.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.False(feed.IsConnected);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AfterDispose_ConnectIsRefused_TheEventsAreComplete_AndDisposingAgainIsHarmless(string provider)
    {
        var feed = Create(provider);

        await feed.DisposeAsync();
        await feed.DisposeAsync();

        Assert.True(feed.Events.Completion.IsCompleted);
        var e = await Assert.ThrowsAsync<ObjectDisposedException>(() => feed.ConnectAsync([Symbol.Equity("AAPL")], Ct));
        Assert.Equal(feed.GetType().FullName, e.ObjectName);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ConnectWithoutSymbols_IsRefused_BeforeAnythingStarts(string provider)
    {
        await using var feed = Create(provider);

        var e = await Assert.ThrowsAsync<ArgumentNullException>(() => feed.ConnectAsync(null!, Ct));

        Assert.Equal("symbols", e.ParamName);
        Assert.False(feed.IsConnected);
    }

    [Fact]
    public async Task ARefusedSymbolList_LeavesThePolygonFeedUnconnected_SoItCanStillConnectOnce()
    {
        await using var feed = new PolygonFeed(new PolygonOptions { ApiKey = Key });

        var empty = await Assert.ThrowsAsync<ArgumentException>(() => feed.ConnectAsync([], Ct));
        var crypto = await Assert.ThrowsAsync<ArgumentException>(() => feed.ConnectAsync([Symbol.Crypto("BTCUSD")], Ct));

        Assert.Equal("At least one symbol is needed to subscribe to. (Parameter 'symbols')", empty.Message);
        Assert.StartsWith("BTCUSD is Crypto: the Polygon feed streams the stocks cluster only (US equities).", crypto.Message, StringComparison.Ordinal);
        Assert.False(feed.IsConnected);
        Assert.False(feed.Events.Completion.IsCompleted); // no session was created, nothing completed the channel
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task History_RefusesAMissingSymbol_ADefaultTimeframe_AndNonUtcTimes(string provider)
    {
        await using var feed = Create(provider);
        var aapl = Symbol.Equity("AAPL");
        var from = new DateTime(2024, 3, 4, 14, 30, 0, DateTimeKind.Utc);
        var to = from.AddHours(1);

        var noSymbol = await Assert.ThrowsAsync<ArgumentNullException>(() => feed.GetHistoryAsync(null!, Timeframe.OneMinute, from, to, Ct));
        var noTimeframe = await Assert.ThrowsAsync<ArgumentException>(() => feed.GetHistoryAsync(aapl, default, from, to, Ct));
        var localFrom = await Assert.ThrowsAsync<ArgumentException>(
            () => feed.GetHistoryAsync(aapl, Timeframe.OneMinute, DateTime.SpecifyKind(from, DateTimeKind.Local), to, Ct));
        var unspecifiedTo = await Assert.ThrowsAsync<ArgumentException>(
            () => feed.GetHistoryAsync(aapl, Timeframe.OneMinute, from, DateTime.SpecifyKind(to, DateTimeKind.Unspecified), Ct));

        Assert.Equal("symbol", noSymbol.ParamName);
        Assert.Equal("A timeframe is required. (Parameter 'timeframe')", noTimeframe.Message);
        Assert.Equal("fromUtc must be a UTC instant (DateTimeKind.Utc); it was Local. (Parameter 'fromUtc')", localFrom.Message);
        Assert.Equal("toUtc must be a UTC instant (DateTimeKind.Utc); it was Unspecified. (Parameter 'toUtc')", unspecifiedTo.Message);
    }

    [Fact]
    public void Options_AreChecked_BeforeTheFeedExists()
    {
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new FinnhubFeed(null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new PolygonFeed(null!)).ParamName);
        Assert.Equal("ApiKey", Assert.Throws<ArgumentException>(() => new FinnhubFeed(new FinnhubOptions())).ParamName);
        Assert.Equal("ApiKey", Assert.Throws<ArgumentException>(() => new PolygonFeed(new PolygonOptions())).ParamName);
    }
}
