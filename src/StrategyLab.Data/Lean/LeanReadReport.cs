namespace StrategyLab.Data.Lean;

/// <summary>What one read of a LEAN folder found besides the data: missing trading days, excluded ticks.</summary>
/// <remarks>Pass one to a read method and look at it after enumerating; counts add up over several reads.</remarks>
public sealed class LeanReadReport
{
    private readonly List<DateOnly> _missingDays = [];

    /// <summary>Trading days (per the calendar) in the requested range with no file or no bars, in order.</summary>
    public IReadOnlyList<DateOnly> MissingDays => _missingDays;

    /// <summary>Zip files opened.</summary>
    public int FilesRead { get; internal set; }

    /// <summary>Ticks flagged suspicious and left out.</summary>
    public long SuspiciousTicksExcluded { get; internal set; }

    /// <summary>
    /// Hour or daily bars on a day the calendar says was closed (kept, with a 09:30–16:00 session), and hour bars wholly
    /// outside the day's regular hours (kept with their nominal hour).
    /// </summary>
    public int BarsOffCalendar { get; internal set; }

    internal void AddMissing(DateOnly day) => _missingDays.Add(day);
}
