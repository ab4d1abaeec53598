using Microsoft.Extensions.Logging;
using StrategyLab.Core.Data;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Tests.Core.Engine;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// A live runner with the real provider client from a configuration (pointing at a loopback fake), on the test's clock,
/// recording what the engine sees; started on creation.
/// </summary>
internal sealed class LiveHarness : IAsyncDisposable
{
    private LiveHarness(ResolvedRun run, RecordingRecorder recorder, EngineAssembly assembly, ILiveMarketDataFeed feed, LiveRunner runner)
    {
        Run = run;
        Recorder = recorder;
        Assembly = assembly;
        Feed = feed;
        Runner = runner;
        Task = runner.RunAsync(TestContext.Current.CancellationToken);
    }

    public ResolvedRun Run { get; }

    public RecordingRecorder Recorder { get; }

    public EngineAssembly Assembly { get; }

    public ILiveMarketDataFeed Feed { get; }

    public LiveRunner Runner { get; }

    public Task<LiveStopReason> Task { get; }

    /// <summary>Writes <paramref name="json"/> to <paramref name="folder"/>, resolves it and starts the runner.</summary>
    public static LiveHarness Start(string json, string folder, ILoggerFactory loggers, TimeProvider clock)
    {
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        var (config, effective) = ConfigLoader.Load(path);
        var run = ResolvedRun.Resolve(config, effective);
        var recorder = new RecordingRecorder();
        var assembly = EngineAssembly.Build(run, recorder, loggers);
        var feed = LiveFeeds.Create(run, loggers, clock);
        return new LiveHarness(run, recorder, assembly, feed, new LiveRunner(run, feed, assembly, clock, loggers));
    }

    /// <summary>The bars the engine acted on, as (start, open, high, low, close, volume).</summary>
    public List<(DateTime, decimal, decimal, decimal, decimal, decimal)> Bars =>
        [.. Recorder.Bars.Select(b => (b.Start, b.Open, b.High, b.Low, b.Close, b.Volume))];

    public async ValueTask DisposeAsync() => await Feed.DisposeAsync();
}
