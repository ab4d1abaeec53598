using System.Text.Json.Nodes;

namespace StrategyLab.Runner.Sweeps;

/// <summary>
/// The <c>sweep</c> section of a run configuration (read by <c>strategylab sweep</c>; a <c>backtest</c> of the same file
/// ignores it and runs the file's own parameters). The command's flags override each key.
/// </summary>
public sealed record SweepConfig
{
    /// <summary>
    /// The swept strategy parameters: each a range text (<c>"5..30:5"</c>), a list (<c>[20, 40, 60]</c> or
    /// <c>"20,40,60"</c>) or one value.
    /// </summary>
    public JsonObject Params { get; set; } = [];

    /// <summary>The statistic to maximise (<c>sharpe</c> by default; <c>max_drawdown</c> is minimised).</summary>
    public string? Objective { get; set; }

    /// <summary>Comparisons every combination must satisfy, e.g. <c>"fast&lt;slow"</c>.</summary>
    public List<string> Constraints { get; set; } = [];

    /// <summary><c>grid</c> (every combination, the default) or <c>random</c> (<see cref="Samples"/> of them).</summary>
    public string Method { get; set; } = "grid";

    /// <summary>How many combinations a random search draws from the grid (without repetition).</summary>
    public int? Samples { get; set; }

    /// <summary>The seed of a random search: the same seed draws the same combinations.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>How many of the best combinations keep a full run folder (default 3).</summary>
    public int? Top { get; set; }

    /// <summary>Parallel runs (default: one per core).</summary>
    public int? Jobs { get; set; }

    /// <summary>Walk-forward windows, e.g. <c>"train=252d,test=63d,step=63d"</c> (trading days).</summary>
    public string? WalkForward { get; set; }
}
