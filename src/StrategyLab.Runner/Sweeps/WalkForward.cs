using System.Globalization;
using StrategyLab.Core.Statistics;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Sweeps;

/// <summary>
/// Walk-forward windows in trading days (dates with bars): optimise on <see cref="Train"/> days, run the winner on the
/// <see cref="Test"/> days that follow, move on by <see cref="Step"/> days.
/// </summary>
/// <param name="Train">In-sample days per window.</param>
/// <param name="Test">Out-of-sample days per window.</param>
/// <param name="Step">Days between window starts (default: <see cref="Test"/>, so the test windows tile the data).</param>
public sealed record WalkForwardSpec(int Train, int Test, int Step)
{
    /// <summary>Reads <c>train=252d,test=63d[,step=63d]</c> (the <c>d</c> is optional); errors name <paramref name="source"/>.</summary>
    /// <exception cref="ConfigException">Malformed, or a length that is not a positive whole number of days.</exception>
    public static WalkForwardSpec Parse(string text, string source = "--walk-forward")
    {
        ArgumentNullException.ThrowIfNull(text);
        int? train = null, test = null, step = null;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq].Trim();
            var value = eq < 0 ? string.Empty : part[(eq + 1)..].Trim().TrimEnd('d', 'D');
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days < 1)
            {
                throw new ConfigException(source, $"'{part}': expected {key}=<days>d with a positive whole number of trading days, e.g. train=252d,test=63d.");
            }

            switch (key)
            {
                case "train": train = days; break;
                case "test": test = days; break;
                case "step": step = days; break;
                default: throw new ConfigException(source, $"unknown part '{key}' in '{text}'; expected train=…d,test=…d[,step=…d].");
            }
        }

        if (train is null || test is null)
        {
            throw new ConfigException(source, $"'{text}' needs both train= and test=, e.g. train=252d,test=63d.");
        }

        return new WalkForwardSpec(train.Value, test.Value, step ?? test.Value);
    }

    /// <summary>
    /// The windows over <paramref name="dates"/>: full train windows each followed by at least one test day (the last
    /// test window is cut at the end of the data).
    /// </summary>
    /// <exception cref="ConfigException">The data is too short for one window.</exception>
    public IReadOnlyList<(SweepWindow Train, SweepWindow Test)> Windows(IReadOnlyList<DateOnly> dates, string source = "--walk-forward")
    {
        ArgumentNullException.ThrowIfNull(dates);
        var windows = new List<(SweepWindow, SweepWindow)>();
        for (var start = 0; start + Train < dates.Count; start += Step)
        {
            var testEnd = Math.Min(start + Train + Test, dates.Count) - 1;
            windows.Add((new SweepWindow(dates[start], dates[start + Train - 1]), new SweepWindow(dates[start + Train], dates[testEnd])));
        }

        return windows.Count > 0
            ? windows
            : throw new ConfigException(source, string.Create(CultureInfo.InvariantCulture, $"train={Train}d needs at least {Train + 1} trading days, and the data has {dates.Count}."));
    }
}

/// <summary>One walk-forward window: the in-sample winner and how it did out of sample.</summary>
/// <param name="Number">1, 2, … in time order.</param>
/// <param name="Train">The in-sample dates.</param>
/// <param name="Test">The out-of-sample dates.</param>
/// <param name="InSample">The best combination's row on the train window (null when no combination had a value).</param>
/// <param name="OutOfSample">That combination run on the test window.</param>
public sealed record WalkForwardWindow(int Number, SweepWindow Train, SweepWindow Test, SweepRow? InSample, SweepRow? OutOfSample);

/// <summary>A walk-forward: its windows and the out-of-sample equity stitched across them.</summary>
/// <param name="Spec">The window lengths.</param>
/// <param name="Windows">Every window.</param>
/// <param name="StitchedEquity">
/// The out-of-sample daily equity, each test window compounded onto the previous one's end (starting from the
/// initial cash).
/// </param>
/// <param name="StitchedReturn">Total return of the stitched curve.</param>
/// <param name="StitchedSharpe">Annualised Sharpe ratio of the stitched daily returns (rf 0); null with fewer than 2 days or no spread.</param>
public sealed record WalkForwardResult(WalkForwardSpec Spec, IReadOnlyList<WalkForwardWindow> Windows, IReadOnlyList<DailyEquity> StitchedEquity, double StitchedReturn, double? StitchedSharpe)
{
    /// <summary>Chains the test windows' equity curves: each window's returns applied to the stitched curve's last value.</summary>
    public static WalkForwardResult Stitch(WalkForwardSpec spec, IReadOnlyList<WalkForwardWindow> windows, decimal initialCash)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var curve = new List<DailyEquity>();
        var level = initialCash;
        var returns = new List<double>();
        foreach (var w in windows)
        {
            if (w.OutOfSample?.Statistics is not { } s || s.StartEquity == 0)
            {
                continue;
            }

            var scale = level / s.StartEquity;
            var previous = s.StartEquity;
            foreach (var day in w.OutOfSample.DailyEquity)
            {
                curve.Add(day with { Equity = day.Equity * scale });
                if (previous != 0)
                {
                    returns.Add((double)((day.Equity - previous) / previous));
                }

                previous = day.Equity;
            }

            level = curve.Count > 0 ? curve[^1].Equity : level;
        }

        double? sharpe = null;
        if (returns.Count >= 2)
        {
            var mean = returns.Average();
            var sd = Math.Sqrt(returns.Sum(r => (r - mean) * (r - mean)) / (returns.Count - 1));
            sharpe = sd > 0 ? mean / sd * Math.Sqrt(PerformanceStatistics.TradingDaysPerYear) : null;
        }

        return new WalkForwardResult(spec, windows, curve, initialCash == 0 ? 0 : (double)(level / initialCash) - 1, sharpe);
    }
}
