using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Strategies;
using StrategyLab.Runner.Live.Broker;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>
/// The journal of one live or replay run: <c>journal.db</c> opened for writing, the state a resumed run starts from,
/// the venue decorator and the strategy-state recorder, and <c>config.json</c> (the configuration echo a resume reads).
/// </summary>
public sealed class RunJournal : IDisposable
{
    /// <summary>The configuration echo's file name in a run folder.</summary>
    public const string ConfigFileName = "config.json";

    private readonly LiveJournal _journal;
    private readonly ILogger _logger;

    private readonly bool _resuming;

    private RunJournal(string folder, LiveJournal journal, JournalState resumed, bool resuming, ILogger logger)
    {
        _resuming = resuming;
        _journal = journal;
        _logger = logger;
        Folder = Path.GetFullPath(folder);
        RunId = Path.GetFileName(Path.TrimEndingDirectorySeparator(Folder));
        Writer = new JournalWriter(journal, resumed, logger);
    }

    /// <summary>The run folder (full path).</summary>
    public string Folder { get; }

    /// <summary>True when the run resumed from this journal (<c>--resume</c>).</summary>
    public bool IsResuming => _resuming;

    /// <summary>The sequence number of the last committed row.</summary>
    public long LastSequence => _journal.LastSequence;

    /// <summary>The journal's rows after <paramref name="afterSequence"/>, in order (read on a connection of their own).</summary>
    public IReadOnlyList<JournalEvent> ReadAfter(long afterSequence = 0)
    {
        using var reader = JournalReader.Open(Folder);
        return reader.ReadAfter(afterSequence);
    }

    /// <summary>
    /// Compares the journal as it stands with what <paramref name="broker"/> reports (open orders, positions, orders
    /// changed since the last journalled event) and journals every difference (<see cref="BrokerReconciler"/>).
    /// </summary>
    public Task<ReconcileReport> ReconcileAsync(IBrokerAccount broker, CancellationToken cancellationToken) =>
        new BrokerReconciler(broker, _journal, _logger).ReconcileAsync(JournalState.Replay(ReadAfter()), cancellationToken);

    /// <summary>The run's id (its folder's name): the stem of its client order ids.</summary>
    public string RunId { get; }

    /// <summary>Appends (and, for a resumed run, skips what the journal already holds).</summary>
    public JournalWriter Writer { get; }

    /// <summary>The venue decorator, once <see cref="Wrap"/> made it.</summary>
    public JournalingVenue? Venue { get; private set; }

    /// <summary>The configuration echo of the run in <paramref name="folder"/>.</summary>
    public static string ConfigPathIn(string folder) => Path.Combine(folder, ConfigFileName);

    /// <summary>
    /// Opens the journal of <paramref name="folder"/>. A fresh run writes <c>config.json</c> first; a resumed one
    /// (<paramref name="resume"/>) replays the journal it finds and logs <c>reconcile.started</c>.
    /// </summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="configuration">The configuration echo.</param>
    /// <param name="resume">Resume the run in the folder.</param>
    /// <param name="time">The clock rows are stamped with.</param>
    /// <param name="logger">Where resume events go.</param>
    /// <param name="fsyncEachCommit">Fsync every commit (live runs); a replay only needs to survive a killed process.</param>
    /// <exception cref="IOException">Another process writes this journal.</exception>
    public static RunJournal Open(string folder, JsonObject configuration, bool resume, TimeProvider time, ILogger logger, bool fsyncEachCommit = true)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(logger);
        Directory.CreateDirectory(folder);
        var journal = LiveJournal.Open(folder, time, fsyncEachCommit); // the writer lock first: a live process on this folder stops a resume here
        try
        {
            var state = JournalState.Empty;
            if (resume)
            {
                state = JournalState.Load(folder);
                logger.LogInformation(
                    ReconcileEvents.Started,
                    "resuming from {Events} journal event(s): {Orders} order(s), {Open} open, last market time {Last:O}",
                    state.LastSequence,
                    state.Orders.Count,
                    state.Orders.Values.Count(o => o.IsOpen),
                    state.LastMarketTimeUtc);
            }
            else
            {
                var path = ConfigPathIn(folder);
                File.WriteAllText(path + ".tmp", configuration.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
                File.Move(path + ".tmp", path, overwrite: true);
            }

            return new RunJournal(folder, journal, state, resume, logger);
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Puts <paramref name="venue"/> (the simulated exchange or a broker) behind the journal; the caller makes the
    /// returned decorator the venue's listener.
    /// </summary>
    public JournalingVenue Wrap(IExecutionVenue venue, Portfolio portfolio)
    {
        ArgumentNullException.ThrowIfNull(venue);
        Venue = new JournalingVenue(venue, Writer, portfolio, RunId, _logger);
        return Venue;
    }

    /// <summary>
    /// Commits one <c>operator</c> row of the run itself (<see cref="Live.OperatorDesk"/>: <c>flatten.applied</c>,
    /// <c>flatten.done</c>). Written as is, never skipped: a resumed run knows from the rows which requests it already
    /// answered and writes only the answers still missing.
    /// </summary>
    public long AppendOperator(string action, JsonObject payload)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentNullException.ThrowIfNull(payload);
        var json = new JsonObject { ["action"] = action };
        foreach (var (key, value) in payload.ToList())
        {
            payload.Remove(key);
            json[key] = value;
        }

        return _journal.Append(new JournalEntry(JournalEventKind.Operator, json.ToJsonString(), null, null, null, null));
    }

    /// <summary>A recorder that journals the strategy's state at each equity mark when it changed.</summary>
    public StrategyStateJournal StateRecorder() => new(Writer);

    /// <summary>Logs <c>reconcile.completed</c> for a resumed run.</summary>
    public void ReportResume()
    {
        if (!_resuming)
        {
            return;
        }

        _logger.LogInformation(
            ReconcileEvents.Completed,
            "{Skipped} re-derived event(s) were already journalled, {Recovered} order(s) recovered, {Mismatches} mismatch(es), {Written} new row(s)",
            Writer.Skipped,
            Writer.Recovered,
            Venue?.Mismatches ?? 0,
            Writer.Written);
    }

    /// <summary>Closes the journal.</summary>
    public void Dispose() => _journal.Dispose();
}

/// <summary>Journals the strategy's saved state (<c>strategy_state</c>) at each equity mark, when it changed.</summary>
public sealed class StrategyStateJournal : IRunRecorder
{
    private readonly JournalWriter _writer;
    private string? _last;

    internal StrategyStateJournal(JournalWriter writer) => _writer = writer;

    /// <summary>The strategy (set once the engine is built).</summary>
    public IStrategy? Strategy { get; set; }

    /// <inheritdoc />
    public void OnEquity(in EquityPoint point)
    {
        if (Strategy is null || StrategyStateFile.ToEnvelope(Strategy, point.TimeUtc) is not { } envelope)
        {
            return;
        }

        var state = envelope["state"]?.ToJsonString() ?? "null";
        if (state == _last)
        {
            return;
        }

        _last = state;
        _writer.Write(JournalEventKind.StrategyState, envelope);
    }
}
