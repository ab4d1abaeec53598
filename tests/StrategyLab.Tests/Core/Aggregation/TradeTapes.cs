using System.Globalization;
using CsCheck;
using StrategyLab.Core.Domain;

namespace StrategyLab.Tests.Core.Aggregation;

/// <summary>One step of a random tape: the clock moves, then one print arrives.</summary>
internal readonly record struct TapeStep(int Symbol, int ClockKind, int ClockMillis, int LagPermille, int Price, int Size, int IdKind, int Pick);

/// <summary>
/// A random trade tape around interesting moments of <see cref="Support.TestExchangeCalendar.Default"/> (pre-market open,
/// early close, end of after-hours, a weekend, a DST weekend) for one to three symbols. Prints arrive with a lag behind
/// the clock (out of order), some have size 0, some ids repeat and some prints are resent verbatim later.
/// </summary>
internal sealed record TradeTape(int Anchor, int StartSeconds, bool CryptoUnits, TapeStep[] Steps)
{
    private static readonly DateTime[] Anchors =
    [
        new(2015, 12, 23, 8, 55, 0, DateTimeKind.Utc), // 03:55 EST, pre-market opens at 04:00
        new(2015, 12, 24, 17, 50, 0, DateTimeKind.Utc), // 12:50 EST, early close at 13:00
        new(2015, 12, 24, 21, 50, 0, DateTimeKind.Utc), // 16:50 EST, after-hours ends at 17:00, then a holiday
        new(2013, 10, 7, 13, 25, 0, DateTimeKind.Utc), // 09:25 EDT, regular open at 09:30
        new(2013, 10, 7, 19, 50, 0, DateTimeKind.Utc), // 15:50 EDT, close at 16:00
        new(2013, 10, 4, 23, 40, 0, DateTimeKind.Utc), // Friday 19:40 EDT, then the weekend
        new(2024, 3, 8, 20, 50, 0, DateTimeKind.Utc), // Friday 15:50 EST, DST starts on Sunday
    ];

    private const long FiveSeconds = 5 * TimeSpan.TicksPerSecond;

    public static readonly Symbol[] Symbols = [Symbol.Equity("AAA"), Symbol.Equity("BBB"), Symbol.Equity("CCC")];

    public static Gen<TapeStep> StepGen { get; } =
        Gen.Select(
            Gen.Int[0, 2],
            Gen.FrequencyConst((50, 0), (20, 1), (5, 2), (15, 3), (10, 4)),
            Gen.Int[0, 1_000_000],
            Gen.Int[0, 999],
            Gen.Int[1, 3000],
            Gen.FrequencyConst((10, 0), (80, 1), (10, 2)),
            Gen.Int[0, 9],
            Gen.Int[0, 1000])
        .Select(t => new TapeStep(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7, t.Item8));

    public static Gen<TradeTape> Generator { get; } =
        Gen.Select(
            Gen.Int[0, Anchors.Length - 1],
            Gen.Int[0, 1800],
            Gen.Bool,
            StepGen.Array[1, 250],
            (a, s, c, steps) => new TradeTape(a, s, c, steps));

    /// <summary>
    /// The tape as (clock at arrival, print). Lags are below <paramref name="maxLag"/> (use the grace for a tape with no
    /// late prints, a multiple of it for some). With <paramref name="uniqueIds"/> every new print has its own id (or
    /// none) and only prints with an id are resent, so a print's copies are always recognisable; otherwise ids come from
    /// a pool of five, so different trades collide, and prints without an id are resent too. Resends (about one step in
    /// ten) repeat an earlier print exactly, including its time.
    /// </summary>
    public List<(DateTime Clock, TradePrint Trade)> Materialize(TimeSpan maxLag, bool uniqueIds)
    {
        var clock = Anchors[Anchor].AddSeconds(StartSeconds);
        var tape = new List<(DateTime, TradePrint)>(Steps.Length);
        var fresh = new List<TradePrint>();
        for (var i = 0; i < Steps.Length; i++)
        {
            var step = Steps[i];
            clock = step.ClockKind switch
            {
                0 => clock.AddMilliseconds(step.ClockMillis % 15_000),
                1 => clock.AddMilliseconds(step.ClockMillis % 300_000),
                2 => clock.AddMilliseconds(step.ClockMillis * 21.6), // up to six hours
                3 => new DateTime((clock.Ticks / FiveSeconds + 1) * FiveSeconds, DateTimeKind.Utc), // onto window ends and end + grace
                _ => clock, // same instant: prints that tie on time
            };

            if (step.IdKind == 0 && fresh.Count > 0)
            {
                tape.Add((clock, fresh[step.Pick % fresh.Count]));
                continue;
            }

            var lag = step.LagPermille < 150
                ? TimeSpan.Zero
                : TimeSpan.FromTicks((long)(maxLag.Ticks * (step.LagPermille / 1000.0))); // always below maxLag

            var price = CryptoUnits ? 100m + (step.Price * 0.00012345m) : 10m + (step.Price / 100m);
            var size = step.Size switch
            {
                0 => 0m,
                1 => CryptoUnits ? ((step.Pick % 997) + 1) * 0.001m : (step.Pick % 500) + 1,
                _ => CryptoUnits ? 12.5m : 1000m,
            };
            var id = step.IdKind switch
            {
                <= 3 => null,
                _ when uniqueIds => "u" + i.ToString(CultureInfo.InvariantCulture),
                _ => "p" + (step.Pick % 5).ToString(CultureInfo.InvariantCulture),
            };
            var trade = new TradePrint(Symbols[step.Symbol], clock - lag, price, size, id);
            if (id is not null || !uniqueIds)
            {
                fresh.Add(trade);
            }

            tape.Add((clock, trade));
        }

        return tape;
    }
}
