using StrategyLab.Core.Domain;
using StrategyLab.Reporting;
using StrategyLab.Reporting.Charts;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// <see cref="RunFolderWriter.SortedSymbols"/> replaced <c>OrderBy(kv =&gt; kv.Key)</c> (LINQ over KeyValuePair, JIT-compiled
/// at every start) where chart_bars.csv and the report walk their symbols: the order must be the one OrderBy gave.
/// </summary>
public sealed class SortedSymbolsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SortedSymbols_GivesTheOrderOfOrderByOverTheKeys(int seed)
    {
        var random = new Random(seed);
        var bySymbol = new Dictionary<Symbol, CandleLadder>();
        for (var i = 0; i < 40; i++)
        {
            var ticker = new string([(char)('A' + random.Next(26)), (char)('A' + random.Next(26)), (char)('a' + random.Next(3))]);
            var symbol = random.Next(2) == 0 ? Symbol.Equity(ticker) : Symbol.Crypto(ticker + "/USD");
            bySymbol[symbol] = new CandleLadder(1);
        }

        var expected = bySymbol.OrderBy(kv => kv.Key).Select(kv => kv.Key).ToArray();
        Assert.Equal(expected, RunFolderWriter.SortedSymbols(bySymbol));
    }

    [Fact]
    public void SortedSymbols_OfNone_IsEmpty() => Assert.Empty(RunFolderWriter.SortedSymbols(new Dictionary<Symbol, CandleLadder>()));
}
