namespace StrategyLab.Runner.Sweeps;

/// <summary>The overfitting guard of a sweep's best combination (docs/statistics.md, "Sweeps: PSR and DSR").</summary>
/// <param name="SharpePerPeriod">The best combination's daily Sharpe ratio <c>SR = mean(r − rf_d) / s</c> (not annualised).</param>
/// <param name="Observations"><c>n</c>: its daily returns.</param>
/// <param name="Skewness"><c>γ3</c> of its daily returns.</param>
/// <param name="Kurtosis"><c>γ4</c> of its daily returns (not excess: 3 for a normal distribution).</param>
/// <param name="Psr">Probabilistic Sharpe ratio against 0: the probability that the true Sharpe is above 0.</param>
/// <param name="Trials"><c>N</c>: combinations with a Sharpe ratio.</param>
/// <param name="TrialSharpeVariance"><c>V</c>: the sample variance of the trials' daily Sharpe ratios.</param>
/// <param name="ExpectedMaxSharpe"><c>SR_0</c>: the daily Sharpe the best of <c>N</c> worthless trials would show.</param>
/// <param name="Dsr">Deflated Sharpe ratio: PSR against <c>SR_0</c>.</param>
public sealed record SharpeOverfitting(
    double SharpePerPeriod, int Observations, double Skewness, double Kurtosis, double Psr, int Trials, double TrialSharpeVariance, double ExpectedMaxSharpe, double Dsr);

/// <summary>
/// The probabilistic and deflated Sharpe ratios of Bailey &amp; López de Prado (2012, 2014): how likely the best
/// combination's Sharpe ratio is to be above zero, and above what the best of that many worthless trials would show.
/// </summary>
public static class OverfittingStatistics
{
    /// <summary>The Euler–Mascheroni constant γ.</summary>
    public const double EulerGamma = 0.57721566490153286;

    /// <summary>
    /// PSR and DSR of the best combination from its daily returns and the daily Sharpe ratios of all trials; null when
    /// the best has fewer than 3 returns or no spread (no Sharpe ratio, skewness or kurtosis).
    /// </summary>
    public static SharpeOverfitting? Of(IReadOnlyList<double> bestReturns, IReadOnlyList<double> trialSharpes, double dailyRiskFree = 0)
    {
        ArgumentNullException.ThrowIfNull(bestReturns);
        ArgumentNullException.ThrowIfNull(trialSharpes);
        var n = bestReturns.Count;
        if (n < 3)
        {
            return null;
        }

        var mean = bestReturns.Average();
        double m2 = 0, m3 = 0, m4 = 0, ss = 0;
        foreach (var r in bestReturns)
        {
            var d = r - mean;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
        }

        ss = m2;
        m2 /= n;
        m3 /= n;
        m4 /= n;
        if (m2 <= 0)
        {
            return null;
        }

        var sd = Math.Sqrt(ss / (n - 1));
        var sharpe = (mean - dailyRiskFree) / sd;
        var skew = m3 / Math.Pow(m2, 1.5);
        var kurt = m4 / (m2 * m2);
        var psr = ProbabilisticSharpe(sharpe, 0, n, skew, kurt);
        var trials = trialSharpes.Count;
        var variance = trials < 2 ? 0 : Variance(trialSharpes);
        var sr0 = ExpectedMaxSharpe(variance, trials);
        var dsr = ProbabilisticSharpe(sharpe, sr0, n, skew, kurt);
        return new SharpeOverfitting(sharpe, n, skew, kurt, psr, trials, variance, sr0, dsr);
    }

    /// <summary>
    /// <c>PSR(SR*) = Φ( (SR − SR*) · √(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4 · SR²) )</c>, all ratios per period.
    /// </summary>
    public static double ProbabilisticSharpe(double sharpe, double benchmark, int observations, double skewness, double kurtosis)
    {
        var denominator = 1 - (skewness * sharpe) + ((kurtosis - 1) / 4 * sharpe * sharpe);
        if (denominator <= 0)
        {
            // Outside the approximation's domain (extreme skew): the standard error is undefined; say nothing beyond the sign.
            return sharpe > benchmark ? 1 : 0;
        }

        return NormalCdf((sharpe - benchmark) * Math.Sqrt(observations - 1) / Math.Sqrt(denominator));
    }

    /// <summary>
    /// <c>SR_0 = √V · ((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)))</c>: the expected maximum of <c>N</c> Sharpe ratios
    /// of variance <c>V</c> around zero. 0 for fewer than 2 trials.
    /// </summary>
    public static double ExpectedMaxSharpe(double variance, int trials)
    {
        if (trials < 2 || variance <= 0)
        {
            return 0;
        }

        return Math.Sqrt(variance) * (((1 - EulerGamma) * NormalQuantile(1 - (1.0 / trials))) + (EulerGamma * NormalQuantile(1 - (1.0 / (trials * Math.E)))));
    }

    /// <summary>The standard normal cumulative distribution Φ(x), to about 1e-15 absolute.</summary>
    public static double NormalCdf(double x) => x >= 0 ? 1 - (0.5 * Erfc(x / Math.Sqrt(2))) : 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>The standard normal quantile Φ⁻¹(p) for 0 &lt; p &lt; 1 (Acklam's approximation, polished by Newton steps on <see cref="NormalCdf"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not strictly between 0 and 1.</exception>
    public static double NormalQuantile(double p)
    {
        if (!(p > 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "must be strictly between 0 and 1.");
        }

        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        double x;
        if (p < 0.02425)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((((((c[0] * q) + c[1]) * q) + c[2]) * q) + c[3]) * q) + c[4]) * q + c[5]) / ((((((((d[0] * q) + d[1]) * q) + d[2]) * q) + d[3]) * q) + 1);
        }
        else if (p > 1 - 0.02425)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((((((c[0] * q) + c[1]) * q) + c[2]) * q) + c[3]) * q) + c[4]) * q + c[5]) / ((((((((d[0] * q) + d[1]) * q) + d[2]) * q) + d[3]) * q) + 1);
        }
        else
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((((((a[0] * r) + a[1]) * r) + a[2]) * r) + a[3]) * r) + a[4]) * r + a[5]) * q / (((((((((b[0] * r) + b[1]) * r) + b[2]) * r) + b[3]) * r) + b[4]) * r + 1);
        }

        for (var i = 0; i < 3; i++)
        {
            var e = NormalCdf(x) - p;
            var density = Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
            if (density == 0)
            {
                break;
            }

            x -= e / density;
        }

        return x;
    }

    private static double Variance(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
    }

    /// <summary>The complementary error function: its Taylor series of erf for small x, a continued fraction beyond.</summary>
    private static double Erfc(double x)
    {
        if (x < 0)
        {
            return 2 - Erfc(-x);
        }

        if (x < 2.5)
        {
            // erf(x) = 2/√π · Σ (−1)^k x^(2k+1) / (k! (2k+1))
            double sum = 0, term = x;
            for (var k = 0; k < 200; k++)
            {
                var add = term / ((2 * k) + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }

                term *= -x * x / (k + 1);
            }

            return 1 - (2 / Math.Sqrt(Math.PI) * sum);
        }

        // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail.
        var f = x;
        for (var k = 120; k >= 1; k--)
        {
            f = x + (k / 2.0 / f);
        }

        return Math.Exp(-x * x) / (Math.Sqrt(Math.PI) * f);
    }
}
