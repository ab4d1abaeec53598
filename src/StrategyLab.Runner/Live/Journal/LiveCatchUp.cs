using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Runner.Live.Broker;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>
/// Puts a resumed live run's engine back where the crashed one was, before the feed connects: the journalled warm-up and
/// slices (<c>bars</c> rows) go through the engine again, in journal order, so the strategy, the portfolio, the venue's
/// book and the run folder are rebuilt exactly (the engine is deterministic; the journal writer skips every row it
/// already holds). With a broker, what the broker said (acknowledgements, fills, cancels) is handed back from the journal
/// at the point it was journalled, and nothing is sent; afterwards the broker is asked what happened while the process was
/// down (<see cref="ReconcileBrokerAsync"/>).
/// </summary>
/// <remarks>
/// A journalled venue event is handed back only when the replayed engine did not re-derive it itself: the n-th row of a
/// kind for an order is re-derived when the writer has produced n rows of that kind for it by then. With the simulated
/// exchange every fill is re-derived; a cancel asked at a graceful stop is not (no stop happens during the catch-up), so
/// its <c>intent</c> row makes the catch-up cancel the order again, as the stop did.
/// </remarks>
public sealed class LiveCatchUp
{
    /// <summary>How far back replayed bars are kept, to compare with history when the backfill after the resume covers them.</summary>
    private static readonly TimeSpan RecentSpan = TimeSpan.FromHours(1);

    private readonly RunJournal _journal;
    private readonly EngineAssembly _assembly;
    private readonly ILogger _logger;
    private readonly IResumableVenue? _venue;
    private readonly List<Bar> _recent = [];

    /// <summary>Catches <paramref name="assembly"/> up with <paramref name="journal"/> (opened with resume).</summary>
    public LiveCatchUp(RunJournal journal, EngineAssembly assembly, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(logger);
        _journal = journal;
        _assembly = assembly;
        _logger = logger;
        _venue = assembly.Broker as IResumableVenue;
    }

    /// <summary>Slices replayed.</summary>
    public int Slices { get; private set; }

    /// <summary>Warm-up bars replayed.</summary>
    public int WarmUpBars { get; private set; }

    /// <summary>Broker order events handed back from the journal.</summary>
    public int OrderEvents { get; private set; }

    /// <summary>The end of the last replayed bar (warm-up or slice); null when the journal held none.</summary>
    public DateTime? LastBarEndUtc { get; private set; }

    /// <summary>The bars of the last hour of replayed slices.</summary>
    public IReadOnlyList<Bar> RecentBars => _recent;

    /// <summary>
    /// The whole resume of a live run, before its feed connects: <see cref="Replay"/>, then <see cref="ReconcileBrokerAsync"/>,
    /// then the time since the last journalled bar is handed to <paramref name="runner"/> as a gap to backfill.
    /// </summary>
    public static async Task<LiveCatchUp> ResumeAsync(
        RunJournal journal, EngineAssembly assembly, LiveRunner runner, ILogger logger, DateTime nowUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var catchUp = new LiveCatchUp(journal, assembly, logger);
        catchUp.Replay();
        await catchUp.ReconcileBrokerAsync(nowUtc, cancellationToken).ConfigureAwait(false);
        runner.ResumeAfter(catchUp.RecentBars, catchUp.LastBarEndUtc);
        return catchUp;
    }

    /// <summary>Replays the journal through the engine; logs <c>reconcile.replayed</c>.</summary>
    /// <exception cref="InvalidDataException">A <c>bars</c> row cannot be read.</exception>
    public void Replay()
    {
        var writer = _journal.Writer;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        _venue?.BeginCatchUp();
        foreach (var row in _journal.ReadAfter())
        {
            var key = JournalState.KeyOf(row.Kind, row.ClientOrderId, row.Symbol);
            var index = seen[key] = seen.GetValueOrDefault(key) + 1;
            var rederived = writer.CountSoFar(row.Kind, row.ClientOrderId, row.Symbol) >= index;
            switch (row.Kind)
            {
                case JournalEventKind.Bars:
                    ReplayBars(row);
                    break;
                case JournalEventKind.Intent when !rederived && row.ClientOrderId is { } id && Field(row, "action") == "cancel":
                    if (_assembly.Venue.OpenOrders.FirstOrDefault(o => o.ClientOrderId == id) is { } open)
                    {
                        _assembly.Venue.Cancel(open.Id, TimeOf(row) ?? _assembly.Engine.LastSliceTimeUtc);
                    }

                    break;
                case JournalEventKind.Operator when Field(row, "action") == "flatten.applied":
                    // The operator's flatten, where the run applied it: the same cancels and closes (already journalled) and the halt.
                    _assembly.Engine.Halt(TimeOf(row) ?? _assembly.Engine.LastSliceTimeUtc, OperatorDesk.FlattenTag);
                    break;
                case JournalEventKind.BrokerAck or JournalEventKind.Fill or JournalEventKind.Cancel when !rederived && _venue is not null && row.ClientOrderId is not null:
                    if (ToOrderEvent(row, null) is { } e)
                    {
                        _venue.ApplyJournalled(e);
                        OrderEvents++;
                    }

                    break;
            }
        }

        _logger.LogInformation(
            ReconcileEvents.Replayed,
            "replayed {Slices} journalled slice(s) and {WarmUp} warm-up bar(s) through the engine ({OrderEvents} broker order event(s)); last slice {Last:O}",
            Slices,
            WarmUpBars,
            OrderEvents,
            _assembly.Engine.LastSliceTimeUtc == DateTime.MinValue ? null : _assembly.Engine.LastSliceTimeUtc);
    }

    /// <summary>
    /// With a broker: leaves catch-up (open orders matched with the broker's by client order id; what never reached it is
    /// queued to send), reconciles the journal with the broker (<see cref="RunJournal.ReconcileAsync"/>: fills made while
    /// the process was down adopted, every difference a <c>reconcile.*</c> event, nothing cancelled), and hands what it
    /// adopted to the engine. Null with the simulated exchange (its book was rebuilt by the replay).
    /// </summary>
    public async Task<ReconcileReport?> ReconcileBrokerAsync(DateTime nowUtc, CancellationToken cancellationToken)
    {
        if (_venue is null || _assembly.Broker is not IBrokerAccount account)
        {
            return null;
        }

        await _venue.EndCatchUpAsync(cancellationToken).ConfigureAwait(false);
        var before = _journal.LastSequence;
        var report = await _journal.ReconcileAsync(account, cancellationToken).ConfigureAwait(false);
        foreach (var row in _journal.ReadAfter(before))
        {
            if (row.Kind is not (JournalEventKind.BrokerAck or JournalEventKind.Fill or JournalEventKind.Cancel) || row.ClientOrderId is null)
            {
                continue;
            }

            // The reconciliation wrote the row: the engine's own write of it (and of the position after a fill) is skipped.
            _journal.Writer.Expect(row.Kind, row.ClientOrderId, row.Symbol);
            if (row.Kind == JournalEventKind.Fill)
            {
                _journal.Writer.Expect(JournalEventKind.Position, null, row.Symbol);
            }

            if (ToOrderEvent(row, nowUtc) is { } e)
            {
                _venue.ApplyJournalled(e);
            }
        }

        return report;
    }

    private void ReplayBars(JournalEvent row)
    {
        var (phase, bars) = BarJournal.Read(row);
        if (bars.Length > 0)
        {
            LastBarEndUtc = bars.Max(b => b.End);
        }

        if (phase == BarJournal.WarmUpPhase)
        {
            _assembly.Bars.WarmUp(bars);
            WarmUpBars += bars.Length;
            return;
        }

        _assembly.Bars.Slice(bars); // journalled slices only ever move forward: the live loop hands on nothing older
        Slices++;
        _recent.AddRange(bars);
        var cut = _recent.FindIndex(b => b.End >= bars[0].End - RecentSpan);
        if (cut > 0)
        {
            _recent.RemoveRange(0, cut);
        }
    }

    /// <summary>The order event a journal row records; times after <paramref name="notAfterUtc"/> (a broker's clock) are clamped to it.</summary>
    private JournalledOrderEvent? ToOrderEvent(JournalEvent row, DateTime? notAfterUtc)
    {
        var time = TimeOf(row) ?? _assembly.Engine.LastSliceTimeUtc;
        if (notAfterUtc is { } cap)
        {
            time = time > cap ? cap : time;
            time = time < _assembly.Engine.LastSliceTimeUtc ? _assembly.Engine.LastSliceTimeUtc : time;
        }

        return OrderEventOf(row, time);
    }

    /// <summary>
    /// The order event a journal row records, at <paramref name="timeUtc"/>; null for other rows. A fill names its broker
    /// order when the row does (<c>venueOrderId</c>, <c>venueClientOrderId</c>, <c>venueFilledQty</c>; rows written before
    /// those fields existed do not).
    /// </summary>
    internal static JournalledOrderEvent? OrderEventOf(JournalEvent row, DateTime timeUtc)
    {
        ArgumentNullException.ThrowIfNull(row);
        switch (row.Kind)
        {
            case JournalEventKind.BrokerAck when Field(row, "event") is "accepted" or null:
                return new JournalledOrderEvent(row.ClientOrderId!, "new", 0m, null, null, timeUtc);
            case JournalEventKind.Fill when Number(row, "qty") is { } qty && Number(row, "price") is { } price && Number(row, "filledQty") is { } filled:
                var venue = Field(row, "venueOrderId") is { } venueId && Number(row, "venueFilledQty") is { } venueFilled
                    ? new VenueFill(venueId, Field(row, "venueClientOrderId") ?? row.ClientOrderId!, venueFilled)
                    : null;
                return new JournalledOrderEvent(row.ClientOrderId!, row.OrderStatus ?? "partially_filled", filled, price, qty, timeUtc, venue);
            case JournalEventKind.Cancel:
                return new JournalledOrderEvent(row.ClientOrderId!, row.OrderStatus ?? Field(row, "event") ?? "canceled", 0m, null, null, timeUtc);
            default:
                return null;
        }
    }

    private static string? Field(JournalEvent row, string name)
    {
        using var doc = JsonDocument.Parse(row.PayloadJson);
        return doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    private static decimal? Number(JournalEvent row, string name)
    {
        using var doc = JsonDocument.Parse(row.PayloadJson);
        if (!doc.RootElement.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDecimal(),
            JsonValueKind.String => decimal.Parse(v.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    private static DateTime? TimeOf(JournalEvent row) =>
        Field(row, "timeUtc") is { } text
            ? DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)
            : null;
}
