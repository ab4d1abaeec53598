using BenchmarkDotNet.Running;
using StrategyLab.Benchmarks.Throughput;

namespace StrategyLab.Benchmarks;

/// <summary>
/// Runs the BenchmarkDotNet suite (<c>dotnet run -c Release --project bench/StrategyLab.Benchmarks -- --filter '*'</c>)
/// or a throughput mode (<c>… -- throughput data</c>; see <see cref="ThroughputModes"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "throughput")
        {
            return ThroughputModes.Run(args[1..], Console.Out);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
