using System.Globalization;
using StrategyLab.Core.Domain;

namespace StrategyLab.Runner.Configuration;

/// <summary>Reads the configuration's <c>instruments</c> section into per-symbol overrides.</summary>
public static class InstrumentOverrides
{
    /// <summary>The largest increment or step accepted (a larger one is a typo, not an instrument).</summary>
    public const decimal MaxIncrement = 1_000_000m;

    /// <summary>Validates the section against the run's symbols and returns the overrides by symbol.</summary>
    /// <exception cref="ConfigException">A key is not one of the run's symbols, or a value is not a usable step.</exception>
    public static IReadOnlyDictionary<Symbol, InstrumentOverride> Resolve(
        IReadOnlyDictionary<string, InstrumentConfig> section,
        IReadOnlyList<Symbol> symbols)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(symbols);
        var result = new Dictionary<Symbol, InstrumentOverride>();
        foreach (var text in SortedKeys.Ordinal(section))
        {
            var entry = section[text];
            var key = "instruments." + text;
            var symbol = symbols.FirstOrDefault(s => string.Equals(s.Ticker, text, StringComparison.OrdinalIgnoreCase))
                ?? throw new ConfigException(key, $"'{text}' is not one of data.symbols ({string.Join(", ", symbols)}).");
            CheckStep(key + ".price_increment", entry.PriceIncrement);
            CheckStep(key + ".quantity_step", entry.QuantityStep);
            if (symbol.AssetClass == AssetClass.UsEquity && entry.QuantityStep is { } q && decimal.Truncate(q) != q)
            {
                throw new ConfigException(key + ".quantity_step", $"US equities trade whole shares; got {Num(q)}.");
            }

            result[symbol] = new InstrumentOverride(entry.PriceIncrement, entry.QuantityStep);
        }

        return result;
    }

    private static void CheckStep(string key, decimal? value)
    {
        if (value is { } v && (v <= 0 || v > MaxIncrement))
        {
            throw new ConfigException(key, $"must be in (0, {Num(MaxIncrement)}], got {Num(v)}.");
        }
    }

    private static string Num(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
