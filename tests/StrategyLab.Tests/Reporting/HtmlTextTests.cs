using System.Globalization;
using StrategyLab.Reporting.Html;

namespace StrategyLab.Tests.Reporting;

/// <summary>The page's texts written as bytes are the texts .NET's formats give.</summary>
public sealed class HtmlTextTests
{
    [Fact]
    public void LocalTime_IsTheCustomFormatsText_WithSecondsOnlyWhenTheTimeHasThem()
    {
        var random = new Random(27);
        DateTimeOffset[] edges =
        [
            new(1, 1, 1, 0, 0, 0, TimeSpan.Zero), new(999, 12, 31, 23, 59, 0, TimeSpan.Zero), new(2024, 3, 10, 3, 0, 0, 500, TimeSpan.FromHours(-4)),
            new(9999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero), new(2024, 1, 2, 9, 30, 0, TimeSpan.FromHours(-5)), new(2024, 1, 2, 9, 30, 1, TimeSpan.FromHours(-5)),
        ];
        var all = edges.Concat(Enumerable.Range(0, 20_000).Select(i =>
        {
            var ticks = random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay);
            // Whole minutes, whole seconds and any tick, a third each.
            ticks -= (i % 3) switch { 0 => ticks % TimeSpan.TicksPerMinute, 1 => ticks % TimeSpan.TicksPerSecond, _ => 0 };
            return new DateTimeOffset(ticks, TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1)));
        }));
        foreach (var time in all)
        {
            var expected = time.DateTime.ToString(time.Second == 0 && time.Millisecond == 0 ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            Assert.Equal(expected, HtmlText.LocalTime(time));
        }
    }
}
