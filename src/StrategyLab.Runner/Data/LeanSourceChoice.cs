using System.Globalization;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Lean;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Data;

/// <summary>Which LEAN resolution a run reads, and why (for the summary's data description).</summary>
/// <param name="Resolution">The resolution read.</param>
/// <param name="Why">A short reason, e.g. <c>coarsest that builds 1d bars and covers the range: 5849 of 5849 sessions</c>.</param>
public sealed record LeanSourceChoice(LeanResolution Resolution, string Why)
{
    /// <summary>
    /// Picks the LEAN resolution for <paramref name="run"/>: the one <c>data.source_timeframe</c> names, else the coarsest
    /// resolution whose bars build the run's bars exactly and whose files have every trading session of the range.
    /// </summary>
    /// <remarks>
    /// <para>Exactly means nested in the run's session-aligned windows: minute and second bars build any timeframe that
    /// is a multiple of them; daily and hour files hold the regular session only, so they build <c>1d</c> and only
    /// without extended hours. LEAN hour bars are clock-aligned (the "09:00" bar holds 09:30–10:00, then 10:00–11:00 …)
    /// while the run's 1h grid is session-aligned (09:30–10:30 …), so they build no intraday timeframe; forced for a
    /// <c>1h</c> run they are used as they are (clock-aligned hours), and forced for 2h/4h they are an error (a
    /// 10:00–11:00 bar straddles the 11:30 edge).</para>
    /// <para>When no exact resolution covers the range, the one covering most sessions wins (ties to the coarser) —
    /// unless a resolution that is not exact (clock-aligned hours for 1h; regular-hours daily/hour files for an
    /// extended-hours 1d run) covers more: then the run stops with a <see cref="ConfigException"/> on
    /// <c>data.source_timeframe</c> that names both and the ways out, rather than running on a few days of minutes.</para>
    /// <para>With <c>data.from</c>/<c>data.to</c> open, the range counted is from the earliest to the latest date of
    /// the resolutions considered.</para>
    /// </remarks>
    /// <exception cref="ConfigException">The forced resolution does not exist in LEAN or cannot build the run's bars, or
    /// only an inexact resolution covers the range.</exception>
    public static LeanSourceChoice For(ResolvedRun run, LeanDataFolder folder)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(folder);
        var timeframe = run.Timeframe;
        var extended = run.Config.MarketHours.ExtendedHours;
        if (run.SourceTimeframe is { } given)
        {
            return Forced(given, timeframe, extended);
        }

        LeanResolution[] coarsestFirst = [LeanResolution.Daily, LeanResolution.Hour, LeanResolution.Minute, LeanResolution.Second];
        var exact = coarsestFirst.Where(r => BuildsExactly(r, timeframe, extended)).ToList();
        var inexact = coarsestFirst.Where(r => !exact.Contains(r) && CanBeForced(r, timeframe)).ToList();
        var dates = new Dictionary<LeanResolution, IReadOnlyList<DateOnly>[]>();
        IReadOnlyList<DateOnly>[] DatesOf(LeanResolution r)
        {
            if (!dates.TryGetValue(r, out var list))
            {
                list = [.. run.Symbols.Select(s => folder.GetAvailableDates(s, r))];
                dates[r] = list;
            }

            return list;
        }

        DateOnly from, to;
        if (run.From is { } f && run.To is { } t)
        {
            (from, to) = (f, t);
        }
        else
        {
            // An open end: count from the earliest to the latest date any considered resolution has.
            var known = exact.Concat(inexact).SelectMany(DatesOf).Where(d => d.Count > 0).ToList();
            if (known.Count == 0)
            {
                return new LeanSourceChoice(exact[0], "no LEAN files for the symbols"); // reading reports the missing data
            }

            from = run.From ?? known.Min(d => d[0]);
            to = run.To ?? known.Max(d => d[^1]);
        }

        var sessions = run.Symbols.Select(s => run.CalendarOf(s).GetSessions(from, to).Select(x => x.Date).ToHashSet()).ToList();
        var total = sessions.Sum(x => x.Count);
        int Covered(LeanResolution r) => DatesOf(r).Select((d, i) => d.Count(sessions[i].Contains)).Sum();

        var best = exact[0];
        var bestCovered = -1;
        foreach (var r in exact)
        {
            var covered = Covered(r);
            if (covered == total)
            {
                return new LeanSourceChoice(r, Invariant($"coarsest LEAN resolution that builds {timeframe} bars and covers {from:yyyy-MM-dd}..{to:yyyy-MM-dd}: {covered} of {total} sessions"));
            }

            if (covered > bestCovered)
            {
                (best, bestCovered) = (r, covered);
            }
        }

        foreach (var r in inexact)
        {
            var covered = Covered(r);
            if (covered > bestCovered)
            {
                throw new ConfigException("data.source_timeframe", Invariant(
                    $"for {timeframe} bars over {from:yyyy-MM-dd}..{to:yyyy-MM-dd} ({total} sessions) the LEAN {best.FolderName()} files, the coarsest that build them exactly, cover only {bestCovered} sessions; ") +
                    Invariant($"the {r.FolderName()} files cover {covered} but {WhyInexact(r, extended)}. ") +
                    Invariant($"Set data.source_timeframe (--source-timeframe) to \"{r.ToTimeframe()}\" to run on them anyway, or to \"{best.ToTimeframe()}\" to run on the sessions the {best.FolderName()} files have, or narrow data.from/data.to."));
            }
        }

        return new LeanSourceChoice(best, Invariant($"no LEAN resolution covers {from:yyyy-MM-dd}..{to:yyyy-MM-dd}; the {best.FolderName()} files cover most: {bestCovered} of {total} sessions"));
    }

    /// <summary>True when bars of <paramref name="resolution"/> nest in the run's windows, so combining them is exact.</summary>
    public static bool BuildsExactly(LeanResolution resolution, Timeframe timeframe, bool extendedHours) => resolution switch
    {
        LeanResolution.Second => true,
        LeanResolution.Minute => timeframe.IsMultipleOf(Timeframe.OneMinute),
        LeanResolution.Hour or LeanResolution.Daily => timeframe.IsSessionBased && !extendedHours,
        _ => false,
    };

    private static bool CanBeForced(LeanResolution resolution, Timeframe timeframe) => resolution switch
    {
        LeanResolution.Hour => timeframe == Timeframe.OneHour || timeframe.IsSessionBased,
        LeanResolution.Daily => timeframe.IsSessionBased,
        _ => timeframe.IsMultipleOf(resolution.ToTimeframe()),
    };

    private static string WhyInexact(LeanResolution resolution, bool extendedHours) =>
        resolution == LeanResolution.Hour && !extendedHours
            ? "they are clock-aligned (09:30–10:00, 10:00–11:00, …), not the session-aligned 1h grid (09:30–10:30, …)"
            : "they hold the regular session only, and market_hours.extended_hours is on";

    private static LeanSourceChoice Forced(Timeframe given, Timeframe timeframe, bool extended)
    {
        if (!LeanResolutions.TryFromTimeframe(given, out var r))
        {
            throw new ConfigException("data.source_timeframe", $"LEAN has no {given} files (it has 1s, 1m, 1h and 1d).");
        }

        if (!CanBeForced(r, timeframe))
        {
            throw new ConfigException(
                "data.source_timeframe",
                $"LEAN {r.FolderName()} bars cannot build {timeframe} bars: they are clock-aligned (09:30–10:00, 10:00–11:00, …) and straddle the session-aligned {timeframe} windows; use 1m.");
        }

        var why = "forced by data.source_timeframe";
        if (r == LeanResolution.Hour && timeframe == Timeframe.OneHour)
        {
            why += "; LEAN's clock-aligned hours (09:30–10:00, 10:00–11:00, …), not the session-aligned grid";
        }
        else if (!BuildsExactly(r, timeframe, extended))
        {
            why += "; regular session only";
        }

        return new LeanSourceChoice(r, why);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
