namespace StrategyLab.Cli;

/// <summary>Entry point of the <c>strategylab</c> command.</summary>
public static class Program
{
    /// <summary>When <see cref="Main"/> began (a <see cref="System.Diagnostics.Stopwatch"/> timestamp; 0 when the CLI runs inside another program): the origin of <c>--timings</c>.</summary>
    internal static long MainTimestamp { get; private set; }

    /// <summary>Runs the command line and returns its exit code.</summary>
    public static Task<int> Main(string[] args)
    {
        MainTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        TimeZoneWarmUp.Start(args);
        var root = CliApp.BuildFor(args);
        StartupJitProfile.Start(root, args);
        return CliApp.RunAsync(root, args, Console.Out, Console.Error);
    }
}
