using NodaTime;

namespace StrategyLab.Cli;

/// <summary>
/// Loads NodaTime's time zone database on a background thread while the main thread reads the command line and the
/// configuration: the run's calendar needs it a few tens of milliseconds later, and building it (reading the embedded
/// tzdb, its alias table, the exchange's zone) is ~7–9 % of a small run's start, on one core while the other waits.
/// The same thread then runs what the command hands it (<see cref="Then"/>) once the load is done.
/// </summary>
/// <remarks>
/// The zone is the same object either way (NodaTime's provider caches it; a thread that asks while the load runs waits
/// for it), so nothing a run computes changes; only when the work happens. A command that never asks pays the load on a
/// thread nobody waits for, and a failure here is left for the calendar to report when it asks for real.
/// </remarks>
internal static class TimeZoneWarmUp
{
    /// <summary>The commands that build a market calendar from a run configuration.</summary>
    internal static readonly string[] CalendarCommands = ["backtest", "sweep", "replay", "live"];

    private static readonly Lock Gate = new();
    private static bool _loading;
    private static Action? _next;

    /// <summary>Starts the load when <paramref name="args"/> name a command that will need it; returns whether it did.</summary>
    public static bool Start(string[] args)
    {
        if (args.Length == 0 || Array.IndexOf(CalendarCommands, args[0]) < 0)
        {
            return false;
        }

        lock (Gate)
        {
            _loading = true;
        }

        var thread = new Thread(Load) { IsBackground = true, Name = "tzdb warm-up" };
        thread.Start();
        return true;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the background: after the load on its thread while the load runs (two warm-ups
    /// never compete with the main thread for the second core), else on a thread of its own. Exceptions are the work's
    /// to handle: one that escapes ends the process, as on any thread.
    /// </summary>
    public static void Then(Action work, string name)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (Gate)
        {
            if (_loading)
            {
                _next += work;
                return;
            }
        }

        new Thread(() => work()) { IsBackground = true, Name = name }.Start();
    }

    private static void Load()
    {
        try
        {
            // America/New_York: the NYSE calendar's zone, the default's and most runs'.
            _ = DateTimeZoneProviders.Tzdb.GetZoneOrNull("America/New_York");
        }
        catch (Exception)
        {
            // Nothing to do: the calendar asks again on the main thread and reports what goes wrong there.
        }

        Action? next;
        lock (Gate)
        {
            _loading = false;
            next = _next;
            _next = null;
        }

        next?.Invoke();
    }
}
