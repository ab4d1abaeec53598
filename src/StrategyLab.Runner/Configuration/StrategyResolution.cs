using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Strategies;
using StrategyLab.Scripting;
using StrategyLab.Strategies;

namespace StrategyLab.Runner.Configuration;

/// <summary>Where a run's strategy comes from: built in, a C# source compiled for the run, or a class library.</summary>
/// <param name="Kind"><c>built_in</c>, <c>source</c> or <c>assembly</c>.</param>
/// <param name="User">The loaded user assembly; null for a built-in strategy.</param>
public sealed record StrategyOrigin(string Kind, UserStrategyAssembly? User)
{
    /// <summary>A built-in strategy.</summary>
    public static StrategyOrigin BuiltIn { get; } = new("built_in", null);

    /// <summary>The origin for <c>summary.json</c>: the source files (as given) and their hash, or the assembly's path.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["kind"] = Kind };
        if (User?.Sources is { } sources)
        {
            json["files"] = new JsonArray([.. sources.Files.Select(f => (JsonNode?)JsonValue.Create(f.DisplayPath))]);
            json["hash"] = User.Hash;
        }
        else if (User?.AssemblyPath is { } path)
        {
            json["path"] = path;
            json["assembly"] = User.Assembly.GetName().Name;
        }

        return json;
    }
}

/// <summary>Finds the strategy a configuration names: a built-in one, or a class of a user source file or library.</summary>
internal static class StrategyResolution
{
    /// <summary>The factory and origin of <paramref name="strategy"/>.</summary>
    /// <exception cref="ConfigException">Unknown name, missing file, no or several strategy classes (names the key).</exception>
    /// <exception cref="StrategyCompilationException">The source does not compile.</exception>
    /// <exception cref="StrategyDefinitionException">The strategy class's constructor threw (the inner exception).</exception>
    public static (IStrategyFactory Factory, StrategyOrigin Origin) Resolve(StrategyConfig strategy, ILoggerFactory? loggers)
    {
        if (strategy.Source is null && strategy.Assembly is null)
        {
            var name = strategy.Name ?? StrategyConfig.DefaultName;
            if (!BuiltInStrategies.TryGet(name, out var builtIn))
            {
                throw new ConfigException("strategy.name", $"unknown strategy '{name}'. Known: {string.Join(", ", BuiltInStrategies.Names)}; or give strategy.source (a C# file) or strategy.assembly (a class library).");
            }

            return (builtIn, StrategyOrigin.BuiltIn);
        }

        if (strategy.Source is not null && strategy.Assembly is not null)
        {
            throw new ConfigException("strategy.assembly", "give either strategy.source (C# files) or strategy.assembly (a class library), not both.");
        }

        if (strategy.Source is { } s && string.IsNullOrWhiteSpace(s))
        {
            throw new ConfigException("strategy.source", "must not be empty.");
        }

        if (strategy.Assembly is { } a && string.IsNullOrWhiteSpace(a))
        {
            throw new ConfigException("strategy.assembly", "must not be empty.");
        }

        var logger = loggers?.CreateLogger("StrategyLab.Strategy") ?? NullLogger.Instance;
        var baseDirectory = strategy.BaseDirectory ?? Environment.CurrentDirectory;
        try
        {
            var user = strategy.Source is { } source
                ? UserStrategyLoader.FromSource(StrategySources.Resolve(source, baseDirectory), CompiledStrategyCache.DefaultDirectory(), logger)
                : UserStrategyLoader.FromAssembly(strategy.Assembly!, baseDirectory, logger);
            var type = user.Select(strategy.Name);
            return (DeclaredStrategyFactory.For(type), new StrategyOrigin(user.Sources is null ? "assembly" : "source", user));
        }
        catch (StrategyConfigurationException e)
        {
            throw new ConfigException(e.Key, e.Message[(e.Key.Length + 2)..]);
        }
        catch (StrategyDefinitionException e) when (e.InnerException is null)
        {
            // The class cannot be a strategy (no public parameterless constructor, a [Parameter] the engine cannot bind).
            throw new ConfigException(strategy.Source is null ? "strategy.assembly" : "strategy.source", e.Message);
        }
    }
}

