using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// Runs alone, after the parallel tests: <c>dotnet pack</c> and a NuGet restore load both cores for seconds, which
/// would starve the timing-sensitive live tests if they ran side by side.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StrategyPackageCollection
{
    public const string Name = "strategy package (runs alone)";
}

/// <summary>The NuGet route of issue 11: a class library that references the packed StrategyLab.Core package.</summary>
[Collection(StrategyPackageCollection.Name)]
public sealed class StrategyPackageCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-pkg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ClassLibrary_ReferencingTheStrategyLabCorePackage_RunsAsAnAssemblyStrategy()
    {
        // The package as a user gets it: dotnet pack, then a class library with a PackageReference. Its own packages
        // folder keeps an older cached StrategyLab.Core out; the machine's package cache serves the other packages.
        var feed = Path.Combine(_dir, "feed");
        var pack = await UserStrategyCliTests.RunDotnetAsync(TestPaths.RepoRoot, "pack", Path.Combine("src", "StrategyLab.Core"), "-c", "Release", "-o", feed, "-p:NuGetAudit=false");
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var package = Assert.Single(Directory.GetFiles(feed, "StrategyLab.Core.*.nupkg"));
        var version = Path.GetFileNameWithoutExtension(package)["StrategyLab.Core.".Length..];

        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Directory.CreateDirectory(Path.Combine(_dir, "pkg"));
        File.WriteAllText(Path.Combine(_dir, "pkg", "MyStrategies.csproj"), $$"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings>
                <RestorePackagesPath>{{Path.Combine(_dir, "packages")}}</RestorePackagesPath>
                <RestoreAdditionalProjectSources>{{feed}}</RestoreAdditionalProjectSources>
                <RestoreAdditionalProjectFallbackFolders>{{globalPackages}}</RestoreAdditionalProjectFallbackFolders>
                <NuGetAudit>false</NuGetAudit>
              </PropertyGroup>
              <ItemGroup><PackageReference Include="StrategyLab.Core" Version="{{version}}" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(
            Path.Combine(_dir, "pkg", "Toggle.cs"),
            UserStrategyCliTests.Toggle.Replace("[Strategy(\"toggle\"", "[Strategy(\"pkg_toggle\"", StringComparison.Ordinal));
        var build = await UserStrategyCliTests.RunDotnetAsync(Path.Combine(_dir, "pkg"), "build", "-c", "Release", "-o", "out");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(File.Exists(Path.Combine(_dir, "packages", "strategylab.core", version, "lib", "net10.0", "StrategyLab.Core.dll")), "the library did not restore StrategyLab.Core from the packed feed");

        var outDir = Path.Combine(_dir, "run");
        var r = await CliRunner.RunInProcessAsync("backtest", "--strategy-assembly", Path.Combine(_dir, "pkg", "out", "MyStrategies.dll"), "--out", outDir, "--quiet");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.ReadAllLines(Path.Combine(outDir, "trades.csv")).Length > 1, "no trades");
        Assert.Contains("toggle_in", File.ReadAllText(Path.Combine(outDir, "orders.csv")), StringComparison.Ordinal);
    }
}
