using NodaTime;

namespace StrategyLab.Cli;

/// <summary>
/// Loads NodaTime's time zone database on a background thread while the main thread reads the command line and the
/// configuration: the run's calendar needs it a few tens of milliseconds later, and building it (reading the embedded
/// tzdb, its alias table, the exchange's zone) is ~7–9 % of a small run's start, on one core while the other waits.
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

    /// <summary>Starts the load when <paramref name="args"/> name a command that will need it; returns whether it did.</summary>
    public static bool Start(string[] args)
    {
        if (args.Length == 0 || Array.IndexOf(CalendarCommands, args[0]) < 0)
        {
            return false;
        }

        var thread = new Thread(Load) { IsBackground = true, Name = "tzdb warm-up" };
        thread.Start();
        return true;
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
    }
}
