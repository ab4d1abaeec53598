using System.Globalization;
using System.Text.Json;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// <c>live --resume</c> with the simulated exchange: a live SMA session (a scripted feed of trade prints, on a stepping fake
/// clock, through <see cref="LiveSession"/> so the run folder and the journal are the real ones) is "killed" mid-session
/// (its run folder copied as the disk holds it at that instant: the journal's committed rows, nothing of the graceful stop),
/// resumed in the copy minutes later, and run to its end. The resumed run's journal, orders, fills, trades and equity
/// equal those of the uninterrupted run: the catch-up replayed the journalled warm-up and slices, and the minutes missed
/// while the process was down came from the provider's history, as a feed gap's do.
/// </summary>
public sealed class LiveResumeTests : IDisposable
{
    private static readonly Symbol Btc = Symbol.Crypto("BINANCE:BTCUSDT");
    private static readonly DateTime Start = Utc("2024-01-06T10:00:00Z"); // a Saturday: crypto trades around the clock
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-liveresume-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("2024-01-06T10:06:20Z", "2024-01-06T10:06:40Z")] // back in the same minute
    [InlineData("2024-01-06T10:08:20Z", "2024-01-06T10:11:40Z")] // three minutes down: history fills them
    [InlineData("2024-01-06T10:00:02Z", "2024-01-06T10:02:10Z")] // killed right after the warm-up
    public async Task KilledMidSession_ThenResumed_EndsAsTheUninterruptedRun(string killedAt, string restartedAt)
    {
        var tape = Tape(Start.AddMinutes(-10), Start.AddMinutes(20), seed: 13);
        var run = Config();

        // The uninterrupted run; its journal's bars are what the provider's history answers afterwards.
        var reference = Path.Combine(_dir, "ref", "run");
        await RunAsync(run, reference, Start, tape, FromTape(tape), resume: false, killAt: null);
        var referenceBars = JournalBars(reference);
        Assert.True(File.ReadLines(Path.Combine(reference, "trades.csv")).Count() >= 4, "the tape must make trades");

        // The same run killed at killedAt: its folder as the disk holds it then.
        var first = Path.Combine(_dir, "first", "run");
        var crashed = Path.Combine(_dir, "crashed", "run");
        await RunAsync(run, first, Start, tape, FromTape(tape), resume: false, killAt: (Utc(killedAt), crashed));
        var rowsAtKill = Rows(crashed).Count;

        // Resumed minutes later: the feed delivers what is printed from then on; history is the provider's.
        var restart = Utc(restartedAt);
        await RunAsync(run, crashed, restart, [.. tape.Where(p => p.Time >= restart)], (from, to) => [.. referenceBars.Where(b => b.Start >= from && b.End <= to)], resume: true, killAt: null);

        Assert.Equal(Rows(reference), Rows(crashed));
        foreach (var file in (string[])["orders.csv", "fills.csv", "trades.csv", "equity.csv"])
        {
            Assert.Equal(File.ReadAllText(Path.Combine(reference, file)), File.ReadAllText(Path.Combine(crashed, file)));
        }

        var replayed = Assert.Single(_logs.Named("reconcile.replayed"));
        Assert.Contains("Slices=" + JournalBarsCount(crashed, rowsAtKill).ToString(CultureInfo.InvariantCulture), replayed.Values);
        Assert.Contains(JournalState.Load(crashed).OrderRequests, id => id.StartsWith("sl-run-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheJournal_HoldsTheWarmUpAndEverySlice_BeforeTheEngineActedOnThem()
    {
        var tape = Tape(Start.AddMinutes(-10), Start.AddMinutes(20), seed: 13);
        var folder = Path.Combine(_dir, "bars", "run");
        await RunAsync(Config(), folder, Start, tape, FromTape(tape), resume: false, killAt: null);

        using var reader = JournalReader.Open(folder);
        var rows = reader.ReadAfter();
        var bars = rows.Where(r => r.Kind == JournalEventKind.Bars).Select(BarJournal.Read).ToList();
        Assert.Equal(BarJournal.WarmUpPhase, bars[0].Phase);
        Assert.True(bars[0].Bars.Length >= 3);
        Assert.All(bars.Skip(1), b => Assert.Equal(BarJournal.SlicePhase, b.Phase));
        Assert.Equal(20, bars.Count(b => b.Phase == BarJournal.SlicePhase)); // 10:00 … 10:19
        var sliceEnds = bars.Skip(1).Select(b => b.Bars[0].End).ToList();
        Assert.Equal(sliceEnds.Order(), sliceEnds);

        // An order is always decided on a slice the journal already holds.
        foreach (var request in rows.Where(r => r.Kind == JournalEventKind.OrderRequest))
        {
            var decided = DateTime.Parse(JsonDocument.Parse(request.PayloadJson).RootElement.GetProperty("timeUtc").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            Assert.Contains(rows.Where(r => r.Sequence < request.Sequence && r.Kind == JournalEventKind.Bars), r => BarJournal.Read(r).Bars[^1].End == decided);
        }

        // status leaves market data out of the last events.
        Assert.DoesNotContain(reader.Status(50).LastEvents, e => e.Kind == JournalEventKind.Bars);
    }

    /// <summary>Runs a live session into <paramref name="folder"/>; with <paramref name="killAt"/>, copies the folder at that instant, then stops.</summary>
    private async Task RunAsync(
        ResolvedRun run,
        string folder,
        DateTime startUtc,
        IReadOnlyList<TradePrint> tape,
        Func<DateTime, DateTime, List<Bar>> history,
        bool resume,
        (DateTime At, string CopyTo)? killAt)
    {
        var clock = new SteppingClock(startUtc);
        var script = tape.Where(p => p.Time >= startUtc).Select(p => (p.Time, (MarketEvent)new TradeEvent(p.Time, p)));
        var feed = new ScriptedFeed(clock, script, (s, tf, from, to) => new HistoryResult(HistoryStatus.Ok, history(from, to), "test"));
        using var stop = new CancellationTokenSource();
        var loggers = _logs.CreateFactory();
        var task = LiveSession.RunAsync(run, folder, loggers, clock, stop.Token, feedFactory: (_, _, _) => feed, resume: resume);
        if (killAt is not { } kill)
        {
            await clock.RunAsync(task, Utc("2024-01-06T12:00:00Z"));
            await task;
            return;
        }

        await clock.RunAsync(task, kill.At);
        Assert.False(task.IsCompleted, "the session ended before the kill");
        CopyAsADeadProcessLeftIt(folder, kill.CopyTo);
        await stop.CancelAsync();
        await clock.RunAsync(task, Utc("2024-01-06T12:00:00Z"));
        await task;
    }

    /// <summary>The files of a run folder as a kill -9 leaves them: everything written (the WAL included), no lock held.</summary>
    private static void CopyAsADeadProcessLeftIt(string folder, string copyTo)
    {
        Directory.CreateDirectory(copyTo);
        foreach (var file in Directory.GetFiles(folder))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".lock", StringComparison.Ordinal) || name.EndsWith("-shm", StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var target = File.Create(Path.Combine(copyTo, name));
                source.CopyTo(target);
            }
            catch (IOException) when (!name.StartsWith(LiveJournal.FileName, StringComparison.Ordinal) && name != RunJournal.ConfigFileName)
            {
                // A file its writer keeps locked (the resumed run rewrites it from the start anyway).
            }
        }
    }

    private static ResolvedRun Config()
    {
        var path = Path.Combine(Path.GetTempPath(), "sl-liveresume-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 2, "slow": 3 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 1 },
              "live_min_bars": 5, "live_warmup_cycles": 0, "auto_stop_at": "2024-01-06T10:20:30Z",
              "output": { "report": false },
              "providers": { "finnhub": { "api_key": "not-used", "late_grace_seconds": 2 } } }
            """);
        try
        {
            var (config, effective) = ConfigLoader.Load(path);
            return ResolvedRun.Resolve(config, effective);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static List<(JournalEventKind, string?, string?, string?, string)> Rows(string folder)
    {
        using var reader = JournalReader.Open(folder);
        return [.. reader.ReadAfter().Select(e => (e.Kind, e.Symbol, e.ClientOrderId, e.OrderStatus, e.PayloadJson))];
    }

    private static List<Bar> JournalBars(string folder)
    {
        using var reader = JournalReader.Open(folder);
        return [.. reader.ReadAfter().Where(e => e.Kind == JournalEventKind.Bars).SelectMany(e => BarJournal.Read(e).Bars)];
    }

    private static int JournalBarsCount(string folder, int firstRows)
    {
        using var reader = JournalReader.Open(folder);
        return reader.ReadAfter().Take(firstRows).Count(e => e.Kind == JournalEventKind.Bars && BarJournal.Read(e).Phase == BarJournal.SlicePhase);
    }

    /// <summary>History computed from the tape (the uninterrupted run's warm-up).</summary>
    private static Func<DateTime, DateTime, List<Bar>> FromTape(IReadOnlyList<TradePrint> tape) => (from, to) =>
        [.. tape.Where(p => p.Time >= from && p.Time < to)
            .GroupBy(p => new DateTime(p.Time.Ticks - (p.Time.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc))
            .Where(g => g.Key.AddMinutes(1) <= to)
            .OrderBy(g => g.Key)
            .Select(g => new Bar(Btc, g.Key, g.Key.AddMinutes(1), g.First().Price, g.Max(p => p.Price), g.Min(p => p.Price), g.Last().Price, g.Sum(p => p.Size), g.Count(), g.Sum(p => p.Price * p.Size) / g.Sum(p => p.Size)))];

    /// <summary>Prints around a wave, ids unique.</summary>
    private static List<TradePrint> Tape(DateTime from, DateTime to, int seed)
    {
        var rng = new Random(seed);
        var prints = new List<TradePrint>();
        decimal price;
        for (var t = from.AddMilliseconds(rng.Next(200, 900)); t < to; t = t.AddMilliseconds(rng.Next(2000, 6000)))
        {
            // A six-minute wave under the noise: the averages cross every few minutes.
            var wave = 80.0 * Math.Sin(2 * Math.PI * (t - from).TotalMinutes / 6);
            price = Math.Round(42_000m + (decimal)wave + ((decimal)(rng.NextDouble() - 0.5) * 10m), 2);
            prints.Add(new TradePrint(Btc, t, price, Math.Round((decimal)rng.NextDouble() * 0.5m + 0.001m, 6), "id-" + prints.Count.ToString(CultureInfo.InvariantCulture)));
        }

        return prints;
    }

    private static DateTime Utc(string text) =>
        DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), DateTimeKind.Utc);
}
