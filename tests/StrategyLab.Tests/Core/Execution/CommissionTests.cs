using StrategyLab.Core.Execution;

namespace StrategyLab.Tests.Core.Execution;

public class CommissionTests
{
    [Theory]
    [InlineData(100, 50, 1.00)]      // 100 × 0.005 = 0.50 → minimum 1.00
    [InlineData(1000, 50, 5.00)]     // 1000 × 0.005 = 5.00
    [InlineData(10000, 0.50, 25.00)] // 50.00 per share fee, capped at 0.5% of 5,000 = 25.00
    [InlineData(10, 1, 0.05)]        // minimum 1.00, but the cap 0.5% of 10.00 = 0.05 wins
    public void PerShare_IbStyle(decimal quantity, decimal price, decimal expected)
    {
        Assert.Equal(expected, new PerShareCommission().Compute(quantity, price));
    }

    [Fact]
    public void Percent_AndZero()
    {
        Assert.Equal(1.50m, new PercentCommission(0.1m).Compute(10, 150m));
        Assert.Equal(0m, ZeroCommission.Instance.Compute(10, 150m));
    }
}
