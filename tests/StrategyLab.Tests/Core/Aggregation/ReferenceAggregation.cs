using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Tests.Core.Aggregation;

/// <summary>
/// A slow, obviously-correct model of trade aggregation written independently of the code under test: windows come
/// straight from the session boundaries, every rule is a plain loop over the tape.
/// </summary>
internal static class ReferenceAggregation
{
    /// <summary>The segments [start, end) of a session in use: regular only, or pre/regular/after.</summary>
    public static IEnumerable<(DateTime Start, DateTime End)> Segments(TradingSession s, bool extended)
    {
        if (extended)
        {
            if (s.PreMarketOpen < s.RegularOpen)
            {
                yield return (s.PreMarketOpen, s.RegularOpen);
            }

            yield return (s.RegularOpen, s.RegularClose);
            if (s.RegularClose < s.AfterHoursClose)
            {
                yield return (s.RegularClose, s.AfterHoursClose);
            }
        }
        else
        {
            yield return (s.RegularOpen, s.RegularClose);
        }
    }

    /// <summary>The window of an instant, or null outside the hours in use.</summary>
    public static BarWindow? Window(IMarketCalendar calendar, DateTime t, Timeframe tf, bool extended)
    {
        var date = DateOnly.FromDateTime(calendar.ToExchangeTime(t));
        var session = calendar.GetSession(date);
        if (session is null)
        {
            return null;
        }

        if (tf.IsDaily)
        {
            var open = extended ? session.PreMarketOpen : session.RegularOpen;
            var close = extended ? session.AfterHoursClose : session.RegularClose;
            return t >= open && t < close ? new BarWindow(open, close) : null;
        }

        foreach (var (a, b) in Segments(session, extended))
        {
            if (t >= a && t < b)
            {
                var start = a;
                while (start + tf.Duration <= t)
                {
                    start += tf.Duration;
                }

                var end = start + tf.Duration;
                return new BarWindow(start, end < b ? end : b);
            }
        }

        return null;
    }

    /// <summary>Every window of the sessions between two dates, in time order.</summary>
    public static List<BarWindow> AllWindows(IMarketCalendar calendar, DateOnly from, DateOnly to, Timeframe tf, bool extended)
    {
        var list = new List<BarWindow>();
        foreach (var s in calendar.GetSessions(from, to))
        {
            if (tf.IsDaily)
            {
                list.Add(extended ? new BarWindow(s.PreMarketOpen, s.AfterHoursClose) : new BarWindow(s.RegularOpen, s.RegularClose));
                continue;
            }

            foreach (var (a, b) in Segments(s, extended))
            {
                for (var start = a; start < b; start += tf.Duration)
                {
                    var end = start + tf.Duration;
                    list.Add(new BarWindow(start, end < b ? end : b));
                }
            }
        }

        return list;
    }

    /// <summary>
    /// Runs a tape (each trade with the clock at its arrival) through the rules: outside hours, late (window end + grace
    /// at or before the clock), size 0, duplicate id among accepted trades whose window is still open, else accepted.
    /// Returns the outcomes and the bars (sorted by end, then symbol) that the accepted trades make.
    /// </summary>
    public static (List<TradeOutcome> Outcomes, List<Bar> Bars) Run(
        IMarketCalendar calendar, IReadOnlyList<(DateTime Clock, TradePrint Trade)> tape, Timeframe tf, TimeSpan grace, bool extended)
    {
        var outcomes = new List<TradeOutcome>();
        var accepted = new List<(int Arrival, TradePrint Trade, BarWindow Window)>();
        for (var i = 0; i < tape.Count; i++)
        {
            var (clock, trade) = tape[i];
            var w = Window(calendar, trade.Time, tf, extended);
            TradeOutcome outcome;
            if (w is null)
            {
                outcome = TradeOutcome.OutsideHours;
            }
            else if (w.Value.End + grace <= clock)
            {
                outcome = TradeOutcome.Late;
            }
            else if (trade.Size == 0)
            {
                outcome = TradeOutcome.ZeroSize;
            }
            else if (trade.Id is not null && accepted.Exists(a =>
                         a.Trade.Symbol == trade.Symbol && a.Trade.Id == trade.Id && a.Window.End + grace > clock))
            {
                outcome = TradeOutcome.Duplicate;
            }
            else
            {
                outcome = TradeOutcome.Accepted;
                accepted.Add((i, trade, w.Value));
            }

            outcomes.Add(outcome);
        }

        var bars = accepted
            .GroupBy(a => (a.Trade.Symbol, a.Window))
            .Select(g =>
            {
                var first = g.OrderBy(a => a.Trade.Time).ThenBy(a => a.Arrival).First().Trade;
                var last = g.OrderByDescending(a => a.Trade.Time).ThenByDescending(a => a.Arrival).First().Trade;
                var volume = g.Sum(a => a.Trade.Size);
                var notional = g.Sum(a => a.Trade.Price * a.Trade.Size);
                return new Bar(
                    g.Key.Symbol, g.Key.Window.Start, g.Key.Window.End, first.Price, g.Max(a => a.Trade.Price),
                    g.Min(a => a.Trade.Price), last.Price, volume, g.Count(), notional / volume);
            })
            .OrderBy(b => b.End).ThenBy(b => b.Symbol)
            .ToList();
        return (outcomes, bars);
    }
}
