using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using StrategyLab.Cluster;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab worker --cluster redis://host:6379 [--data /shared/store]</c>: an Orleans silo that runs the
/// backtests of sweeps submitted to the cluster, until Ctrl+C or SIGTERM (it then leaves the cluster cleanly).
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var cluster = new Option<string>("--cluster")
        {
            Description = "The cluster's Redis (membership): redis://host:port. Every worker and every sweep of one cluster names the same.",
            Required = true,
            HelpName = "redis://host:port",
        };
        cluster.Validators.Add(r =>
        {
            try
            {
                ClusterAddress.Parse(r.GetValueOrDefault<string>());
            }
            catch (FormatException e)
            {
                r.AddError(e.Message);
            }
        });
        var data = new Option<string?>("--data")
        {
            Description = "The shared data as this machine sees it: replaces data.path of every run (default: the run's own data.path).",
            HelpName = "path",
        };
        var address = new Option<string?>("--address")
        {
            Description = "The address other machines reach this worker at, and the only one it listens on (default: the first non-loopback address).",
            HelpName = "ip",
        };
        address.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !IPAddress.TryParse(text, out _))
            {
                r.AddError($"--address: '{text}' is not an IP address.");
            }
        });
        var port = new Option<int>("--port") { Description = "The silo-to-silo port.", DefaultValueFactory = _ => 11111 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "The port sweeps connect to.", DefaultValueFactory = _ => 30000 };
        var slots = new Option<int>("--slots") { Description = "Backtests run at the same time (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var verbose = new Option<bool>("--verbose") { Description = "Log Orleans' informational messages too." };
        var command = new Command("worker", "Join a sweep cluster as a worker: run the backtests that 'strategylab sweep --cluster' hands out, until Ctrl+C.")
        {
            cluster, data, address, port, gatewayPort, slots, verbose,
        };
        command.SetAction(async (parse, token) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            var options = new WorkerOptions
            {
                Cluster = parse.GetValue(cluster)!,
                DataPath = parse.GetValue(data) is { } path ? Path.GetFullPath(path) : null,
                Address = parse.GetValue(address) is { } ip ? IPAddress.Parse(ip) : null,
                SiloPort = parse.GetValue(port),
                GatewayPort = parse.GetValue(gatewayPort),
                Slots = Math.Max(1, parse.GetValue(slots)),
            };
            var minimum = parse.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning;
            using var signals = ShutdownSignals.For(token, stderr);
            using var loggers = CliLogging.Create(stderr, minimum);
            await WorkerHost.RunAsync(options, parse.InvocationConfiguration.Output, signals.Token, logging => logging.AddProvider(new SharedLoggerProvider(loggers)).SetMinimumLevel(minimum))
                .ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
