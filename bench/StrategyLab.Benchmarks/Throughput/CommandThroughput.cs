using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Store;

namespace StrategyLab.Benchmarks.Throughput;

/// <summary>
/// <c>throughput command [--cli DLL] [--dir PATH] [--runs N] [--only a,b]</c>: the whole <c>strategylab backtest</c>
/// process, as a user runs it, on generated data: wall time, CPU time, peak resident memory and bars/s of each case,
/// the median of N runs. The data is generated once into <c>--dir</c> (default: a folder in the temporary directory,
/// reused when it exists) so repeated measurements skip it.
/// </summary>
/// <remarks>
/// Cases: <c>small</c> (390 synthetic bars: one session of one symbol, the fixed cost of a run), <c>csv-200k</c> and
/// <c>csv-2m</c> (one crypto symbol's minutes in a CSV, SMA crossover 10/30, fixed quantity, zero commission: tens of
/// thousands of round trips), <c>csv-2m-no-report</c>, <c>store-10x10y</c> (10 equities × 10 years of minutes from the
/// Parquet store: 10,000,000 bars). The CLI is started with <c>dotnet strategylab.dll</c> like any user command; CPU
/// time comes from <c>getrusage(RUSAGE_CHILDREN)</c> and the peak from the child's <c>VmHWM</c>, both Linux-only
/// (elsewhere they print as 0).
/// </remarks>
internal static class CommandThroughput
{
    private const int CsvBars = 2_000_000;
    private const int StoreBars = 10_000_000;

    public static int Run(string[] args, TextWriter output)
    {
        string? cli = null;
        string? dir = null;
        var runs = 3;
        string[]? only = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--cli": cli = args[++i]; break;
                case "--dir": dir = args[++i]; break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--only": only = args[++i].Split(','); break;
                default:
                    output.WriteLine($"unknown option {args[i]}; usage: throughput command [--cli DLL] [--dir PATH] [--runs N] [--only small,csv-200k,csv-2m,csv-2m-no-report,store-10x10y]");
                    return 2;
            }
        }

        cli ??= FindCli();
        if (cli is null || !File.Exists(cli))
        {
            output.WriteLine("strategylab.dll not found: build it (dotnet build -c Release src/StrategyLab.Cli) or pass --cli PATH.");
            return 2;
        }

        dir ??= Path.Combine(Path.GetTempPath(), "strategylab-command-throughput");
        Directory.CreateDirectory(dir);
        output.WriteLine($"CLI {cli}");
        output.WriteLine($"data and run folders in {dir}; median of {runs} run(s) per case");

        var cases = Cases(dir).Where(c => only is null || only.Contains(c.Name)).ToList();
        foreach (var c in cases)
        {
            c.Prepare?.Invoke(output);
            var samples = new List<Sample>();
            for (var r = 0; r < runs; r++)
            {
                var outDir = Path.Combine(dir, "runs", $"{c.Name}-{r}");
                if (Directory.Exists(outDir))
                {
                    Directory.Delete(outDir, recursive: true);
                }

                var sample = RunOnce(cli, [.. c.Args, "--out", outDir, "--quiet"], dir);
                if (sample.ExitCode != 0)
                {
                    output.WriteLine($"{c.Name}: exit {sample.ExitCode}\n{sample.Output}");
                    return 1;
                }

                samples.Add(sample with { FolderBytes = Directory.EnumerateFiles(outDir).Sum(f => new FileInfo(f).Length) });
            }

            var median = samples.OrderBy(s => s.Wall).ElementAt(samples.Count / 2);
            output.WriteLine(
                $"{c.Name,-18} {c.Bars,12:N0} bars  wall {median.Wall.TotalSeconds,6:N2} s = {c.Bars / median.Wall.TotalSeconds / 1e6,6:N2} M bars/s" +
                $"  CPU {median.Cpu.TotalSeconds,6:N2} s  peak {median.PeakBytes / 1e6,5:N0} MB  folder {median.FolderBytes / 1e6,6:N1} MB" +
                $"  (walls {string.Join(" / ", samples.Select(s => s.Wall.TotalSeconds.ToString("N2", CultureInfo.InvariantCulture)))})");
        }

        return 0;
    }

    private sealed record Case(string Name, long Bars, string[] Args, Action<TextWriter>? Prepare);

    private sealed record Sample(int ExitCode, TimeSpan Wall, TimeSpan Cpu, long PeakBytes, string Output, long FolderBytes = 0);

    private static IEnumerable<Case> Cases(string dir)
    {
        var csv2m = Path.Combine(dir, "btc-2m.csv");
        var csv200k = Path.Combine(dir, "btc-200k.csv");
        var store = Path.Combine(dir, "store-10x10y");
        string Config(string name, string data, string quantity, string output = "")
        {
            var path = Path.Combine(dir, name + ".json");
            File.WriteAllText(path, $$"""
                { "data": {{data}},
                  "strategy": { "name": "sma_crossover", "params": { "fast": 10, "slow": 30 } },
                  "trade_manager": { "sizing": "fixed_qty", "quantity": {{quantity}} },
                  "exchange": { "commission": { "model": "zero" } }{{output}} }
                """);
            return path;
        }

        var csvData = (string file) => $$"""{ "provider": "csv", "path": "{{file.Replace("\\", "/", StringComparison.Ordinal)}}", "symbols": ["BTC-USD"], "timeframe": "1m" }""";
        yield return new Case("small", 390, ["backtest", "--symbols", "SYNA", "--from", "2024-01-02", "--to", "2024-01-02"], null);
        yield return new Case("csv-200k", 200_000, ["backtest", "--config", Config("csv-200k", csvData(csv200k), "1")], o => EnsureCsv(o, csv200k, 200_000));
        yield return new Case("csv-2m", CsvBars, ["backtest", "--config", Config("csv-2m", csvData(csv2m), "1")], o => EnsureCsv(o, csv2m, CsvBars));
        yield return new Case(
            "csv-2m-no-report",
            CsvBars,
            ["backtest", "--config", Config("csv-2m-no-report", csvData(csv2m), "1", """, "output": { "report": false }""")],
            o => EnsureCsv(o, csv2m, CsvBars));
        var symbols = string.Join(",", Enumerable.Range(0, 10).Select(i => $"\"SYN{i}\""));
        yield return new Case(
            "store-10x10y",
            StoreBars,
            ["backtest", "--config", Config("store-10x10y", $$"""{ "provider": "store", "path": "{{store.Replace("\\", "/", StringComparison.Ordinal)}}", "symbols": [{{symbols}}], "timeframe": "1m" }""", "100")],
            o => EnsureStore(o, store));
    }

    private static void EnsureCsv(TextWriter output, string path, int bars)
    {
        if (!File.Exists(path))
        {
            output.WriteLine($"generating {bars:N0} bars into {path} …");
            DataThroughput.WriteCsv(path + ".tmp", bars);
            File.Move(path + ".tmp", path);
        }
    }

    private static void EnsureStore(TextWriter output, string path)
    {
        var done = Path.Combine(path, ".complete");
        if (File.Exists(done))
        {
            return;
        }

        output.WriteLine($"generating {StoreBars:N0} bars (10 symbols × 10 years) into the store {path} …");
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        var bars = EngineThroughput.Generate(StoreBars);
        var store = new ParquetBarStore(path);
        foreach (var group in bars.GroupBy(b => b.Symbol))
        {
            store.WriteAsync(group, Timeframe.OneMinute, "synthetic").GetAwaiter().GetResult();
        }

        File.WriteAllText(done, "");
    }

    private static Sample RunOnce(string cli, string[] args, string workingDirectory)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add(cli);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var cpuBefore = ChildrenCpu();
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.WaitForExit(5))
        {
            peak = Math.Max(peak, PeakResident(process.Id));
        }

        sw.Stop();
        var text = stdout.Result + stderr.Result;
        return new Sample(process.ExitCode, sw.Elapsed, ChildrenCpu() - cpuBefore, peak, text);
    }

    /// <summary>VmHWM of a running process (its peak resident set so far), in bytes; 0 when unknown.</summary>
    private static long PeakResident(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }

    /// <summary>User + system CPU time of the children this process has waited for (Linux getrusage).</summary>
    private static TimeSpan ChildrenCpu()
    {
        if (!OperatingSystem.IsLinux() || getrusage(-1, out var usage) != 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromMicroseconds((usage.UserSec + usage.SystemSec) * 1_000_000.0 + usage.UserUsec + usage.SystemUsec);
    }

    private static string? FindCli()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StrategyLab.slnx")))
        {
            dir = dir.Parent;
        }

        return dir is null ? null : Path.Combine(dir.FullName, "src", "StrategyLab.Cli", "bin", "Release", "net10.0", "strategylab.dll");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSec;
        public long UserUsec;
        public long SystemSec;
        public long SystemUsec;
        public long MaxRss;
        public long Ixrss;
        public long Idrss;
        public long Isrss;
        public long Minflt;
        public long Majflt;
        public long Nswap;
        public long Inblock;
        public long Oublock;
        public long Msgsnd;
        public long Msgrcv;
        public long Nsignals;
        public long Nvcsw;
        public long Nivcsw;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);
}
