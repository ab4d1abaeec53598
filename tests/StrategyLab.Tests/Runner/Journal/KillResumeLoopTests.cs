using System.Globalization;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Journal;

/// <summary>
/// Issue 13 point 5 with the simulated exchange: a replay (synthetic bars, as fast as possible) is started as a real
/// process, SIGKILLed at a journal point (<see cref="FaultPoints"/>), resumed with <c>--resume</c> (and killed again, at
/// random), until a resume finishes; then its journal must hold exactly the rows of an uninterrupted run (no order lost,
/// none doubled, every fill, cancel and position row once), and its orders, fills, trades and equity must equal that
/// run's (positions equal to the venue's, equity continuous). <c>STRATEGYLAB_KILL_RUNS</c> sets the number of runs.
/// </summary>
public sealed class KillResumeLoopTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Points =
    [
        "before_order_request", "after_order_request", "before_broker_ack", "after_broker_ack",
        "before_fill", "after_fill", "before_position", "before_cancel", "before_intent",
    ];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sl-killloop-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task KilledAtRandomJournalPoints_ThenResumed_NeverLosesOrDoublesAnOrder_AndEndsAsAnUninterruptedRun()
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable("STRATEGYLAB_KILL_RUNS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 8;
        var reference = Path.Combine(_dir, "ref", "run");
        var r = await CliRunner.RunProcessAsync(["replay", "--config", Config(reference), "--quiet"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        var expected = Rows(reference);
        var counts = Points.ToDictionary(p => p, p => expected.Count(e => p.EndsWith(JournalKinds.ToText(e.Kind), StringComparison.Ordinal)));
        Assert.True(counts["before_order_request"] >= 10, "the reference run makes too few orders to test anything");

        var random = new Random(1313);
        var kills = 0;
        var resumes = 0;
        var byPoint = Points.ToDictionary(p => p, _ => 0);
        for (var run = 0; run < runs; run++)
        {
            var folder = Path.Combine(_dir, "k" + run.ToString(CultureInfo.InvariantCulture), "run");
            List<string> args = ["replay", "--config", Config(folder), "--quiet"];
            for (var attempt = 0; ; attempt++)
            {
                // Up to two kills per run (the second one during the resume's catch-up or after it), then a clean resume.
                var env = new Dictionary<string, string>();
                string? point = null;
                if (attempt < 2)
                {
                    point = Points[random.Next(Points.Length)];
                    env[FaultPoints.Variable] = point + ":" + (1 + random.Next(Math.Max(1, counts[point]))).ToString(CultureInfo.InvariantCulture);
                }

                var result = await CliRunner.RunProcessAsync(args, environment: env);
                if (result.ExitCode == 0)
                {
                    break;
                }

                Assert.True(result.ExitCode == 137 && point is not null, $"run {run}, attempt {attempt} ({env.GetValueOrDefault(FaultPoints.Variable)}): {result}");
                kills++;
                byPoint[point]++;
                resumes++;
                args = ["replay", "--resume", folder, "--quiet"];
            }

            var actual = Rows(folder);
            Assert.True(expected.SequenceEqual(actual), $"run {run}: the journal differs from the uninterrupted run's\n{Diff(expected, actual)}");
            var ids = actual.Where(e => e.Kind == JournalEventKind.OrderRequest).Select(e => e.ClientOrderId).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            foreach (var file in (string[])["orders.csv", "fills.csv", "trades.csv", "equity.csv"])
            {
                Assert.True(File.ReadAllText(Path.Combine(reference, file)) == File.ReadAllText(Path.Combine(folder, file)), $"run {run}: {file} differs from the uninterrupted run's");
            }

            var state = JournalState.Load(folder);
            var expectedState = JournalState.Load(reference);
            Assert.Equal(expectedState.Positions.OrderBy(p => p.Key), state.Positions.OrderBy(p => p.Key));
        }

        output.WriteLine(
            $"kill -9 loop: {runs} runs, {kills} kills, {resumes} resumes, 0 reconnects (replay has no feed), {counts["before_order_request"]} orders a run; kills by point: "
            + string.Join(", ", byPoint.Where(p => p.Value > 0).Select(p => $"{p.Key} {p.Value}")));
        Assert.True(kills > 0);
    }

    private string Config(string folder)
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, $$"""
            { "data": { "provider": "synthetic", "from": "2024-01-02", "to": "2024-01-04" }, "speedup": 0,
              "output": { "dir": "{{folder.Replace('\\', '/')}}", "report": false } }
            """);
        return path;
    }

    private static List<(JournalEventKind Kind, string? Symbol, string? ClientOrderId, string? BrokerOrderId, string? Status, string Payload)> Rows(string folder)
    {
        using var reader = JournalReader.Open(folder);
        return [.. reader.ReadAfter().Select(e => (e.Kind, e.Symbol, e.ClientOrderId, e.BrokerOrderId, e.OrderStatus, e.PayloadJson))];
    }

    private static string Diff<T>(List<T> expected, List<T> actual)
    {
        var i = 0;
        while (i < expected.Count && i < actual.Count && Equals(expected[i], actual[i]))
        {
            i++;
        }

        return $"{expected.Count} vs {actual.Count} rows; first difference at row {i + 1}:\n  expected {(i < expected.Count ? expected[i] : "(end)")}\n  actual   {(i < actual.Count ? actual[i] : "(end)")}";
    }
}
