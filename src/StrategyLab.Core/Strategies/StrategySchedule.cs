using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Strategies;

/// <summary>
/// Registers callbacks that the engine runs at times of the trading day or every N bars. Reached through
/// <see cref="IStrategyContext.Schedule"/>; register in <see cref="IStrategy.Initialize"/> (registering later throws).
/// </summary>
/// <remarks>
/// <para>The engine is bar-driven: an event never fires between bars. Each time event has one instant per session
/// (computed from the session of the calendar of <c>symbol</c>, by default the run's first symbol) and fires
/// <b>once per session</b>, at the first time slice whose end is at or after that instant and not after the session's
/// close. It runs after the slice's prices were updated and <see cref="IStrategy.OnSessionOpen"/> was called, before
/// any <see cref="IStrategy.OnBar"/> of the slice; <see cref="IStrategyContext.TimeUtc"/> is the slice's end. Events
/// due in the same slice run in registration order.</para>
/// <para>When a session the run saw has no slice between the instant and its close (no bar in that interval, or an
/// instant after an early close), the event does not fire that day and <c>schedule.missed</c> is logged once.
/// Sessions with no data at all are not reported. Events do not fire during a live run's warm-up.</para>
/// <para>Intents from a callback go through the normal order path of that slice; an order decided at the close
/// instant follows <c>exchange.orders_at_close</c>. An exception thrown by a callback stops the run as a
/// <see cref="StrategyException"/> whose callback is the event's name.</para>
/// <para>Extended hours: the session then spans pre-market to after-hours, so <see cref="At"/> may name a pre-market or
/// after-hours time, and <see cref="AtSessionOpen"/>/<see cref="AtSessionClose"/> mean the extended open and close;
/// <see cref="AfterOpen"/> and <see cref="BeforeClose"/> always count from the regular open and close.</para>
/// </remarks>
public interface IStrategySchedule
{
    /// <summary>
    /// Every session, at <paramref name="exchangeTime"/> (wall time in the exchange's time zone). A time before the
    /// session's open fires at the session's first slice; a time after its close is missed that day.
    /// </summary>
    /// <param name="exchangeTime">The time of day, exchange time.</param>
    /// <param name="callback">What to run.</param>
    /// <param name="name">The event's name in logs and errors; by default <c>At(HH:mm)</c>.</param>
    /// <param name="symbol">The symbol whose calendar defines the sessions; by default the run's first symbol.</param>
    void At(TimeOnly exchangeTime, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null);

    /// <summary>Every session, <paramref name="minutes"/> (1 or more) after the regular open.</summary>
    /// <param name="minutes">Minutes after the regular open, at least 1 (the open itself is <see cref="AtSessionOpen"/>).</param>
    /// <param name="callback">What to run.</param>
    /// <param name="name">The event's name; by default <c>AfterOpen(N)</c>.</param>
    /// <param name="symbol">The symbol whose calendar defines the sessions; by default the run's first symbol.</param>
    void AfterOpen(int minutes, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null);

    /// <summary>
    /// Every session, <paramref name="minutes"/> before the regular close — the early close on a short day (13:00 on
    /// NYSE half days). With 1-minute bars, <c>BeforeClose(5)</c> fires in the slice ending 15:55, so a market order
    /// decided then fills on the 15:55–15:56 bar.
    /// </summary>
    /// <param name="minutes">Minutes before the regular close, 0 or more.</param>
    /// <param name="callback">What to run.</param>
    /// <param name="name">The event's name; by default <c>BeforeClose(N)</c>.</param>
    /// <param name="symbol">The symbol whose calendar defines the sessions; by default the run's first symbol.</param>
    void BeforeClose(int minutes, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null);

    /// <summary>Every session, at its first slice (after <see cref="IStrategy.OnSessionOpen"/>, before <see cref="IStrategy.OnBar"/>).</summary>
    /// <param name="callback">What to run.</param>
    /// <param name="name">The event's name; by default <c>AtSessionOpen</c>.</param>
    /// <param name="symbol">The symbol whose calendar defines the sessions; by default the run's first symbol.</param>
    void AtSessionOpen(Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null);

    /// <summary>
    /// Every session, at the slice that ends at its close (missed when no bar ends there). Orders decided then follow
    /// <c>exchange.orders_at_close</c>.
    /// </summary>
    /// <param name="callback">What to run.</param>
    /// <param name="name">The event's name; by default <c>AtSessionClose</c>.</param>
    /// <param name="symbol">The symbol whose calendar defines the sessions; by default the run's first symbol.</param>
    void AtSessionClose(Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null);

    /// <summary>
    /// Every <paramref name="bars"/>-th bar of <paramref name="symbol"/> in the run (the N-th, 2N-th…; warm-up bars do
    /// not count), in that bar's slice before its <see cref="IStrategy.OnBar"/>. Not reset at session boundaries.
    /// </summary>
    /// <param name="bars">How many bars between two calls, at least 1.</param>
    /// <param name="callback">What to run.</param>
    /// <param name="name">The event's name; by default <c>EveryBars(N)</c>.</param>
    /// <param name="symbol">The symbol whose bars are counted; by default the run's first symbol.</param>
    void EveryBars(int bars, Action<IStrategyContext> callback, string? name = null, Symbol? symbol = null);
}
