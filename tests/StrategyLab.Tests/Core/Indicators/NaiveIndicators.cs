namespace StrategyLab.Tests.Core.Indicators;

/// <summary>
/// Direct O(n) formulas evaluated over the whole window (or, for the recursive averages, their closed form as a
/// weighted sum of the inputs), written independently of the incremental indicators under test.
/// </summary>
internal static class NaiveIndicators
{
    public static double Mean(ReadOnlySpan<double> xs)
    {
        var sum = 0.0;
        foreach (var x in xs)
        {
            sum += x;
        }

        return sum / xs.Length;
    }

    /// <summary>Mean of xs[t−n+1 … t].</summary>
    public static double Sma(double[] xs, int t, int n) => Mean(xs.AsSpan(t - n + 1, n));

    /// <summary>
    /// An exponential average seeded with the mean of the first n inputs, written in closed form:
    /// <c>avg_t = (1−α)^k · seed + Σ_{j&lt;k} α (1−α)^j x_{t−j}</c> with k = t − (n − 1).
    /// </summary>
    public static double SeededExponential(double[] xs, int t, int n, double alpha)
    {
        var seed = Mean(xs.AsSpan(0, n));
        var k = t - (n - 1);
        var sum = 0.0;
        var weight = 1.0;
        for (var j = 0; j < k; j++)
        {
            sum += alpha * weight * xs[t - j];
            weight *= 1 - alpha;
        }

        return sum + (weight * seed);
    }

    public static double Ema(double[] xs, int t, int n) => SeededExponential(xs, t, n, 2.0 / (n + 1));

    /// <summary>Wilder's RSI at index t (t ≥ n) with the textbook formula 100 − 100/(1 + RS).</summary>
    public static double Rsi(double[] closes, int t, int n)
    {
        var gains = new double[t];
        var losses = new double[t];
        for (var i = 1; i <= t; i++)
        {
            var d = closes[i] - closes[i - 1];
            gains[i - 1] = Math.Max(d, 0);
            losses[i - 1] = Math.Max(-d, 0);
        }

        var avgGain = SeededExponential(gains, t - 1, n, 1.0 / n);
        var avgLoss = SeededExponential(losses, t - 1, n, 1.0 / n);
        if (avgLoss == 0)
        {
            return avgGain == 0 ? 50 : 100;
        }

        return 100 - (100 / (1 + (avgGain / avgLoss)));
    }

    /// <summary>Wilder's ATR at index t (t ≥ n − 1); the first true range is high − low.</summary>
    public static double Atr(double[] highs, double[] lows, double[] closes, int t, int n)
    {
        var tr = new double[t + 1];
        for (var i = 0; i <= t; i++)
        {
            var hl = highs[i] - lows[i];
            tr[i] = i == 0 ? hl : new[] { hl, Math.Abs(highs[i] - closes[i - 1]), Math.Abs(lows[i] - closes[i - 1]) }.Max();
        }

        return SeededExponential(tr, t, n, 1.0 / n);
    }

    /// <summary>Two-pass standard deviation of xs[t−n+1 … t].</summary>
    public static double StdDev(double[] xs, int t, int n, bool sample)
    {
        var window = xs.AsSpan(t - n + 1, n);
        var mean = Mean(window);
        var m2 = 0.0;
        foreach (var x in window)
        {
            m2 += (x - mean) * (x - mean);
        }

        return Math.Sqrt(m2 / (sample ? n - 1 : n));
    }

    /// <summary>Σ p·v / Σ v over every (p, v) pair.</summary>
    public static double Vwap(double[] prices, double[] volumes)
    {
        var pv = 0.0;
        var v = 0.0;
        for (var i = 0; i < prices.Length; i++)
        {
            pv += prices[i] * volumes[i];
            v += volumes[i];
        }

        return pv / v;
    }

    public static void AssertClose(double expected, double actual, double relativeTolerance = 1e-9, string? because = null)
    {
        var tolerance = relativeTolerance * Math.Max(1.0, Math.Abs(expected));
        Assert.True(
            Math.Abs(expected - actual) <= tolerance,
            $"expected {expected:R}, got {actual:R} (|diff| {Math.Abs(expected - actual):R} > {tolerance:R}) {because}");
    }
}
