namespace StrategyLab.Cli;

/// <summary>Entry point of the <c>strategylab</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns its exit code.</summary>
    public static Task<int> Main(string[] args)
    {
        var root = CliApp.Build();
        StartupJitProfile.Start(root, args);
        return CliApp.RunAsync(root, args, Console.Out, Console.Error);
    }
}
