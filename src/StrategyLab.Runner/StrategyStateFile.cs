using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Runner;

/// <summary>
/// Writes and reads <c>strategy_state.json</c>: the state of a strategy that implements
/// <see cref="IStatefulStrategy{TState}"/>, serialised with <c>System.Text.Json</c>'s default options inside a small
/// envelope (<c>strategy</c>, <c>state_type</c>, <c>time_utc</c>, <c>state</c>). The runner saves it at the end of every
/// run; a resumed run loads it into a fresh instance before its first bar.
/// </summary>
public static class StrategyStateFile
{
    /// <summary>The file's name in a run folder.</summary>
    public const string FileName = Reporting.RunFolderWriter.StrategyStateFileName;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The state type of <paramref name="strategy"/>, or null when it does not implement <see cref="IStatefulStrategy{TState}"/>.</summary>
    /// <exception cref="InvalidOperationException">It implements the interface for more than one state type.</exception>
    public static Type? StateTypeOf(object strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        var types = strategy.GetType().GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IStatefulStrategy<>))
            .Select(i => i.GetGenericArguments()[0])
            .ToList();
        return types.Count switch
        {
            0 => null,
            1 => types[0],
            _ => throw new InvalidOperationException(
                $"{strategy.GetType().Name} implements IStatefulStrategy for {types.Count} state types ({string.Join(", ", types.Select(t => t.Name))}); implement it once."),
        };
    }

    /// <summary>
    /// Writes the strategy's state to <c>strategy_state.json</c> in <paramref name="runFolder"/> (through a temporary
    /// file, so a reader never sees half a file).
    /// </summary>
    /// <param name="strategy">The strategy.</param>
    /// <param name="runFolder">The run folder.</param>
    /// <param name="timeUtc">The run time the state belongs to (the last slice processed).</param>
    /// <returns>The file written, or null when the strategy keeps no state.</returns>
    /// <exception cref="StrategyException">The strategy's <c>SaveState</c> threw.</exception>
    /// <exception cref="InvalidOperationException">The state cannot be serialised.</exception>
    public static string? Save(IStrategy strategy, string runFolder, DateTime timeUtc)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        if (StateTypeOf(strategy) is not { } type)
        {
            return null;
        }

        var envelope = Envelope(strategy, type, timeUtc);
        var path = Path.Combine(runFolder, FileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, envelope.ToJsonString(Indented) + "\n");
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>
    /// The strategy's state in the file's envelope (<c>strategy</c>, <c>state_type</c>, <c>time_utc</c>, <c>state</c>), as
    /// the journal's <c>strategy_state</c> rows keep it; null when the strategy keeps no state.
    /// </summary>
    /// <exception cref="StrategyException">The strategy's <c>SaveState</c> threw.</exception>
    /// <exception cref="InvalidOperationException">The state cannot be serialised.</exception>
    public static JsonObject? ToEnvelope(IStrategy strategy, DateTime timeUtc)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return StateTypeOf(strategy) is { } type ? Envelope(strategy, type, timeUtc) : null;
    }

    private static JsonObject Envelope(IStrategy strategy, Type type, DateTime timeUtc)
    {
        var state = Invoke(strategy, type, nameof(IStatefulStrategy<object>.SaveState), []);
        JsonNode? node;
        try
        {
            node = JsonSerializer.SerializeToNode(state, type);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The state of strategy '{NameOf(strategy)}' ({type.FullName}) cannot be written as JSON: {e.Message}", e);
        }

        var envelope = new JsonObject
        {
            ["strategy"] = NameOf(strategy),
            ["state_type"] = type.FullName,
            ["time_utc"] = timeUtc.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
            ["state"] = node,
        };
        return envelope;
    }

    /// <summary>Reads a file written by <see cref="Save"/> and hands its state to <paramref name="strategy"/>.</summary>
    /// <param name="strategy">A fresh instance of the strategy that wrote the file.</param>
    /// <param name="path">The <c>strategy_state.json</c> file.</param>
    /// <returns>False when the strategy keeps no state (the file is not read).</returns>
    /// <exception cref="InvalidDataException">The file is not such a state file, or is for another state type; the message names the file.</exception>
    /// <exception cref="StrategyException">The strategy's <c>LoadState</c> threw.</exception>
    public static bool Load(IStrategy strategy, string path)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        if (StateTypeOf(strategy) is not { } type)
        {
            return false;
        }

        object? state;
        try
        {
            var envelope = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"{path}: not a JSON object.");
            var written = envelope["state_type"]?.GetValue<string>();
            if (written != type.FullName)
            {
                throw new InvalidDataException($"{path}: state_type is '{written}', but {strategy.GetType().Name} keeps a {type.FullName}.");
            }

            state = envelope["state"].Deserialize(type);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a readable strategy state: {e.Message}", e);
        }

        Invoke(strategy, type, nameof(IStatefulStrategy<object>.LoadState), [state]);
        return true;
    }

    private static object? Invoke(IStrategy strategy, Type stateType, string method, object?[] arguments)
    {
        var target = typeof(IStatefulStrategy<>).MakeGenericType(stateType).GetMethod(method)!;
        try
        {
            return target.Invoke(strategy, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            throw new StrategyException(NameOf(strategy), method, inner);
        }
    }

    private static string NameOf(IStrategy strategy) =>
        strategy.GetType().GetCustomAttribute<StrategyAttribute>()?.Name ?? strategy.GetType().Name;
}
