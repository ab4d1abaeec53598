using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Runtime.Placement;

namespace StrategyLab.Cluster;

/// <summary>How a sweep is submitted to a cluster.</summary>
public sealed record ClusterSweepOptions
{
    /// <summary>The cluster's Redis, <c>redis://host:port</c>.</summary>
    public required string Cluster { get; init; }

    /// <summary>Combinations per chunk: the unit handed to a worker, and redone elsewhere when that worker dies.</summary>
    public int ChunkSize { get; init; } = 4;

    /// <summary>
    /// How long one chunk may run before its call is given up and the chunk handed out again (Orleans' response
    /// timeout): longer than the slowest chunk, since a live worker's slow chunk would otherwise run twice.
    /// </summary>
    public TimeSpan ChunkTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a sweep waits with no worker in the cluster before it fails.</summary>
    public TimeSpan WorkerWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the cluster's membership is read (workers joined, workers declared dead).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a worker holding chunks has to answer a probe (a cheap call to it, made every
    /// <see cref="PollInterval"/>): a probe not answered in time, or failed, is missed.
    /// </summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Probes in a row a worker holding chunks may miss before it is taken for dead: dropped for the rest of the sweep
    /// and its chunks handed to the others, without waiting for <see cref="ChunkTimeout"/> or for the cluster's
    /// membership to declare it dead.
    /// </summary>
    public int MissedProbesLimit { get; init; } = 3;

    /// <summary>Failed or lost calls (not a worker's death) a combination may see before the sweep fails.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>
    /// Called on the dispatching thread each time a chunk is handed to a worker, with the worker (<c>host:port</c>)
    /// and the chunk's combination indexes (progress display; tests kill a worker that holds work).
    /// </summary>
    public Action<string, IReadOnlyList<int>>? ChunkStarted { get; init; }

    /// <summary>
    /// Called on the dispatching thread when a worker is dropped from the sweep (its chunks go back into the queue), with
    /// the worker (<c>host:port</c>) and why: it left the cluster, a call to it failed, or it missed its probes.
    /// </summary>
    public Action<string, string>? WorkerLost { get; init; }
}

/// <summary>
/// Submits work to the cluster's workers and streams the results as chunks finish. The client keeps the whole state
/// of a sweep (what is pending, where each chunk runs, what is done), so no worker holds anything that its death
/// could lose: each worker slot is a grain placed on that worker, a chunk of a worker that leaves the cluster
/// (Orleans declares it dead in the membership table, calls to it fail, or it misses
/// <see cref="ClusterSweepOptions.MissedProbesLimit"/> probes in a row) goes back into the queue, and a
/// combination's first result is the only one kept (results are de-duplicated by index), so a chunk that ran twice
/// counts once.
/// </summary>
public sealed class ClusterSweepExecutor : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a sweep may go without a result before it logs what it waits for (and again after as long).</summary>
    private static readonly TimeSpan StallReport = TimeSpan.FromSeconds(30);
    private readonly IHost _host;
    private readonly IClusterClient _client;
    private readonly ClusterSweepOptions _options;
    private readonly ILogger _log;
    private string _state = "no sweep yet";

    private ClusterSweepExecutor(IHost host, ClusterSweepOptions options, ILogger log)
    {
        _host = host;
        _client = host.Services.GetRequiredService<IClusterClient>();
        _options = options;
        _log = log;
    }

    /// <summary>
    /// Combinations handed out again because their worker left the cluster or their call failed (over every sweep of
    /// this executor; a sweep runs on one thread, read it once the sweep has finished).
    /// </summary>
    public int Reassigned { get; private set; }

    /// <summary>Chunks handed out again because their live worker did not hold them (a call or an answer lost on the way).</summary>
    public int ChunksLost { get; private set; }

    /// <summary>
    /// The ledger of the running (or last) sweep, as of the dispatcher's last pass: combinations done, pending and
    /// running; per worker the chunks handed out, answered, not held and failed, and what each slot holds. Readable
    /// from any thread; for a caller that gives up waiting to say why.
    /// </summary>
    public string State => Volatile.Read(ref _state);

    /// <summary>Connects to the cluster (waiting up to <see cref="ClusterSweepOptions.WorkerWait"/> for a first worker).</summary>
    /// <exception cref="FormatException">The cluster address is not <c>redis://host:port</c>.</exception>
    public static async Task<ClusterSweepExecutor> ConnectAsync(ClusterSweepOptions options, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var redis = ClusterAddress.Parse(options.Cluster);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var deadline = Stopwatch.StartNew();
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = redis);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterAddress.ClusterId;
                o.ServiceId = ClusterAddress.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.ChunkTimeout);
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = options.PollInterval);
            client.UseConnectionRetryFilter(async (_, token) =>
            {
                // No worker yet (the sweep was started first): wait for one, up to WorkerWait.
                if (deadline.Elapsed > options.WorkerWait)
                {
                    return false;
                }

                await Task.Delay(options.PollInterval, token).ConfigureAwait(false);
                return true;
            });
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        var log = host.Services.GetService<ILoggerFactory>()?.CreateLogger<ClusterSweepExecutor>() ?? NullLogger<ClusterSweepExecutor>.Instance;
        return new ClusterSweepExecutor(host, options, log);
    }

    /// <summary>
    /// Runs every item on the cluster and yields each result once, as its chunk finishes (in no particular order).
    /// </summary>
    /// <exception cref="InvalidOperationException">No worker for <see cref="ClusterSweepOptions.WorkerWait"/>, or a combination's calls failed <see cref="ClusterSweepOptions.MaxAttempts"/> times.</exception>
    public IAsyncEnumerable<WorkResult> RunAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Select(i => i.Index).Distinct().Count() != items.Count)
        {
            throw new ArgumentException("work items must have distinct indexes.", nameof(items));
        }

        var results = Channel.CreateUnbounded<WorkResult>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var dispatcher = Task.Run(() => DispatchAsync(items, results.Writer, cancellationToken), cancellationToken);
        return ReadAsync(results.Reader, dispatcher, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            // Bounded: calls still pending (a lost one waits for ChunkTimeout) must not hold the caller up.
            using var stopping = new CancellationTokenSource(CallTimeout);
            await _host.StopAsync(stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }

    private static async IAsyncEnumerable<WorkResult> ReadAsync(ChannelReader<WorkResult> reader, Task dispatcher, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var result in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }

        await dispatcher.ConfigureAwait(false); // its failure, if the channel did not carry it
    }

    private async Task DispatchAsync(IReadOnlyList<WorkItem> items, ChannelWriter<WorkResult> output, CancellationToken cancellationToken)
    {
        try
        {
            var sweep = new SweepState(items, Math.Max(1, _options.ChunkSize));
            await DispatchAsync(sweep, output, cancellationToken).ConfigureAwait(false);
            output.TryComplete();
        }
        catch (Exception e)
        {
            output.TryComplete(e);
        }
    }

    private async Task DispatchAsync(SweepState sweep, ChannelWriter<WorkResult> output, CancellationToken cancellationToken)
    {
        var sweepId = Guid.NewGuid().ToString("N");
        TimeSpan? lastPoll = null;
        var noWorkerSince = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        var lastReport = TimeSpan.Zero;
        while (!sweep.Complete)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (lastPoll is null || clock.Elapsed - lastPoll >= _options.PollInterval)
            {
                await RefreshWorkersAsync(sweep, sweepId, cancellationToken).ConfigureAwait(false);
                lastPoll = clock.Elapsed;
            }

            if (sweep.Workers.Count > 0)
            {
                noWorkerSince.Restart();
            }
            else if (noWorkerSince.Elapsed > _options.WorkerWait)
            {
                var why = sweep.JoinProblem is { } problem ? $" (the last worker that tried to join: {problem})" : string.Empty;
                throw new InvalidOperationException(
                    $"no worker in the cluster {_options.Cluster} for {_options.WorkerWait.TotalSeconds:0} s{why}; {sweep.Done.Count} of {sweep.Total} combination(s) done. Start workers with 'strategylab worker --cluster {_options.Cluster}'.");
            }

            Probe(sweep, clock.Elapsed);
            Dispatch(sweep, clock.Elapsed);
            Publish(sweep);
            var delay = Task.Delay(_options.PollInterval, cancellationToken);
            await Task.WhenAny(sweep.Running.Keys.Append(delay)).ConfigureAwait(false);
            var done = sweep.Done.Count;
            foreach (var (call, slot) in sweep.Running.Where(r => r.Key.IsCompleted).ToList())
            {
                if (!sweep.Running.Remove(call))
                {
                    continue; // abandoned with its worker earlier in this pass: its chunk is already back in the queue
                }

                var chunk = slot.Release();
                if (call.IsCompletedSuccessfully)
                {
                    slot.Worker.Answered++;
                    foreach (var result in call.Result)
                    {
                        if (sweep.Done.Add(result.Index))
                        {
                            output.TryWrite(result);
                        }
                    }

                    Reassigned += sweep.Requeue(chunk); // anything the worker did not answer (never expected) is not lost
                    continue;
                }

                // The call failed: the worker is leaving, or a message was lost. Hand the chunk out again, and give
                // that worker a rest so a dying one does not swallow the queue before the cluster declares it dead.
                var error = call.Exception?.GetBaseException();
                _log.LogWarning(new EventId(1, "cluster.chunk_failed"), "a chunk on {Worker} failed ({Error}); it is handed out again", slot.Worker.Name, error?.Message);
                slot.Worker.Failed++;
                slot.Worker.RestUntil = clock.Elapsed + (_options.PollInterval * 3);
                Reassigned += sweep.Requeue(chunk);
                if (error is SiloUnavailableException)
                {
                    Abandon(sweep, slot.Worker, "call failed: " + error.Message);
                }

                if (!IsWorkerLoss(error) && sweep.CountFailure(chunk) > _options.MaxAttempts)
                {
                    throw new InvalidOperationException($"a chunk failed {_options.MaxAttempts} times; the last error: {error?.Message}", error);
                }
            }

            // Never a silent wait: a sweep with no result for a while says what it waits for.
            if (sweep.Done.Count > done)
            {
                lastProgress = clock.Elapsed;
            }
            else if (clock.Elapsed - lastProgress >= StallReport && clock.Elapsed - lastReport >= StallReport)
            {
                lastReport = clock.Elapsed;
                _log.LogWarning(new EventId(8, "cluster.sweep_waiting"), "no result for {Seconds:0} s; {State}", (clock.Elapsed - lastProgress).TotalSeconds, sweep.Describe());
            }
        }

        Publish(sweep);
    }

    /// <summary>Makes the ledger readable from other threads (<see cref="State"/>).</summary>
    private void Publish(SweepState sweep) => Volatile.Write(ref _state, sweep.Describe());

    /// <summary>
    /// Reads the probes that finished and starts the next ones: every worker holding a chunk is asked, once per
    /// <see cref="ClusterSweepOptions.PollInterval"/>, for its name and the chunk calls it holds. A killed or frozen
    /// worker's chunk calls wait for the response timeout (30 minutes by default) and the membership may take long to
    /// declare it dead (the silos must vote, and the management grain may live on the dead one); a probe that times
    /// out at <see cref="ClusterSweepOptions.ProbeTimeout"/> tells within seconds. Chunks run off the grain's turn on
    /// the worker, so a busy live worker still answers.
    /// </summary>
    private void Probe(SweepState sweep, TimeSpan now)
    {
        foreach (var worker in sweep.Workers.Values.ToList())
        {
            if (worker.Probe is { IsCompleted: true } probe)
            {
                worker.Probe = null;
                if (probe.IsCompletedSuccessfully && probe.Result.Worker == worker.Name)
                {
                    worker.MissedProbes = 0;
                    foreach (var slot in sweep.ReadHolding(worker, worker.ProbeSent, probe.Result.Holding ?? [], _options.MissedProbesLimit))
                    {
                        HandOutAgain(sweep, slot);
                    }
                }
                else if (++worker.MissedProbes >= Math.Max(1, _options.MissedProbesLimit))
                {
                    // Another name: the probe grain was placed on another silo, which happens when its own is gone.
                    var error = probe.IsCompletedSuccessfully ? "answered by " + probe.Result.Worker : probe.Exception?.GetBaseException().Message;
                    _log.LogWarning(
                        new EventId(6, "cluster.worker_unresponsive"),
                        "worker {Worker} missed {Missed} probes in a row ({Error}); taken for dead, its chunks are handed to the others",
                        worker.Name,
                        worker.MissedProbes,
                        error);
                    Abandon(sweep, worker, $"missed {worker.MissedProbes} probes");
                    continue;
                }
            }

            var busy = worker.Slots.Any(s => s.Chunk is not null);
            if (worker.Probe is null && busy && (worker.LastProbe is null || now - worker.LastProbe >= _options.PollInterval))
            {
                worker.LastProbe = now;
                worker.ProbeSent = sweep.NextSequence();
                worker.Probe = Call(worker.Silo, worker.Describer, g => g.DescribeAsync()).WaitAsync(_options.ProbeTimeout);
            }
            else if (!busy && worker.Probe is null)
            {
                worker.MissedProbes = 0; // an idle worker is not probed; a call that fails tells of it
            }
        }
    }

    /// <summary>
    /// A live worker that answers its probes but does not list a call sent to it, probe after probe, never got the
    /// call or its answer was lost (seen when another worker died mid-sweep): the chunk goes back into the queue now
    /// rather than at <see cref="ClusterSweepOptions.ChunkTimeout"/>. Only probes sent after the chunk was handed out
    /// count (an earlier one cannot know of it), and <see cref="ClusterSweepOptions.MissedProbesLimit"/> of them in a
    /// row. Should the answer come after all, the call is no longer awaited and the combinations, already requeued,
    /// are counted once by index.
    /// </summary>
    private void HandOutAgain(SweepState sweep, SlotState slot)
    {
        foreach (var call in sweep.Running.Where(r => r.Value == slot).Select(r => r.Key).ToList())
        {
            sweep.Running.Remove(call);
        }

        var missed = slot.MissedHolds;
        var chunk = slot.Release();
        _log.LogWarning(
            new EventId(7, "cluster.chunk_lost"),
            "worker {Worker} has not listed its chunk starting at #{Index} in {Missed} probe answers: the call or its answer was lost; the chunk is handed out again",
            slot.Worker.Name,
            chunk[0].Index,
            missed);
        slot.Worker.NotHeld++;
        slot.NotHeld++;
        Reassigned += sweep.Requeue(chunk);
        ChunksLost++;
        if (sweep.CountFailure(chunk) > _options.MaxAttempts)
        {
            // Lost again and again: something keeps swallowing it; say so rather than hand it out forever.
            throw new InvalidOperationException($"the chunk starting at #{chunk[0].Index} was lost {_options.MaxAttempts} times (its calls never listed by the workers they went to); {sweep.Describe()}");
        }
    }

    private static bool IsWorkerLoss(Exception? error) =>
        error is SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException;

    private void Dispatch(SweepState sweep, TimeSpan now)
    {
        // Fill the idle slots, the worker with the most idle slots first, so the work spreads over the workers.
        while (sweep.Pending.Count > 0)
        {
            // Among equals, the one that lost fewer calls: a chunk handed out again must not go back, time after time,
            // to the one slot that keeps losing it (with the grain queueing calls behind a hung one, that was a livelock).
            var worker = sweep.Workers.Values
                .Where(w => w.RestUntil <= now && w.Slots.Any(s => s.Chunk is null))
                .OrderByDescending(w => w.Slots.Count(s => s.Chunk is null))
                .ThenBy(w => w.NotHeld)
                .FirstOrDefault();
            if (worker is null)
            {
                return;
            }

            var chunk = sweep.NextChunk();
            if (chunk is null)
            {
                return;
            }

            var slot = worker.Slots.Where(s => s.Chunk is null).MinBy(s => s.NotHeld)!;
            var id = Guid.NewGuid();
            slot.Assign(chunk, id, sweep.NextSequence());
            worker.Handed++;
            sweep.Running[Call(worker.Silo, slot.Grain, g => g.RunChunkAsync(chunk, id))] = slot;
            _options.ChunkStarted?.Invoke(worker.Name, Array.ConvertAll(chunk, i => i.Index));
        }
    }

    private async Task RefreshWorkersAsync(SweepState sweep, string sweepId, CancellationToken cancellationToken)
    {
        Dictionary<SiloAddress, SiloStatus> hosts;
        try
        {
            hosts = await _client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The management grain's silo may be the one that just died: the next poll asks again.
            _log.LogDebug(new EventId(2, "cluster.membership_unread"), "membership not read: {Error}", e.Message);
            return;
        }

        foreach (var gone in sweep.Workers.Values.Where(w => !hosts.TryGetValue(w.Silo, out var s) || s != SiloStatus.Active).ToList())
        {
            _log.LogWarning(new EventId(3, "cluster.worker_lost"), "worker {Worker} left the cluster; its chunks are handed to the others", gone.Name);
            Abandon(sweep, gone, "left the cluster");
        }

        foreach (var (silo, status) in hosts)
        {
            if (status != SiloStatus.Active || sweep.Workers.ContainsKey(silo) || sweep.Lost.ContainsKey(silo))
            {
                continue;
            }

            if (await JoinAsync(sweep, sweepId, silo, cancellationToken).ConfigureAwait(false) is { } worker)
            {
                sweep.Workers[silo] = worker;
                _log.LogInformation(new EventId(5, "cluster.worker_joined"), "worker {Worker}: {Slots} slot(s)", worker.Name, worker.Slots.Count);
            }
        }
    }

    /// <summary>
    /// Asks a new silo for its name and slots, and activates one grain per slot there, checking that each answers from
    /// that silo: a placement hint is honoured only by a silo that already sees the hinted one as active, so just after
    /// a silo joined a grain may land elsewhere, and a slot running on another silo than its probe asks would look
    /// lost on every probe. A misplaced grain stays where it is, so each attempt uses fresh grains.
    /// </summary>
    private async Task<WorkerState?> JoinAsync(SweepState sweep, string sweepId, SiloAddress silo, CancellationToken cancellationToken)
    {
        var attempt = sweep.JoinAttempts.GetValueOrDefault(silo);
        sweep.JoinAttempts[silo] = attempt + 1;
        var prefix = $"{sweepId}/{silo.ToParsableString()}/{attempt.ToString(CultureInfo.InvariantCulture)}";
        var expected = silo.Endpoint.ToString();
        try
        {
            var describer = _client.GetGrain<ISweepWorkerGrain>(prefix + "/info");
            var info = await Call(silo, describer, g => g.DescribeAsync()).WaitAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
            var worker = new WorkerState(silo, info.Worker, describer);
            for (var n = 0; n < Math.Max(1, info.Slots); n++)
            {
                worker.Slots.Add(new SlotState(worker, _client.GetGrain<ISweepWorkerGrain>($"{prefix}/{n.ToString(CultureInfo.InvariantCulture)}")));
            }

            var answers = await Task.WhenAll(worker.Slots.Select(s => Call(silo, s.Grain, g => g.DescribeAsync()))).WaitAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
            var misplaced = answers.Prepend(info).Select(a => a.Worker).FirstOrDefault(name => name != expected);
            if (misplaced is not null)
            {
                sweep.JoinProblem = $"a grain meant for worker {expected} answered from {misplaced}";
                _log.LogDebug(new EventId(9, "cluster.worker_misplaced"), "a grain meant for worker {Silo} answered from {Other}; it joins on a later poll", expected, misplaced);
                return null;
            }

            return worker;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            sweep.JoinProblem = $"{expected} did not answer: {e.Message}";
            _log.LogDebug(new EventId(4, "cluster.worker_unanswered"), "worker {Silo} did not answer: {Error}", expected, e.Message);
            return null;
        }
    }

    /// <summary>Forgets a worker for the rest of the sweep and puts its running chunks back in the queue.</summary>
    private void Abandon(SweepState sweep, WorkerState worker, string reason)
    {
        _options.WorkerLost?.Invoke(worker.Name, reason);
        worker.DroppedBecause = reason;
        sweep.Workers.Remove(worker.Silo);
        sweep.Lost[worker.Silo] = worker; // a restarted worker is a new silo address (a new generation), so it can join again
        foreach (var (call, slot) in sweep.Running.Where(r => r.Value.Worker == worker).ToList())
        {
            sweep.Running.Remove(call);
            worker.Failed++;
            Reassigned += sweep.Requeue(slot.Release());
        }
    }

    /// <summary>Calls a grain with a placement hint, so a grain not yet active is placed on <paramref name="silo"/>.</summary>
    private static Task<T> Call<T>(SiloAddress silo, ISweepWorkerGrain grain, Func<ISweepWorkerGrain, Task<T>> call)
    {
        // The request context flows with the call made while it is set; cleared at once so no other call carries it.
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            return call(grain);
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }
}
