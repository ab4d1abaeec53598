using System.CommandLine;
using System.Text.Json.Nodes;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// The options every run command (backtest, replay, live) shares: the configuration file and the flags that override
/// its keys, plus output control.
/// </summary>
internal sealed class RunOptions
{
    /// <summary>The options of a run command whose built-in default (no <c>--config</c>) runs ORB on a synthetic market.</summary>
    public RunOptions()
        : this("Run configuration (JSON). Without it the built-in default runs: ORB on a synthetic market.")
    {
    }

    /// <summary>The options of a run command whose <c>--config</c> is described by <paramref name="configDescription"/>.</summary>
    public RunOptions(string configDescription) => Config = new("--config", "-c") { Description = configDescription };

    public Option<string?> Config { get; }

    public Option<string?> Strategy { get; } = new("--strategy") { Description = "Overrides strategy.name (orb, sma_crossover, rsi_reversion; or the class of --strategy-source / --strategy-assembly)." };

    public Option<string?> StrategySource { get; } = new("--strategy-source") { Description = "Overrides strategy.source: a C# strategy file, or a folder of them, compiled at run start (relative to the current folder)." };

    public Option<string?> StrategyAssembly { get; } = new("--strategy-assembly") { Description = "Overrides strategy.assembly: a class library (.dll) defining the strategy (relative to the current folder)." };

    public Option<string?> Symbols { get; } = new("--symbols") { Description = "Overrides data.symbols, comma-separated (SPY,QQQ or BINANCE:BTCUSDT)." };

    public Option<string?> From { get; } = new("--from") { Description = "Overrides data.from (yyyy-MM-dd, exchange-local, inclusive)." };

    public Option<string?> To { get; } = new("--to") { Description = "Overrides data.to (yyyy-MM-dd, exchange-local, inclusive)." };

    public Option<string?> Timeframe { get; } = new("--timeframe") { Description = "Overrides data.timeframe (1s 5s 10s 15s 30s 1m 2m 3m 5m 10m 15m 30m 1h 2h 4h 1d)." };

    public Option<string?> SourceTimeframe { get; } = new("--source-timeframe") { Description = "Overrides data.source_timeframe: the bars to read and combine (LEAN: 1s, 1m, 1h or 1d; default: the coarsest that builds the timeframe and covers the range)." };

    public Option<string[]> Param { get; } = new("--param", "-p") { Description = "Overrides a strategy parameter: --param key=value (repeatable).", AllowMultipleArgumentsPerToken = false };

    public Option<string?> Cash { get; } = new("--cash") { Description = "Overrides exchange.initial_cash." };

    public Option<string?> Out { get; } = new("--out", "-o") { Description = "Overrides output.dir (the run folder; {timestamp} and {strategy} are filled in)." };

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress or status display, only the final summary." };

    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON document (the run's summary) on stdout; logs stay on stderr." };

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Log every engine event (orders, fills, trades) on stderr." };

    /// <summary>A command's <c>--timings</c> flag (backtest), when it has one: stage timings on stderr after the run.</summary>
    public Option<bool>? Timings { get; init; }

    /// <summary>
    /// False for <c>sweep</c>, whose <c>--param</c> names values to sweep (name=5..30:5) rather than one override: the
    /// shared <see cref="Param"/> is then neither added nor read.
    /// </summary>
    public bool IncludeParam { get; init; } = true;

    /// <summary>
    /// Flags a command adds beyond the shared ones (e.g. replay's --speedup): the option, its key, and how its text
    /// becomes a value (read with the other flags, so a malformed value is an error naming the flag).
    /// </summary>
    public List<(Option<string?> Option, string Key, Func<string, JsonNode?>? Convert)> Extra { get; } = [];

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Config, Strategy, StrategySource, StrategyAssembly, Symbols, From, To, Timeframe, SourceTimeframe, Param, Cash, Out, Quiet, Json, Verbose })
        {
            if (option == Param && !IncludeParam)
            {
                continue;
            }

            command.Options.Add(option);
        }

        if (Timings is not null)
        {
            command.Options.Add(Timings);
        }
    }

    /// <summary>The configuration overrides the flags ask for.</summary>
    /// <exception cref="ConfigException">A flag's value is malformed (names the flag).</exception>
    public List<ConfigOverride> Overrides(ParseResult parse)
    {
        var list = new List<ConfigOverride>();
        void Add(Option<string?> option, string key, Func<string, JsonNode?>? convert = null)
        {
            if (parse.GetValue(option) is { } value)
            {
                list.Add(new ConfigOverride(option.Name, key, convert is null ? JsonValue.Create(value) : convert(value)));
            }
        }

        Add(Strategy, "strategy.name");
        Add(StrategySource, "strategy.source");
        Add(StrategyAssembly, "strategy.assembly");
        Add(Symbols, "data.symbols", v => new JsonArray([.. v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => (JsonNode?)JsonValue.Create(s))]));
        Add(From, "data.from");
        Add(To, "data.to");
        Add(Timeframe, "data.timeframe");
        Add(SourceTimeframe, "data.source_timeframe");
        Add(Cash, "exchange.initial_cash", v => ConfigLoader.Number("--cash", "exchange.initial_cash", v));
        Add(Out, "output.dir");
        foreach (var (option, key, convert) in Extra)
        {
            Add(option, key, convert);
        }

        foreach (var p in IncludeParam ? parse.GetValue(Param) ?? [] : [])
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ConfigException("strategy.params", $"--param expects key=value, got '{p}'.");
            }

            list.Add(new ConfigOverride("--param", "strategy.params." + p[..eq].Trim(), JsonValue.Create(p[(eq + 1)..].Trim())));
        }

        return list;
    }
}
