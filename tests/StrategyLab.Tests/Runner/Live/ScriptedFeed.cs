using System.Threading.Channels;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// An in-memory live feed for runner tests: on connect it schedules a script of events on the test clock, and answers
/// history requests from a function.
/// </summary>
internal sealed class ScriptedFeed : ILiveMarketDataFeed
{
    private readonly SteppingClock _clock;
    private readonly IReadOnlyList<(DateTime At, MarketEvent Event)> _script;
    private readonly Func<Symbol, Timeframe, DateTime, DateTime, HistoryResult> _history;
    private readonly Channel<MarketEvent> _events = Channel.CreateUnbounded<MarketEvent>();

    public ScriptedFeed(
        SteppingClock clock,
        IEnumerable<(DateTime At, MarketEvent Event)> script,
        Func<Symbol, Timeframe, DateTime, DateTime, HistoryResult>? history = null,
        Timeframe? historyResolution = null)
    {
        _clock = clock;
        _script = [.. script.OrderBy(x => x.At)];
        _history = history ?? ((_, _, _, _) => HistoryResult.Fail(HistoryStatus.NotEntitled, "no history in this test"));
        HistoryResolution = historyResolution ?? Timeframe.OneMinute;
    }

    public string Name => "scripted";

    public Timeframe HistoryResolution { get; }

    public ChannelReader<MarketEvent> Events => _events.Reader;

    public int Connects { get; private set; }

    public DateTime? FirstConnectUtc { get; private set; }

    public int Disconnects { get; private set; }

    public List<(Symbol Symbol, DateTime From, DateTime To)> HistoryRequests { get; } = [];

    public Task ConnectAsync(IReadOnlyList<Symbol> symbols, CancellationToken cancellationToken)
    {
        Connects++;
        FirstConnectUtc ??= _clock.UtcNow;
        _events.Writer.TryWrite(new ConnectionEvent(_clock.UtcNow, FeedConnectionState.Connected, "connected"));
        if (Connects == 1)
        {
            // One timer per half second of script (events keep their order): fewer steps for the test clock.
            foreach (var group in _script.GroupBy(x => new DateTime((x.At.Ticks + TimeSpan.TicksPerSecond / 2 - 1) / (TimeSpan.TicksPerSecond / 2) * (TimeSpan.TicksPerSecond / 2), DateTimeKind.Utc)))
            {
                var events = group.Select(x => x.Event).ToList();
                _clock.At(group.Key, () =>
                {
                    foreach (var e in events)
                    {
                        _events.Writer.TryWrite(e);
                    }
                });
            }
        }

        return Task.CompletedTask;
    }

    public Task<HistoryResult> GetHistoryAsync(Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken)
    {
        HistoryRequests.Add((symbol, fromUtc, toUtc));
        return Task.FromResult(_history(symbol, timeframe, fromUtc, toUtc));
    }

    public Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Disconnects++;
        _events.Writer.TryComplete();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
