using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using StrategyLab.Core.Strategies;
using StrategyLab.Scripting;
using StrategyLab.Strategies;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab strategies [--json]</c>: every strategy a run can name, with its parameters (name, type, default,
/// range or allowed values, description). The list of factories is an input: the built-ins today, plus user
/// strategies once a source is given.
/// </summary>
internal static class StrategiesCommand
{
    /// <summary>The <c>source</c> of a built-in strategy in the listing.</summary>
    public const string BuiltInSource = "built-in";

    /// <summary>The <c>source</c> of any other strategy (a user file or assembly).</summary>
    public const string UserSource = "user";

    public static Command Create()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document on stdout: {\"strategies\": [{name, source, description, parameters: [{name, type, default, minimum, maximum, allowed_values, enables_short_selling, description}]}]}.",
        };
        var source = new Option<string>("--strategy-source") { Description = "Also list the strategies of this C# file (or folder of .cs files), compiled as a run would." };
        var assembly = new Option<string>("--strategy-assembly") { Description = "Also list the strategies of this class library (.dll)." };
        var command = new Command("strategies", "List the strategies a run can use (strategy.name) with their parameters (strategy.params): type, default, range, description.")
        {
            json, source, assembly,
        };
        command.SetAction((parse, _) =>
        {
            IReadOnlyList<IStrategyFactory> factories = BuiltInStrategies.All;
            var givenSource = parse.GetValue(source);
            var givenAssembly = parse.GetValue(assembly);
            if (givenSource is not null || givenAssembly is not null)
            {
                try
                {
                    var logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
                    var user = givenSource is not null
                        ? UserStrategyLoader.FromSource(StrategySources.Resolve(givenSource, Environment.CurrentDirectory, "--strategy-source"), CompiledStrategyCache.DefaultDirectory(), logger)
                        : UserStrategyLoader.FromAssembly(givenAssembly!, Environment.CurrentDirectory, logger);
                    factories = [.. factories, .. user.StrategyTypes.Select(t => (IStrategyFactory)DeclaredStrategyFactory.For(t))];
                }
                catch (StrategyCompilationException e)
                {
                    foreach (var line in e.Errors)
                    {
                        parse.InvocationConfiguration.Error.WriteLine(line);
                    }

                    parse.InvocationConfiguration.Error.WriteLine("error: " + e.Message);
                    return Task.FromResult(CliApp.ExitBadInput);
                }
                catch (Exception e) when (e is StrategyConfigurationException or StrategyDefinitionException or ArgumentException or IOException or BadImageFormatException)
                {
                    parse.InvocationConfiguration.Error.WriteLine("error: " + e.Message);
                    return Task.FromResult(CliApp.ExitBadInput);
                }
            }

            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(Document(factories).ToJsonString(CoverageJson.Indented));
            }
            else
            {
                WriteText(output, factories);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The <c>--json</c> document: keys are always present (null when a parameter has no bound or no allowed values).</summary>
    public static JsonObject Document(IReadOnlyList<IStrategyFactory> factories)
    {
        ArgumentNullException.ThrowIfNull(factories);
        var list = new JsonArray();
        foreach (var factory in factories)
        {
            var parameters = new JsonArray();
            foreach (var p in factory.Parameters)
            {
                parameters.Add(new JsonObject
                {
                    ["name"] = p.Name,
                    ["type"] = TypeName(p.Kind),
                    ["default"] = Value(p.Default),
                    ["minimum"] = p.Minimum is { } min ? JsonValue.Create(min) : null,
                    ["maximum"] = p.Maximum is { } max ? JsonValue.Create(max) : null,
                    ["allowed_values"] = p.AllowedValues is { } allowed ? new JsonArray([.. allowed.Select(v => (JsonNode)JsonValue.Create(v))]) : null,
                    ["enables_short_selling"] = p.EnablesShortSelling,
                    ["description"] = p.Description,
                });
            }

            list.Add(new JsonObject
            {
                ["name"] = factory.Name,
                ["source"] = SourceOf(factory),
                ["description"] = factory.Description,
                ["parameters"] = parameters,
            });
        }

        return new JsonObject { ["strategies"] = list };
    }

    /// <summary>One block per strategy: its name and description, then an aligned table of its parameters.</summary>
    public static void WriteText(TextWriter output, IReadOnlyList<IStrategyFactory> factories)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(factories);
        foreach (var factory in factories)
        {
            var source = SourceOf(factory);
            output.WriteLine(source == BuiltInSource ? factory.Name : $"{factory.Name} ({source})");
            if (factory.Description.Length > 0)
            {
                output.WriteLine($"  {factory.Description}");
            }

            if (factory.Parameters.Count == 0)
            {
                output.WriteLine("  (no parameters)");
                output.WriteLine();
                continue;
            }

            string[] header = ["parameter", "type", "default", "range", "description"];
            var rows = factory.Parameters.Select(p => new[]
            {
                p.Name,
                TypeName(p.Kind),
                Text(p.Default),
                Range(p),
                p.EnablesShortSelling ? $"{p.Description} True needs a margin account." : p.Description,
            }).ToList();
            var widths = Enumerable.Range(0, header.Length - 1)
                .Select(i => Math.Max(header[i].Length, rows.Max(r => r[i].Length)))
                .ToArray();
            output.WriteLine(Row(header, widths));
            output.WriteLine(Row([.. header.Select(h => new string('-', h.Length))], widths));
            foreach (var row in rows)
            {
                output.WriteLine(Row(row, widths));
            }

            output.WriteLine();
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{factories.Count} {(factories.Count == 1 ? "strategy" : "strategies")}. Choose one with strategy.name (--strategy NAME), set its parameters under strategy.params (--param name=value)."));
    }

    private static string Row(string[] cells, int[] widths)
    {
        var line = new StringBuilder("  ");
        for (var i = 0; i < cells.Length; i++)
        {
            line.Append(i < widths.Length ? cells[i].PadRight(widths[i] + 2) : cells[i]);
        }

        return line.ToString().TrimEnd();
    }

    private static string SourceOf(IStrategyFactory factory) =>
        BuiltInStrategies.All.Contains(factory) ? BuiltInSource : UserSource;

    private static string TypeName(ParameterKind kind) => kind switch
    {
        ParameterKind.Integer => "integer",
        ParameterKind.Number => "number",
        ParameterKind.Boolean => "boolean",
        _ => "text",
    };

    private static string Range(ParameterSpec p)
    {
        if (p.AllowedValues is { } allowed)
        {
            return string.Join("|", allowed);
        }

        return (p.Minimum, p.Maximum) switch
        {
            (null, null) => string.Empty,
            ({ } min, null) => $">= {Text(min)}",
            (null, { } max) => $"<= {Text(max)}",
            ({ } min, { } max) => $"[{Text(min)}, {Text(max)}]",
        };
    }

    private static string Text(object value) => value switch
    {
        bool b => b ? "true" : "false",
        string s => s.Length == 0 ? "\"\"" : s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static JsonNode? Value(object value) => value switch
    {
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        decimal d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
