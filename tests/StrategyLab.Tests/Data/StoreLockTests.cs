using StrategyLab.Core.Domain;
using StrategyLab.Data.Store;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

/// <summary>One writer at a time per store: a second import is refused at once with a clear message and exit 1.</summary>
public class StoreLockTests
{
    private const string LockFile = "strategylab-store.lock"; // StoreLock.FileName
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");
    private static readonly DateTime T0 = new(2024, 1, 10, 0, 0, 0, DateTimeKind.Utc);

    private static Bar B(int minute, decimal close) =>
        new(Btc, T0.AddMinutes(minute), T0.AddMinutes(minute + 1), close, close, close, close, 1m);

    [Fact]
    public async Task ASecondWriterIntoTheSameMonth_WhileTheFirstWrites_IsRefused_AndTheFirstCompletes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path);
        using var firstIsWriting = new SemaphoreSlim(0);
        using var letFirstFinish = new SemaphoreSlim(0);

        // The first import is in the middle of reading its input (it holds the lock) when the second starts.
        IEnumerable<Bar> SlowInput()
        {
            yield return B(0, 1);
            firstIsWriting.Release();
            letFirstFinish.Wait(ct);
            yield return B(1, 2);
        }

        var first = Task.Run(() => store.WriteAsync(SlowInput(), Timeframe.OneMinute, "first", ct), ct);
        await firstIsWriting.WaitAsync(ct);

        var refused = await Assert.ThrowsAnyAsync<IOException>(() => store.WriteAsync([B(0, 10), B(5, 11)], Timeframe.OneMinute, "second", ct));
        Assert.Contains("another import holds the lock on the store " + dir.Path, refused.Message, StringComparison.Ordinal);
        Assert.IsNotType<FileNotFoundException>(refused);

        letFirstFinish.Release();
        var written = await first;
        Assert.Equal(2, written.BarsReceived);
        Assert.Equal([1m, 2m], store.ReadBars(Btc, Timeframe.OneMinute).Select(b => b.Close));

        // Released: the next writer goes through.
        await store.WriteAsync([B(5, 11)], Timeframe.OneMinute, "third", ct);
        Assert.Equal([1m, 2m, 11m], store.ReadBars(Btc, Timeframe.OneMinute).Select(b => b.Close));
        Assert.DoesNotContain(Directory.EnumerateFiles(dir.Path, "*.tmp", SearchOption.AllDirectories), _ => true);
    }

    [Fact]
    public async Task DataImport_WhileAnotherImportHoldsTheLock_ExitsOne_SayingSo()
    {
        using var dir = new TempDir();
        var csv = dir.File("btc.csv", "time,open,high,low,close,volume\n2024-01-01T00:00:00Z,42000.5,42100,41900,42050,1.25\n");
        var store = Path.Combine(dir.Path, "store");
        Directory.CreateDirectory(store);

        // What another import (in any process) does while it writes: hold the store's lock file exclusively.
        using (new FileStream(Path.Combine(store, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var r = await CliRunner.RunInProcessAsync("data", "import", csv, "--symbol", "BTC-USD", "--timeframe", "1m", "--out", store);
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Contains("error: another import holds the lock on the store " + store, r.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain("Parameter", r.StdErr, StringComparison.Ordinal);
        }

        var again = await CliRunner.RunInProcessAsync("data", "import", csv, "--symbol", "BTC-USD", "--timeframe", "1m", "--out", store);
        Assert.True(again.ExitCode == 0, again.ToString());
    }
}
