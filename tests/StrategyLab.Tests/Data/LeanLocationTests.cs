using StrategyLab.Data.Lean;

namespace StrategyLab.Tests.Data;

/// <summary>A path anywhere in a LEAN data folder is understood: root, equity, usa, resolution, ticker folder or zip.</summary>
public class LeanLocationTests
{
    [Fact]
    public void EveryLevelBelowTheRoot_FindsTheRoot_AndWhatThePathNames()
    {
        using var dir = new TempDir();
        var root = Path.Combine(dir.Path, "Data");
        Directory.CreateDirectory(Path.Combine(root, "equity", "usa", "minute", "spy"));
        Directory.CreateDirectory(Path.Combine(root, "equity", "usa", "daily"));
        File.WriteAllBytes(Path.Combine(root, "equity", "usa", "daily", "spy.zip"), []);

        Assert.Equal(new LeanLocation(root, null, null), LeanLocation.Find(root));
        Assert.Equal(new LeanLocation(root, null, null), LeanLocation.Find(root + Path.DirectorySeparatorChar));
        Assert.Equal(new LeanLocation(root, null, null), LeanLocation.Find(Path.Combine(root, "equity")));
        Assert.Equal(new LeanLocation(root, null, null), LeanLocation.Find(Path.Combine(root, "equity", "usa")));
        Assert.Equal(new LeanLocation(root, LeanResolution.Minute, null), LeanLocation.Find(Path.Combine(root, "equity", "usa", "minute")));
        Assert.Equal(new LeanLocation(root, LeanResolution.Minute, "spy"), LeanLocation.Find(Path.Combine(root, "equity", "usa", "minute", "spy")));
        Assert.Equal(new LeanLocation(root, LeanResolution.Daily, "spy"), LeanLocation.Find(Path.Combine(root, "equity", "usa", "daily", "spy.zip")));
    }

    [Fact]
    public void PathsOutsideTheLayout_AreNotLean()
    {
        using var dir = new TempDir();
        var root = Path.Combine(dir.Path, "Data");
        Directory.CreateDirectory(Path.Combine(root, "equity", "usa", "minute", "spy", "deeper"));
        Directory.CreateDirectory(Path.Combine(root, "equity", "usa", "weekly", "spy"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "other"));

        Assert.Null(LeanLocation.Find(Path.Combine(root, "equity", "usa", "minute", "spy", "deeper")));
        Assert.Null(LeanLocation.Find(Path.Combine(root, "equity", "usa", "weekly", "spy")));
        Assert.Null(LeanLocation.Find(Path.Combine(dir.Path, "other")));
        Assert.Null(LeanLocation.Find(Path.Combine(dir.Path, "missing")));
    }
}
