using BenchmarkDotNet.Running;

namespace StrategyLab.Benchmarks;

/// <summary>
/// Benchmarks. <c>throughput engine [bars]</c> prints end-to-end rates; anything else goes to BenchmarkDotNet:
/// <c>dotnet run -c Release --project bench/StrategyLab.Benchmarks -- --filter '*'</c>.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "throughput" && args[1] == "engine")
        {
            EngineThroughput.Run(args[2..]);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
