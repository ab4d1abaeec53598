using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace StrategyLab.Cluster;

/// <summary>How a worker silo starts (<c>strategylab worker</c>).</summary>
public sealed record WorkerOptions
{
    /// <summary>The cluster's Redis, <c>redis://host:port</c>.</summary>
    public required string Cluster { get; init; }

    /// <summary>The data as this worker sees it (replaces each run's <c>data.path</c>); null keeps the run's own.</summary>
    public string? DataPath { get; init; }

    /// <summary>
    /// The address other silos and clients reach this worker at, and the only one it listens on; null takes the
    /// machine's first non-loopback address (Orleans' default).
    /// </summary>
    public IPAddress? Address { get; init; }

    /// <summary>The silo-to-silo port.</summary>
    public int SiloPort { get; init; } = EndpointOptions.DEFAULT_SILO_PORT;

    /// <summary>The port clients (sweeps) connect to.</summary>
    public int GatewayPort { get; init; } = EndpointOptions.DEFAULT_GATEWAY_PORT;

    /// <summary>Chunks run at the same time: one per core by default.</summary>
    public int Slots { get; init; } = Environment.ProcessorCount;
}

/// <summary>A worker: an Orleans silo that hosts <see cref="SweepWorkerGrain"/>s, a member of the Redis-listed cluster.</summary>
public static class WorkerHost
{
    /// <summary>
    /// Builds the silo's host. <paramref name="handler"/> is what each combination runs: by default a
    /// <see cref="SweepWorkHandler"/> over <see cref="WorkerOptions.DataPath"/>.
    /// </summary>
    /// <exception cref="FormatException"><see cref="WorkerOptions.Cluster"/> is not a <c>redis://</c> address.</exception>
    public static IHost Build(WorkerOptions options, Action<ILoggingBuilder>? logging = null, IWorkHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var redis = ClusterAddress.Parse(options.Cluster);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.UseOrleans(silo =>
        {
            silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterAddress.ClusterId;
                o.ServiceId = ClusterAddress.ServiceId;
            });
            if (options.Address is { } address)
            {
                // Listens on that address only (a test's workers: 127.0.0.1).
                silo.ConfigureEndpoints(address, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
            }
            else
            {
                silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort);
            }

            silo.Configure<ClusterMembershipOptions>(o =>
            {
                // A killed worker is declared dead after a few missed probes (its chunks then go to another worker);
                // not fewer, so a worker busy on every core is not mistaken for a dead one.
                o.ProbeTimeout = TimeSpan.FromSeconds(3);
                o.NumMissedProbesLimit = 3;
            });
        });
        builder.Services.AddSingleton(handler ?? new SweepWorkHandler(options.DataPath));
        builder.Services.AddSingleton<ChunkLedger>();
        builder.Services.AddSingleton(sp =>
        {
            var silo = sp.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint;
            return new WorkerIdentity(silo.ToString(), Math.Max(1, options.Slots));
        });
        return builder.Build();
    }

    /// <summary>Starts a worker, says so on <paramref name="output"/>, and runs until <paramref name="stop"/>.</summary>
    public static async Task RunAsync(WorkerOptions options, TextWriter output, CancellationToken stop, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var host = Build(options, logging);
        await host.StartAsync(stop).ConfigureAwait(false);
        var identity = host.Services.GetRequiredService<WorkerIdentity>();
        var gateway = host.Services.GetRequiredService<ILocalSiloDetails>().GatewayAddress?.Endpoint;
        await output.WriteLineAsync(
            $"worker ready: silo {identity.Name}, gateway {gateway}, {identity.Slots} slot(s), cluster {options.Cluster}"
            + (options.DataPath is null ? string.Empty : $", data {options.DataPath}")).ConfigureAwait(false);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C / SIGTERM: leave the cluster cleanly, so no one waits for this worker's probes to fail.
        }

        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
