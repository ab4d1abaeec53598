namespace StrategyLab.Benchmarks.Throughput;

/// <summary>
/// The <c>throughput &lt;mode&gt;</c> commands: long single-shot measurements (bars/s, memory) that BenchmarkDotNet's
/// repeated small iterations do not suit. Add a mode by adding a line to <see cref="Modes"/>.
/// </summary>
public static class ThroughputModes
{
    private static readonly Dictionary<string, (string Description, Func<string[], TextWriter, int> Run)> Modes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["data"] = ("CSV and Parquet store read throughput over a generated file (default 10,000,000 bars).", DataThroughput.Run),
        ["engine"] = ("SMA crossover through the full orchestrator, from memory and from the store (default 10,000,000 bars).", EngineThroughput.Run),
        ["sweep"] = ("A 100-combination SMA sweep over SPY/AIG/BAC/IBM Oct 2013 minutes (bars parsed once), --jobs 1 vs 2: wall, CPU, ratio.", SweepThroughput.Run),
        ["command"] = ("The whole `strategylab backtest` process on generated data (390 bars to 10,000,000): wall, CPU, peak memory.", CommandThroughput.Run),
    };

    public static int Run(string[] args, TextWriter output)
    {
        if (args.Length == 0 || !Modes.TryGetValue(args[0], out var mode))
        {
            output.WriteLine("usage: throughput <mode> [options]");
            foreach (var (name, m) in Modes)
            {
                output.WriteLine($"  {name,-10} {m.Description}");
            }

            return args.Length == 0 ? 0 : 2;
        }

        return mode.Run(args[1..], output);
    }
}
