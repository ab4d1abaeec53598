namespace StrategyLab.Core.Indicators;

/// <summary>What a crossing helper saw on its last update.</summary>
public enum CrossDirection
{
    /// <summary>No cross: the side did not change, the values were equal, or this was the first ready update.</summary>
    None,

    /// <summary>The first series moved from below to above the second (or the value from below to above the level).</summary>
    Up,

    /// <summary>The first series moved from above to below the second (or the value from above to below the level).</summary>
    Down,
}

/// <summary>
/// Detects when one series crosses another (a fast average over a slow one, a price over a band), with the exact tie
/// rule of the SMA crossover: a cross is a change of the sign of <c>a − b</c> between two updates where it was not zero.
/// </summary>
/// <remarks>
/// <para>Ties: an update with <c>a == b</c> keeps the previous side and reports <see cref="CrossDirection.None"/>, so
/// "below, equal, above" is one cross up (on the "above" update) and "above, equal, above" is no cross. The first
/// update with a side only records it (being above when the run starts is not a cross).</para>
/// <para>Not ready: a <see cref="double.NaN"/> on either side (the value of an indicator that is not ready) is ignored:
/// <see cref="CrossDirection.None"/>, the side is kept. Infinite inputs are an <see cref="ArgumentOutOfRangeException"/>.</para>
/// <para>Precision: the <see cref="decimal"/> overload compares exactly; the <see cref="double"/> overload compares the
/// doubles as given (two averages computed in double that are equal in exact arithmetic may differ in the last bit:
/// for crossovers of prices, compare exactly, e.g. <see cref="ExactSma.CompareMeanTo"/> through <see cref="UpdateSign"/>).
/// O(1), allocation-free.</para>
/// </remarks>
/// <example>
/// <code>
/// var cross = new CrossDetector();
/// fast.Update(bar.Close); slow.Update(bar.Close);
/// if (cross.Update(fast.Value, slow.Value) == CrossDirection.Up) context.EnterLong(bar.Symbol, "cross_up");
/// </code>
/// </example>
public sealed class CrossDetector
{
    /// <summary>The side of the last update where the values differed: +1 above, −1 below, 0 before any.</summary>
    public int Side { get; private set; }

    /// <summary>The result of the last update.</summary>
    public CrossDirection Last { get; private set; }

    /// <summary>True once a side has been recorded (a later update can report a cross).</summary>
    public bool IsReady => Side != 0;

    /// <summary>Feeds the current values of both series, compared exactly.</summary>
    /// <returns>The cross this update makes, if any.</returns>
    public CrossDirection Update(decimal a, decimal b) => UpdateSign(decimal.Compare(a, b));

    /// <summary>Feeds the current values of both series; a NaN (not ready) is ignored.</summary>
    /// <returns>The cross this update makes, if any.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is infinite.</exception>
    public CrossDirection Update(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            return Last = CrossDirection.None;
        }

        Guard.Finite(a);
        Guard.Finite(b);
        return UpdateSign(a.CompareTo(b));
    }

    /// <summary>
    /// Feeds the sign of <c>a − b</c> decided elsewhere (any negative number, zero, any positive number), e.g.
    /// <c>fast.CompareMeanTo(slow)</c> of two <see cref="ExactSma"/>.
    /// </summary>
    /// <returns>The cross this update makes, if any.</returns>
    public CrossDirection UpdateSign(int comparison)
    {
        var sign = Math.Sign(comparison);
        var previous = Side;
        if (sign == 0 || sign == previous)
        {
            return Last = CrossDirection.None;
        }

        Side = sign;
        if (previous == 0)
        {
            return Last = CrossDirection.None;
        }

        return Last = sign > 0 ? CrossDirection.Up : CrossDirection.Down;
    }

    /// <summary>Forgets the side, as if newly constructed.</summary>
    public void Reset()
    {
        Side = 0;
        Last = CrossDirection.None;
    }
}

/// <summary>
/// Detects when a value crosses a fixed level (an RSI over 70, a z-score under −2), with the tie rule of
/// <see cref="CrossDetector"/>: a value equal to the level keeps the previous side; the first update only records it.
/// </summary>
/// <remarks>
/// Precision: a <see cref="decimal"/> value is compared exactly with the level given as a decimal; a <see cref="double"/>
/// value is compared with the level converted to double once (a decimal level with more than ~15 significant digits
/// rounds). A level given as a double is converted to decimal once for decimal updates (rounded to 15 significant
/// digits, <see cref="decimal"/>'s conversion). NaN values are ignored (not ready); infinite ones throw.
/// </remarks>
/// <example>
/// <code>
/// var oversold = new ThresholdCross(30);
/// if (oversold.Update(rsi.Value) == CrossDirection.Down) context.EnterLong(bar.Symbol, "rsi_oversold");
/// </code>
/// </example>
public sealed class ThresholdCross
{
    private readonly CrossDetector _cross = new();
    private readonly decimal _decimalLevel;
    private readonly double _doubleLevel;

    /// <summary>A level given exactly.</summary>
    public ThresholdCross(decimal level)
    {
        _decimalLevel = level;
        _doubleLevel = (double)level;
    }

    /// <summary>A level given as a double.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The level is NaN, infinite, or too large for a decimal.</exception>
    public ThresholdCross(double level)
    {
        Guard.Finite(level);
        if (Math.Abs(level) >= (double)decimal.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "The level is too large for a decimal.");
        }

        _doubleLevel = level;
        _decimalLevel = (decimal)level;
    }

    /// <summary>The level as a decimal.</summary>
    public decimal Level => _decimalLevel;

    /// <summary>The side of the last value that differed from the level: +1 above, −1 below, 0 before any.</summary>
    public int Side => _cross.Side;

    /// <summary>True when the last value that differed from the level was above it.</summary>
    public bool IsAbove => _cross.Side > 0;

    /// <summary>True when the last value that differed from the level was below it.</summary>
    public bool IsBelow => _cross.Side < 0;

    /// <summary>The result of the last update.</summary>
    public CrossDirection Last => _cross.Last;

    /// <summary>Feeds a value, compared exactly with the decimal level.</summary>
    /// <returns><see cref="CrossDirection.Up"/> when it crossed above the level, <see cref="CrossDirection.Down"/> below.</returns>
    public CrossDirection Update(decimal value) => _cross.UpdateSign(decimal.Compare(value, _decimalLevel));

    /// <summary>Feeds a value; a NaN (an indicator not ready) is ignored.</summary>
    /// <returns><see cref="CrossDirection.Up"/> when it crossed above the level, <see cref="CrossDirection.Down"/> below.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is infinite.</exception>
    public CrossDirection Update(double value) => _cross.Update(value, _doubleLevel);

    /// <summary>Forgets the side, as if newly constructed.</summary>
    public void Reset() => _cross.Reset();
}
