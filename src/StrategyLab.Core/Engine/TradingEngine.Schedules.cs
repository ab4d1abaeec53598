using System.Globalization;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Core.Engine;

// Scheduled callbacks (IStrategyContext.Schedule): registered in Initialize, run by ProcessSlice between the price
// update and the strategy's OnBar calls. See IStrategySchedule for the firing rules.
public sealed partial class TradingEngine
{
    private readonly List<ScheduledEvent> _registering = [];
    private ScheduledEvent[]? _scheduled; // null when none is registered: the per-slice cost is this null test
    private bool _initializing;
    private ScheduleRegistry? _schedule;

    private enum ScheduleKind
    {
        At,
        AfterOpen,
        BeforeClose,
        SessionOpen,
        SessionClose,
        EveryBars,
    }

    private IStrategySchedule Schedule => _schedule ??= new ScheduleRegistry(this);

    /// <summary>Freezes the events registered during Initialize into the array the slices walk.</summary>
    private void SealSchedule()
    {
        _initializing = false;
        _scheduled = _registering.Count > 0 ? [.. _registering] : null;
    }

    /// <summary>Runs the events due in the slice ending at <paramref name="now"/> (called only when some are registered).</summary>
    private void RunScheduled(ScheduledEvent[] events, DateTime now)
    {
        foreach (var ev in events)
        {
            if (ev.Kind == ScheduleKind.EveryBars)
            {
                var state = ev.State;
                if (state.HistoryCount > 0 && state.Last.End == now && ++ev.Count % ev.Bars == 0)
                {
                    Fire(ev);
                }

                continue;
            }

            if ((now <= ev.SessionOpen || now > ev.SessionClose) && !EnterSession(ev, now))
            {
                continue;
            }

            if (!ev.Fired && now >= ev.Due)
            {
                ev.Fired = true;
                Fire(ev);
            }
        }
    }

    /// <summary>Moves a time event to the session the slice ending at <paramref name="now"/> belongs to; false when none.</summary>
    private bool EnterSession(ScheduledEvent ev, DateTime now)
    {
        if (now <= ev.NoSessionUntil)
        {
            return false;
        }

        ReportMissed(ev);
        var ext = _options.ExtendedHours;
        var calendar = ev.State.Calendar;
        var session = calendar.SessionAt(now.AddTicks(-1), ext); // a slice ending at the close belongs to that session
        if (session is null)
        {
            ev.NoSessionUntil = calendar.NextOpen(now, ext);
            ev.SessionOpen = DateTime.MaxValue;
            ev.SessionClose = DateTime.MinValue;
            return false;
        }

        ev.Session = session;
        ev.SessionOpen = session.Open(ext);
        ev.SessionClose = session.Close(ext);
        ev.Fired = false;
        ev.Due = ev.Kind switch
        {
            ScheduleKind.At => calendar.ToUtc(session.Date.ToDateTime(ev.Time)),
            ScheduleKind.AfterOpen => session.RegularOpen + ev.Offset,
            ScheduleKind.BeforeClose => session.RegularClose - ev.Offset,
            ScheduleKind.SessionOpen => ev.SessionOpen,
            _ => ev.SessionClose,
        };
        return true;
    }

    /// <summary>Logs <c>schedule.missed</c> when the event's current session ended (or the run ended) without firing it.</summary>
    private void ReportMissed(ScheduledEvent ev)
    {
        if (ev.Session is not { } session)
        {
            return;
        }

        ev.Session = null;
        if (ev.Fired || !_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var calendar = ev.State.Calendar;
        var due = calendar.ToExchangeTime(ev.Due).ToString("HH:mm", CultureInfo.InvariantCulture);
        var close = calendar.ToExchangeTime(ev.SessionClose).ToString("HH:mm", CultureInfo.InvariantCulture);
        _logger.LogWarning(
            EngineEvents.ScheduleMissed,
            "{Event} did not fire on {Date}: {Why}",
            ev.Name,
            session.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ev.Due > ev.SessionClose
                ? $"due at {due}, after the session's close at {close}"
                : $"no bar of the run ended between {due} and the close at {close}");
    }

    /// <summary>At the end of a run: a due event of a session that has closed by <paramref name="endUtc"/> was missed.</summary>
    private void FinishScheduled(DateTime endUtc)
    {
        if (_scheduled is null)
        {
            return;
        }

        foreach (var ev in _scheduled)
        {
            if (ev.Session is not null && ev.SessionClose <= endUtc)
            {
                ReportMissed(ev);
            }
        }
    }

    private void Fire(ScheduledEvent ev)
    {
        try
        {
            ev.Callback(_context);
        }
        catch (Exception e) when (e is not StrategyException)
        {
            throw StrategyFailed(ev.Name, e);
        }
    }

    private sealed class ScheduledEvent(ScheduleKind kind, string name, Action<IStrategyContext> callback, SymbolState state)
    {
        public ScheduleKind Kind { get; } = kind;

        public string Name { get; } = name;

        public Action<IStrategyContext> Callback { get; } = callback;

        /// <summary>The symbol whose calendar (time events) or bars (<see cref="ScheduleKind.EveryBars"/>) the event follows.</summary>
        public SymbolState State { get; } = state;

        public TimeOnly Time { get; init; }

        public TimeSpan Offset { get; init; }

        public int Bars { get; init; } = 1;

        /// <summary>Bars of <see cref="State"/> counted so far (<see cref="ScheduleKind.EveryBars"/>).</summary>
        public long Count { get; set; }

        /// <summary>The session the event is armed for; null between sessions and once its miss was reported.</summary>
        public TradingSession? Session { get; set; }

        public DateTime SessionOpen { get; set; } = DateTime.MaxValue;

        public DateTime SessionClose { get; set; } = DateTime.MinValue;

        /// <summary>No session of the calendar before this instant (set when a slice fell outside every session).</summary>
        public DateTime NoSessionUntil { get; set; } = DateTime.MinValue;

        public DateTime Due { get; set; }

        public bool Fired { get; set; }
    }

    private sealed class ScheduleRegistry(TradingEngine engine) : IStrategySchedule
    {
        public void At(TimeOnly exchangeTime, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null) =>
            Add(new ScheduledEvent(ScheduleKind.At, name ?? $"At({exchangeTime.ToString("HH:mm", CultureInfo.InvariantCulture)})", Checked(callback), StateOf(symbol))
            {
                Time = exchangeTime,
            });

        public void AfterOpen(int minutes, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(minutes, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minutes, 24 * 60);
            Add(new ScheduledEvent(ScheduleKind.AfterOpen, name ?? Invariant($"AfterOpen({minutes})"), Checked(callback), StateOf(symbol))
            {
                Offset = TimeSpan.FromMinutes(minutes),
            });
        }

        public void BeforeClose(int minutes, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(minutes);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minutes, 24 * 60);
            Add(new ScheduledEvent(ScheduleKind.BeforeClose, name ?? Invariant($"BeforeClose({minutes})"), Checked(callback), StateOf(symbol))
            {
                Offset = TimeSpan.FromMinutes(minutes),
            });
        }

        public void AtSessionOpen(Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null) =>
            Add(new ScheduledEvent(ScheduleKind.SessionOpen, name ?? "AtSessionOpen", Checked(callback), StateOf(symbol)));

        public void AtSessionClose(Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null) =>
            Add(new ScheduledEvent(ScheduleKind.SessionClose, name ?? "AtSessionClose", Checked(callback), StateOf(symbol)));

        public void EveryBars(int bars, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(bars, 1);
            Add(new ScheduledEvent(ScheduleKind.EveryBars, name ?? Invariant($"EveryBars({bars})"), Checked(callback), StateOf(symbol))
            {
                Bars = bars,
            });
        }

        private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

        private static Action<IStrategyContext> Checked(Action<IStrategyContext> callback)
        {
            ArgumentNullException.ThrowIfNull(callback);
            return callback;
        }

        private SymbolState StateOf(Symbol? symbol) =>
            engine._states.Get(symbol ?? engine._symbols[0])
            ?? throw new ArgumentException($"{symbol} is not part of this run.", nameof(symbol));

        private void Add(ScheduledEvent ev)
        {
            if (!engine._initializing)
            {
                throw new InvalidOperationException(
                    $"Scheduled event '{ev.Name}' registered outside Initialize: register scheduled callbacks in IStrategy.Initialize.");
            }

            engine._registering.Add(ev);
        }
    }
}
