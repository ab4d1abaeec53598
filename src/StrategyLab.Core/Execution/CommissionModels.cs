namespace StrategyLab.Core.Execution;

/// <summary>Computes the commission of one execution.</summary>
public interface ICommissionModel
{
    /// <summary>The commission for <paramref name="quantity"/> units at <paramref name="price"/>.</summary>
    decimal Compute(decimal quantity, decimal price);
}

/// <summary>No commission.</summary>
public sealed class ZeroCommission : ICommissionModel
{
    /// <summary>The shared instance.</summary>
    public static ZeroCommission Instance { get; } = new();

    /// <inheritdoc />
    public decimal Compute(decimal quantity, decimal price) => 0m;
}

/// <summary>
/// A fee per share with a minimum and a cap as a fraction of the trade value, Interactive Brokers style:
/// <c>min(max(quantity × perShare, minimum), maxPercentOfValue% × quantity × price)</c>.
/// The cap wins over the minimum for very small trades, as at IB.
/// </summary>
/// <param name="PerShare">Fee per share (default 0.005).</param>
/// <param name="Minimum">Minimum per execution (default 1.00).</param>
/// <param name="MaxPercentOfValue">Cap in percent of the trade value (default 0.5).</param>
public sealed record PerShareCommission(decimal PerShare = 0.005m, decimal Minimum = 1.00m, decimal MaxPercentOfValue = 0.5m)
    : ICommissionModel
{
    /// <inheritdoc />
    public decimal Compute(decimal quantity, decimal price)
    {
        var fee = Math.Max(quantity * PerShare, Minimum);
        var cap = quantity * price * MaxPercentOfValue / 100m;
        return Math.Round(Math.Min(fee, cap), 4, MidpointRounding.AwayFromZero);
    }
}

/// <summary>A percentage of the trade value, e.g. 0.1 for 10 bps.</summary>
/// <param name="Percent">Percent of value charged.</param>
public sealed record PercentCommission(decimal Percent) : ICommissionModel
{
    /// <inheritdoc />
    public decimal Compute(decimal quantity, decimal price) =>
        Math.Round(quantity * price * Percent / 100m, 4, MidpointRounding.AwayFromZero);
}
