using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cluster;

/// <summary>A free TCP port on 127.0.0.1 (taken from the OS, then released for the process that binds it).</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A child process whose output lines are kept, and that is killed (with its children) on dispose.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyText;

    private ChildProcess(Process process, string readyText)
    {
        _process = process;
        _readyText = readyText;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line it wrote so far, stdout and stderr, for failure messages.</summary>
    public string Output => string.Join('\n', _lines);

    public static ChildProcess Start(string fileName, IEnumerable<string> args, string readyText, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(process, readyText);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child._ready.TrySetException(new InvalidOperationException($"{fileName} exited before it was ready:\n{child.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits (generously: a loaded machine starts a silo slowly) until the ready line was written.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        try
        {
            await _ready.Task.WaitAsync(timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no '{_readyText}' within {timeout.TotalSeconds:0} s:\n{Output}");
        }
    }

    /// <summary>SIGKILL: the process gets no chance to leave the cluster.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public void Dispose()
    {
        try
        {
            Kill();
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        if (line.Contains(_readyText, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}

/// <summary>The cluster of a test: a private Redis and worker processes, all on 127.0.0.1.</summary>
internal sealed class TestCluster : IDisposable
{
    private const string RedisServer = "/usr/bin/redis-server";
    private readonly List<ChildProcess> _processes = [];

    private TestCluster(ChildProcess redis, int port)
    {
        _processes.Add(redis);
        Address = $"redis://127.0.0.1:{port}";
    }

    /// <summary>The cluster address, <c>redis://127.0.0.1:port</c>.</summary>
    public string Address { get; }

    /// <summary>Starts a Redis with nothing persisted; skips the test when there is no redis-server to start.</summary>
    public static async Task<TestCluster> StartAsync()
    {
        if (!File.Exists(RedisServer))
        {
            Assert.Skip($"{RedisServer} is not installed (Debian package redis-server; .ci/run installs it): the cluster test needs a Redis.");
        }

        var port = FreePort.Next();
        var redis = ChildProcess.Start(RedisServer, ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], "Ready to accept connections");
        var cluster = new TestCluster(redis, port);
        try
        {
            await redis.WaitReadyAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            cluster.Dispose();
            Assert.Skip($"redis-server could not start on 127.0.0.1:{port}: {e.Message}");
        }

        return cluster;
    }

    /// <summary>Starts <c>strategylab worker</c> as a process, as a user would; returns once it is in the cluster.</summary>
    public async Task<(ChildProcess Process, string Endpoint)> StartWorkerAsync(int slots = 2, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort.Next();
        var gateway = FreePort.Next();
        var worker = ChildProcess.Start("dotnet", [
            CliRunner.CliDllPath, "worker", "--cluster", Address, "--address", "127.0.0.1",
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--slots", slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ], "worker ready", environment);
        _processes.Add(worker);
        await worker.WaitReadyAsync(TimeSpan.FromSeconds(120));
        return (worker, $"127.0.0.1:{port}");
    }

    /// <summary>What each worker wrote (its warnings, its errors), for failure messages.</summary>
    public string WorkerOutput => string.Join('\n', _processes.Skip(1).Select((p, n) => $"worker {n + 1}:\n{p.Output}"));

    public void Dispose()
    {
        // Workers first, then their Redis.
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            _processes[i].Dispose();
        }
    }
}
