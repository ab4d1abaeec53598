using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Runner.Live.Journal;

namespace StrategyLab.Runner.Live;

/// <summary>
/// Where a live run takes operator requests (<c>strategylab flatten</c> while it runs): the command journals a
/// <c>flatten.requested</c> row instead of acting itself, and this desk, polling the journal every
/// <see cref="PollInterval"/>, hands it to the engine on the run's own thread (<see cref="Poll"/>). The engine cancels its
/// open orders and closes its positions through its venue (<see cref="TradingEngine.Halt"/>), so the fills take the normal
/// path (journal, <c>orders.csv</c>, trades), and trades no more for the rest of the run. Rows: <c>flatten.applied</c>
/// (before the engine acts; a resume replays the halt at that point) and <c>flatten.done</c> once the engine has no open
/// order and no position, with what it cancelled and closed.
/// </summary>
/// <remarks>
/// A late fill of a cancelled order (a broker's cancel races its fills) leaves a position once the closes are done: then
/// another pass closes it (another <c>flatten.applied</c> row), up to <see cref="MaxPasses"/>.
/// </remarks>
public sealed class OperatorDesk : IDisposable
{
    /// <summary>How often the journal is read for new requests.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>The closing orders' tag (their round trips' exit reason) and <c>session.halted_by</c>.</summary>
    public const string FlattenTag = "flatten";

    /// <summary>Passes of one request at most (the first and the ones catching late fills).</summary>
    public const int MaxPasses = 3;

    private readonly RunJournal _journal;
    private readonly EngineAssembly _assembly;
    private readonly ILogger _logger;
    private readonly List<Order> _canceled = [];
    private readonly List<Order> _closing = [];
    private readonly Lock _gate = new(); // the poll reads the journal on a pool thread; the run applies on its own
    private long _seen;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _poller;
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long? _pending;
    private long? _active;
    private int _passes;

    /// <summary>
    /// A desk for the run of <paramref name="journal"/>. Call after a resumed run's catch-up: requests already answered
    /// are known from the journal, one applied but not done is watched until it is, one never applied is applied now.
    /// </summary>
    public OperatorDesk(RunJournal journal, EngineAssembly assembly, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(logger);
        _journal = journal;
        _assembly = assembly;
        _logger = logger;
        if (assembly.Engine.IsHalted)
        {
            HaltedBy = FlattenTag; // the catch-up replayed an applied flatten
        }

        Read();
        _poller = Task.Run(() => PollLoopAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary><c>flatten</c> once an operator halted the run (this process or before a resume); else null.</summary>
    public string? HaltedBy { get; private set; }

    /// <summary>Completes when a request waits to be applied; the caller then calls <see cref="Poll"/>.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _signal.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops polling the journal.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _poller.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // It ended with the cancellation.
        }

        _stop.Dispose();
    }

    /// <summary>Reads the journal every <see cref="PollInterval"/> (real time: the command waits in real time too), on a pool thread.</summary>
    private async Task PollLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    Read();
                }
                catch (SqliteException e)
                {
                    _logger.LogWarning(LiveEvents.FlattenApplied, "cannot read operator requests from the journal: {Message}; trying again", e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>On the run's thread, between cycles: applies a waiting request, and reports one applied request done.</summary>
    /// <param name="nowUtc">The run's clock: the decision time of the cancels and closes.</param>
    public void Poll(DateTime nowUtc)
    {
        lock (_gate)
        {
            PollLocked(nowUtc);
        }
    }

    private void PollLocked(DateTime nowUtc)
    {
        var time = nowUtc > _assembly.Engine.LastSliceTimeUtc ? nowUtc : _assembly.Engine.LastSliceTimeUtc;
        if (_pending is { } request && _active is null)
        {
            _pending = null;
            _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _active = request;
            _passes = 0;
            _canceled.Clear();
            _closing.Clear();
            Pass(request, time);
            return;
        }

        if (_active is not { } active)
        {
            return;
        }

        var flat = _assembly.Portfolio.Positions.All(p => p.Quantity == 0);
        if (_assembly.Venue.OpenOrders.Count > 0)
        {
            return;
        }

        if (flat)
        {
            Done(active);
        }
        else if (_passes < MaxPasses)
        {
            Pass(active, time); // a late fill of a cancelled order left a position
        }
    }

    private void Pass(long request, DateTime time)
    {
        _passes++;
        _journal.AppendOperator("flatten.applied", new JsonObject { ["request"] = request, ["pass"] = _passes, ["timeUtc"] = Time(time) });
        _logger.LogWarning(LiveEvents.FlattenApplied, "flatten request {Request} (pass {Pass}): cancelling every open order and closing every position at {Time:O}", request, _passes, time);
        HaltedBy = FlattenTag;
        var pass = _assembly.Engine.Halt(time, FlattenTag);
        _canceled.AddRange(pass.Canceled);
        _closing.AddRange(pass.Closing);
    }

    private void Done(long request)
    {
        _active = null;
        var canceled = new JsonArray([.. _canceled.Select(o => (JsonNode)Describe(o))]);
        var closed = new JsonArray([.. _closing.Select(o => (JsonNode)Describe(o))]);
        _journal.AppendOperator("flatten.done", new JsonObject { ["request"] = request, ["passes"] = _passes, ["canceled"] = canceled, ["closed"] = closed });
        _logger.LogWarning(LiveEvents.FlattenDone, "flatten request {Request} done: {Canceled} order(s) cancelled, {Closed} position(s) closed; trading stays halted", request, _canceled.Count, _closing.Count);
    }

    private static JsonObject Describe(Order o) => new()
    {
        ["clientOrderId"] = o.ClientOrderId,
        ["symbol"] = o.Symbol.Ticker,
        ["side"] = o.Side == OrderSide.Buy ? "buy" : "sell",
        ["qty"] = o.Quantity,
        ["type"] = o.Type.ToString(),
        ["tag"] = o.Tag,
        ["status"] = o.Status.ToString(),
        ["filledQty"] = o.FilledQuantity,
        ["avgFillPrice"] = o.FilledQuantity > 0 ? o.AverageFillPrice : null,
    };

    /// <summary>Reads the operator rows written since the last read: requests, and what this run (or the one before a resume) answered.</summary>
    private void Read()
    {
        lock (_gate)
        {
            ReadLocked();
            if (_pending is not null && _active is null)
            {
                _signal.TrySetResult(); // wakes the run's loop, which applies it on its own thread
            }
        }
    }

    private void ReadLocked()
    {
        using var reader = JournalReader.Open(_journal.Folder);
        foreach (var row in reader.ReadOperatorAfter(_seen))
        {
            _seen = row.Sequence;
            using var doc = JsonDocument.Parse(row.PayloadJson);
            var action = doc.RootElement.TryGetProperty("action", out var a) ? a.GetString() : null;
            long? about = doc.RootElement.TryGetProperty("request", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt64() : null;
            switch (action)
            {
                case "flatten.requested" when !(doc.RootElement.TryGetProperty("runLive", out var live) && live.ValueKind == JsonValueKind.False):
                    // A request made while no run was live was carried out at the broker by the command itself.
                    _pending = row.Sequence;
                    break;
                case "flatten.applied" when about == _pending:
                    // Applied before a resume: the catch-up replayed it; watch it until it is done.
                    _pending = null;
                    _active = about;
                    _passes = doc.RootElement.TryGetProperty("pass", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 1;
                    break;
                case "flatten.done" or "flatten.abandoned" when about is not null:
                    _pending = _pending == about ? null : _pending;
                    _active = _active == about ? null : _active;
                    break;
            }
        }
    }

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
