using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Indicators;

/// <summary>
/// The one place where bar prices (<see cref="decimal"/>) become indicator inputs (<see cref="double"/>).
/// </summary>
/// <remarks>
/// The conversion rounds to the nearest <see cref="double"/> (about 15–16 significant digits), which is far below
/// any price tick; indicators are signals, so the loss never reaches accounting, which stays in <see cref="decimal"/>.
/// It can, however, make two equal quantities unequal (0.01 + 0.02 ≠ 0.03 in double), so exact tests (crossovers of
/// averages, price changes) take the decimal prices themselves: <see cref="ExactSma"/>, <see cref="Rsi.UpdateExact"/>.
/// </remarks>
public static class BarPrices
{
    /// <summary>A price or volume as a <see cref="double"/>.</summary>
    public static double ToDouble(decimal value) => (double)value;

    /// <summary>The bar's close.</summary>
    public static double Close(in Bar bar) => (double)bar.Close;

    /// <summary>The bar's high.</summary>
    public static double High(in Bar bar) => (double)bar.High;

    /// <summary>The bar's low.</summary>
    public static double Low(in Bar bar) => (double)bar.Low;

    /// <summary>The bar's volume.</summary>
    public static double Volume(in Bar bar) => (double)bar.Volume;

    /// <summary>The typical price (high + low + close) / 3, computed in <see cref="decimal"/> then converted.</summary>
    public static double TypicalPrice(in Bar bar) => (double)((bar.High + bar.Low + bar.Close) / 3m);
}
