using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Strategies;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Tests.Runner;

/// <summary>IStatefulStrategy: strategy_state.json at the end of a run, and StrategyStateFile.Load into a fresh instance.</summary>
public sealed class StrategyStateFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-state-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ResolvedRun DefaultRun()
    {
        var (config, effective) = ConfigLoader.Load(null, []);
        return ResolvedRun.Resolve(config, effective);
    }

    [Fact]
    public void ABacktest_WritesTheStateAtTheEnd_AndLoadRestoresItIntoAFreshInstance()
    {
        var folder = Path.Combine(_dir, "run");
        var strategy = new Counting();
        var outcome = BacktestRunner.Run(DefaultRun(), folder, NullLoggerFactory.Instance, strategy: strategy, cancellationToken: TestContext.Current.CancellationToken);

        var path = Path.Combine(folder, StrategyStateFile.FileName);
        Assert.True(File.Exists(path));
        using (var json = JsonDocument.Parse(File.ReadAllText(path)))
        {
            var root = json.RootElement;
            Assert.Equal("state_probe", root.GetProperty("strategy").GetString());
            Assert.Equal(typeof(CountingState).FullName, root.GetProperty("state_type").GetString());
            Assert.Equal(outcome.Counters.Bars, root.GetProperty("state").GetProperty("Bars").GetInt64());
            Assert.Equal(
                strategy.Last.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                root.GetProperty("time_utc").GetString());
        }

        var fresh = new Counting();
        Assert.True(StrategyStateFile.Load(fresh, path));
        Assert.Equal(strategy.Last, fresh.Last);
        Assert.Equal(outcome.Counters.Bars, fresh.Bars);
        Assert.Equal(strategy.BySymbol, fresh.BySymbol);
    }

    [Fact]
    public void AStrategyWithoutState_LeavesNoFile_RemovesAStaleOne_AndLoadSaysSo()
    {
        var folder = Path.Combine(_dir, "plain");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, StrategyStateFile.FileName), "{}"); // a previous run's: it would describe another run
        BacktestRunner.Run(DefaultRun(), folder, NullLoggerFactory.Instance, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(File.Exists(Path.Combine(folder, StrategyStateFile.FileName)));
        Assert.False(StrategyStateFile.Load(new OrbStrategy(), Path.Combine(folder, "nothing.json")));
    }

    [Fact]
    public void AFileOfAnotherStateType_IsRefused_NamingTheFile()
    {
        var path = Path.Combine(_dir, StrategyStateFile.FileName);
        Assert.NotNull(StrategyStateFile.Save(new Counting(), _dir, DateTime.UnixEpoch));

        var e = Assert.Throws<InvalidDataException>(() => StrategyStateFile.Load(new OtherState(), path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("state_type", e.Message, StringComparison.Ordinal);

        File.WriteAllText(path, "{ \"state_type\": ");
        Assert.Throws<InvalidDataException>(() => StrategyStateFile.Load(new Counting(), path));
    }

    [Fact]
    public void SaveStateThatThrows_IsAStrategyErrorNamingTheCallback()
    {
        var e = Assert.Throws<StrategyException>(() => StrategyStateFile.Save(new OtherState { Throw = true }, _dir, DateTime.UnixEpoch));
        Assert.Equal("SaveState", e.Callback);
        Assert.Equal(nameof(OtherState), e.StrategyName);
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    /// <summary>The state: a plain record.</summary>
    public sealed record CountingState(long Bars, DateTime LastEndUtc, Dictionary<string, int> BySymbol);

    [Strategy("state_probe")]
    private sealed class Counting : IStrategy, IStatefulStrategy<CountingState>
    {
        private long _bars;
        private DateTime _last;
        private Dictionary<string, int> _bySymbol = [];

        public long Bars => _bars;

        public DateTime Last => _last;

        public Dictionary<string, int> BySymbol => _bySymbol;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            _bars++;
            _last = bar.End;
            _bySymbol[bar.Symbol.Ticker] = _bySymbol.GetValueOrDefault(bar.Symbol.Ticker) + 1;
        }

        public CountingState SaveState() => new(_bars, _last, _bySymbol);

        public void LoadState(CountingState state) => (_bars, _last, _bySymbol) = (state.Bars, state.LastEndUtc, state.BySymbol);
    }

    private sealed class OtherState : IStrategy, IStatefulStrategy<int[]>
    {
        public bool Throw { get; init; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }

        public int[] SaveState() => Throw ? throw new InvalidOperationException("cannot") : [1, 2];

        public void LoadState(int[] state)
        {
        }
    }
}
