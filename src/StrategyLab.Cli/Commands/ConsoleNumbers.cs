using System.Globalization;

namespace StrategyLab.Cli.Commands;

/// <summary>Numbers on the console.</summary>
internal static class ConsoleNumbers
{
    /// <summary>A price at its own precision, at least two decimals (<c>480.00</c>, <c>100.0625</c>; never <c>480.0000</c>).</summary>
    public static string Price(decimal value)
    {
        var trimmed = value / 1.0000000000000000000000000000m; // drops the trailing zeros of the scale
        return trimmed.Scale <= 2 ? trimmed.ToString("#,##0.00;-#,##0.00", CultureInfo.InvariantCulture) : trimmed.ToString("#,##0.##########;-#,##0.##########", CultureInfo.InvariantCulture);
    }
}
