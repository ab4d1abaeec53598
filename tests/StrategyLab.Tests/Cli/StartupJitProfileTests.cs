using StrategyLab.Cli;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>The multi-core JIT profile of a command's start: where it lives, what it is called, and that nothing depends on it.</summary>
public sealed class StartupJitProfileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-jitprofile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData(new[] { "backtest", "--symbols", "SYNA", "--quiet" }, "backtest.jitprofile")]
    [InlineData(new[] { "data", "info", "backtest" }, "data-info.jitprofile")]
    [InlineData(new[] { "data", "--help" }, "data.jitprofile")]
    [InlineData(new[] { "sweep", "--config", "run.json" }, "sweep.jitprofile")]
    public void TheProfile_IsNamedAfterTheCommandWords(string[] args, string expected)
    {
        Assert.Equal(expected, StartupJitProfile.NameOf(CliApp.Build(), args));
    }

    [Theory]
    [InlineData("")]
    [InlineData("--help")]
    [InlineData("backtset --quiet")]
    [InlineData("../../etc/passwd")]
    public void NoCommand_NoProfile(string commandLine)
    {
        Assert.Null(StartupJitProfile.NameOf(CliApp.Build(), commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void TheFolder_IsInXdgCacheHome_WhenItIsAnAbsolutePath_ElseInHomesCache()
    {
        var xdg = Path.Combine(_dir, "xdg");
        var home = Path.Combine(_dir, "home");
        Assert.Equal(Path.Combine(xdg, "strategylab", "jit"), StartupJitProfile.Folder(Environment(("XDG_CACHE_HOME", xdg), ("HOME", home))));
        Assert.True(Directory.Exists(Path.Combine(xdg, "strategylab", "jit")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(Path.Combine(home, ".cache", "strategylab", "jit"), StartupJitProfile.Folder(Environment(("XDG_CACHE_HOME", "relative/cache"), ("HOME", home))));
            Assert.Equal(Path.Combine(home, ".cache", "strategylab", "jit"), StartupJitProfile.Folder(Environment(("HOME", home))));
            Assert.Null(StartupJitProfile.Folder(Environment()));
        }
    }

    [Fact]
    public void AFolderThatCannotBeMade_IsNoFolder_NotAnError()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a folder");
        Assert.Null(StartupJitProfile.Folder(Environment(("XDG_CACHE_HOME", file), ("HOME", file))));
    }

    [Fact]
    public async Task Backtest_UsesNoProfile_UnlessTheSwitchSaysOne()
    {
        string[] args = ["backtest", "--symbols", "SYNA", "--from", "2024-01-02", "--to", "2024-01-02", "--quiet"];
        var cache = Path.Combine(_dir, "cache");
        var run = await CliRunner.RunProcessAsync([.. args, "--out", Path.Combine(_dir, "r1")], _dir, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache, [StartupJitProfile.SwitchVariable] = string.Empty });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(File.Exists(Path.Combine(cache, "strategylab", "jit", "backtest.jitprofile")));
        Assert.Contains("backtest.jitprofile", StartupJitProfile.WithoutProfileByDefault);
    }

    [Fact]
    public async Task TheRealCommand_WritesItsProfileInTheCache_AndRunsTheSameWithoutOne()
    {
        string[] args = ["backtest", "--symbols", "SYNA", "--from", "2024-01-02", "--to", "2024-01-02", "--quiet"];
        var cache = Path.Combine(_dir, "cache");
        var notAFolder = Path.Combine(_dir, "not-a-folder");
        File.WriteAllText(notAFolder, "a file where the cache would be");

        var recorded = await CliRunner.RunProcessAsync([.. args, "--out", Path.Combine(_dir, "r1")], _dir, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache, [StartupJitProfile.SwitchVariable] = "1" });
        Assert.True(recorded.ExitCode == 0, recorded.ToString());
        var profile = Path.Combine(cache, "strategylab", "jit", "backtest.jitprofile");
        Assert.True(File.Exists(profile) && new FileInfo(profile).Length > 0, $"no profile at {profile}");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_dir, "r1"), "*.jitprofile", SearchOption.AllDirectories));

        // Played back (the profile exists now), with no usable cache folder, and from a damaged profile (cut short, as
        // two processes writing it at once could leave it): the same run, the same files.
        var played = await CliRunner.RunProcessAsync([.. args, "--out", Path.Combine(_dir, "r2")], _dir, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache, [StartupJitProfile.SwitchVariable] = "1" });
        var without = await CliRunner.RunProcessAsync([.. args, "--out", Path.Combine(_dir, "r3")], _dir, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = notAFolder, ["HOME"] = notAFolder });
        var bytes = File.ReadAllBytes(profile);
        File.WriteAllBytes(profile, bytes[..(bytes.Length / 3)]);
        var damaged = await CliRunner.RunProcessAsync([.. args, "--out", Path.Combine(_dir, "r4")], _dir, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache, [StartupJitProfile.SwitchVariable] = "1" });
        foreach (var run in new[] { played, without, damaged })
        {
            Assert.True(run.ExitCode == 0, run.ToString());
        }

        foreach (var name in new[] { "trades.csv", "orders.csv", "equity.csv" })
        {
            var expected = File.ReadAllText(Path.Combine(_dir, "r1", name));
            foreach (var folder in new[] { "r2", "r3", "r4" })
            {
                Assert.Equal(expected, File.ReadAllText(Path.Combine(_dir, folder, name)));
            }
        }
    }
}
