using System.Collections.Concurrent;
using StrategyLab.Runner;

namespace StrategyLab.Tests.Runner;

/// <summary>Run folders are claimed atomically and a folder with anything in it is never reused.</summary>
public sealed class OutputFolderTests : IDisposable
{
    private const string Marker = ".strategylab-run"; // OutputFolder.ClaimMarkerFileName
    private static readonly DateTime Now = new(2024, 3, 4, 14, 30, 5, DateTimeKind.Utc);
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-outfolder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ClaimsStartedInTheSameSecond_InParallel_EachGetTheirOwnFolder()
    {
        const int claims = 24;
        var template = Path.Combine(_dir, "runs", "{timestamp}-{strategy}");
        var paths = new ConcurrentBag<string>();
        Parallel.For(0, claims, new ParallelOptions { MaxDegreeOfParallelism = claims }, _ => paths.Add(OutputFolder.Claim(template, "orb", Now).Path));

        var expected = Path.Combine(_dir, "runs", "20240304-143005-orb");
        Assert.Equal(claims, paths.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            new[] { expected }.Concat(Enumerable.Range(2, claims - 1).Select(n => $"{expected}-{n}")).Order(StringComparer.Ordinal),
            paths.Order(StringComparer.Ordinal));
        Assert.All(paths, p => Assert.Equal([Marker], Directory.EnumerateFileSystemEntries(p).Select(Path.GetFileName)));
    }

    [Theory]
    [InlineData("trades.csv")] // a user's folder that happens to hold a file of the same name
    [InlineData("notes.txt")]
    [InlineData(Marker)] // claimed by a run that has not written anything yet
    public void AFolderWithAnythingInIt_IsNeverReused(string file)
    {
        var folder = Path.Combine(_dir, "mine");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, file), "keep me");

        var claim = OutputFolder.Claim(folder, "orb", Now);

        Assert.Equal(folder + "-2", claim.Path);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(folder, file)));
    }

    [Fact]
    public void TheFolderOfAKilledRun_WithoutSummary_IsNotReused()
    {
        // What kill -9 of a live run leaves: a log, an equity row, no summary.json.
        var folder = Path.Combine(_dir, "live");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "log.jsonl"), "{\"event\":\"liveMode.cycle\"}\n");
        File.WriteAllText(Path.Combine(folder, "equity.csv"), "time,cash,positions_value,equity\n2024-03-04T09:31:00-05:00,100000,0,100000\n");

        Assert.Equal(folder + "-2", OutputFolder.Claim(folder, "orb", Now).Path);
        Assert.Equal(folder + "-3", OutputFolder.Claim(folder, "orb", Now).Path);
    }

    [Fact]
    public void AnEmptyFolderOfTheUser_IsClaimed_AndKeptWhenTheRunFails()
    {
        var folder = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(folder);

        var claim = OutputFolder.Claim(folder + Path.DirectorySeparatorChar, "orb", Now);
        Assert.Equal(folder, claim.Path);
        File.WriteAllText(Path.Combine(folder, "log.jsonl"), "x\n");

        Assert.True(claim.DiscardIfEmpty());
        Assert.True(Directory.Exists(folder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public void AFailedRun_LeavesNoFolder_AndTheNameIsFreeAgain()
    {
        var folder = Path.Combine(_dir, "a", "b");
        var claim = OutputFolder.Claim(folder, "orb", Now);
        Assert.True(Directory.Exists(folder));
        File.WriteAllText(Path.Combine(folder, "trades.csv"), "symbol\n");

        Assert.True(claim.DiscardIfEmpty());
        Assert.False(Directory.Exists(folder));
        Assert.Equal(folder, OutputFolder.Claim(folder, "orb", Now).Path);
    }

    [Fact]
    public void AFailedRunWithResults_KeepsItsFolder()
    {
        var folder = Path.Combine(_dir, "kept");
        var claim = OutputFolder.Claim(folder, "orb", Now);
        File.WriteAllText(Path.Combine(folder, "summary.json"), "{}\n");

        Assert.False(claim.DiscardIfEmpty());
        Assert.True(File.Exists(Path.Combine(folder, "summary.json")));
    }

    [Fact]
    public void AFileWhereTheFolderWouldBe_IsSkipped()
    {
        var path = Path.Combine(_dir, "file");
        File.WriteAllText(path, "x");
        Assert.Equal(path + "-2", OutputFolder.Claim(path, "orb", Now).Path);
    }
}
