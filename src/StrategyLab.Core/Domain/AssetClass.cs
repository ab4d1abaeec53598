namespace StrategyLab.Core.Domain;

/// <summary>The kind of instrument a <see cref="Symbol"/> names; it decides the market calendar that applies.</summary>
public enum AssetClass
{
    /// <summary>A US-listed stock or ETF, traded on the NYSE calendar.</summary>
    UsEquity,

    /// <summary>A crypto pair, traded around the clock every day.</summary>
    Crypto,
}
