using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Sweeps;

/// <summary>What a sweep runs and how it judges: combinations, objective, how many keep folders, walk-forward.</summary>
/// <param name="Dimensions">The swept parameters.</param>
/// <param name="Constraints">The constraints the combinations satisfy.</param>
/// <param name="Combinations">The combinations to run, in index order.</param>
/// <param name="GridSize">Combinations of the grid after the constraints (a random search runs fewer).</param>
/// <param name="Method"><c>grid</c> or <c>random</c>.</param>
/// <param name="Seed">The random search's seed (null for a grid).</param>
/// <param name="Objective">The statistic ranked by.</param>
/// <param name="Top">How many of the best keep a full run folder.</param>
/// <param name="Jobs">Parallel runs (null: one per core).</param>
/// <param name="WalkForward">The walk-forward windows, if asked for.</param>
public sealed record SweepPlan(
    IReadOnlyList<SweepDimension> Dimensions,
    IReadOnlyList<SweepConstraint> Constraints,
    IReadOnlyList<SweepCombination> Combinations,
    int GridSize,
    string Method,
    int? Seed,
    SweepColumn Objective,
    int Top,
    int? Jobs,
    WalkForwardSpec? WalkForward)
{
    /// <summary>The default number of best combinations that keep a full run folder.</summary>
    public const int DefaultTop = 3;

    /// <summary>
    /// Builds the plan from the configuration's <c>sweep</c> section and the command's flags (a flag wins over the key;
    /// a <c>--param</c> replaces the section's entry of the same name, <c>--constraint</c>s add to the section's).
    /// </summary>
    /// <exception cref="ConfigException">Anything malformed; the message names the flag or key.</exception>
    public static SweepPlan Build(
        SweepConfig? section,
        IReadOnlyList<string> paramFlags,
        IReadOnlyList<string> constraintFlags,
        string? objective = null,
        int? jobs = null,
        int? top = null,
        string? walkForward = null)
    {
        ArgumentNullException.ThrowIfNull(paramFlags);
        ArgumentNullException.ThrowIfNull(constraintFlags);
        section ??= new SweepConfig();
        var fromFlags = paramFlags.Select(SweepSpace.ParseFlag).ToList();
        var dimensions = section.Params
            .Where(p => fromFlags.All(f => f.Name != p.Key))
            .Select(p => SweepSpace.ParseJson(p.Key, p.Value))
            .Concat(fromFlags)
            .ToList();
        var constraints = section.Constraints.Select(c => SweepConstraint.Parse(c, "sweep.constraints"))
            .Concat(constraintFlags.Select(c => SweepConstraint.Parse(c, "--constraint")))
            .ToList();
        var grid = SweepSpace.Grid(dimensions, constraints);
        var method = section.Method;
        IReadOnlyList<SweepCombination> combinations;
        switch (method)
        {
            case "grid":
                combinations = grid;
                break;
            case "random":
                combinations = SweepSpace.Random(grid, section.Samples ?? throw new ConfigException("sweep.samples", "a random search needs sweep.samples (how many combinations to draw)."), section.Seed);
                break;
            default:
                throw new ConfigException("sweep.method", $"expected 'grid' or 'random', got '{method}'.");
        }

        var chosenTop = top ?? section.Top ?? DefaultTop;
        if (chosenTop < 0)
        {
            throw new ConfigException(top is null ? "sweep.top" : "--top", $"must not be negative, got {chosenTop}.");
        }

        var chosenJobs = jobs ?? section.Jobs;
        if (chosenJobs is < 0)
        {
            throw new ConfigException(jobs is null ? "sweep.jobs" : "--jobs", $"must not be negative (0: one per core), got {chosenJobs}.");
        }

        var wf = walkForward ?? section.WalkForward;
        return new SweepPlan(
            dimensions,
            constraints,
            combinations,
            grid.Count,
            method,
            method == "random" ? section.Seed : null,
            SweepColumns.Objective(objective ?? section.Objective, objective is null && section.Objective is not null ? "sweep.objective" : "--objective"),
            chosenTop,
            chosenJobs,
            wf is null ? null : WalkForwardSpec.Parse(wf, walkForward is null ? "sweep.walk_forward" : "--walk-forward"));
    }

    /// <summary>Checks that every swept name is a parameter of the strategy.</summary>
    /// <exception cref="ConfigException">An unknown parameter; names where it was given and lists the known ones.</exception>
    public void CheckParameters(ResolvedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var known = run.StrategyFactory.Parameters.Select(p => p.Name).ToList();
        foreach (var d in Dimensions)
        {
            if (!known.Contains(d.Name))
            {
                throw new ConfigException(d.Source, $"'{d.Name}' is not a parameter of strategy '{run.StrategyFactory.Name}'. Known: {string.Join(", ", known)}.");
            }
        }
    }
}
