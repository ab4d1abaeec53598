using System.Globalization;
using System.Runtime.CompilerServices;

namespace StrategyLab.Core.Indicators;

/// <summary>Input checks shared by the indicators; the throwing paths stay out of line so updates stay small.</summary>
internal static class Guard
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finite(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!double.IsFinite(value))
        {
            ThrowNotFinite(value, name);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotFinite(double value, string? name) =>
        throw new ArgumentOutOfRangeException(
            name, value, string.Create(CultureInfo.InvariantCulture, $"Indicator input '{name}' must be a finite number, got {value}."));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowHighBelowLow(double high, double low) =>
        throw new ArgumentOutOfRangeException(
            nameof(high), high, string.Create(CultureInfo.InvariantCulture, $"high {high} is below low {low}."));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowNegativeVolume(double volume) =>
        throw new ArgumentOutOfRangeException(
            nameof(volume), volume, string.Create(CultureInfo.InvariantCulture, $"volume {volume} is negative."));
}
