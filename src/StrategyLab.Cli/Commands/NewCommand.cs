using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab new strategy &lt;Name&gt; [--template crossover|breakout|rotation] [--out DIR]</c>: writes a documented
/// starter strategy file and a <c>run.json</c> that backtests it at once on the built-in synthetic market.
/// </summary>
internal static class NewCommand
{
    /// <summary>The templates, by name: what each one shows.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Templates = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["crossover"] = "a moving-average crossover with entries, exits and attached risk exits",
        ["breakout"] = "an intraday opening-range breakout with a scheduled flat before the close",
        ["rotation"] = "a rotation across several symbols with target positions",
    };

    public static Command Create()
    {
        var strategy = new Command("strategy", "Write <Name>.cs, a documented starter strategy, and run.json, which backtests it on the built-in synthetic market: `strategylab backtest --config run.json`.");
        var name = new Argument<string>("Name") { Description = "The class name (a C# identifier, e.g. MyBreakout); the configuration name is its snake_case (my_breakout)." };
        var template = new Option<string>("--template")
        {
            Description = "What the starter does: " + string.Join("; ", Templates.Select(t => $"{t.Key} = {t.Value}")) + ".",
            DefaultValueFactory = _ => "crossover",
        };
        template.AcceptOnlyFromAmong([.. Templates.Keys]);
        var output = new Option<string>("--out") { Description = "The folder to write into (created when missing; default: the current folder)." };
        strategy.Arguments.Add(name);
        strategy.Options.Add(template);
        strategy.Options.Add(output);
        strategy.SetAction(async (parse, token) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var className = parse.GetValue(name)!.Trim();
            if (!IsClassName(className))
            {
                await stderr.WriteLineAsync($"error: '{className}' is not a C# class name (letters, digits and _, starting with a letter; not a keyword).").ConfigureAwait(false);
                return CliApp.ExitBadInput;
            }

            var folder = Path.GetFullPath(parse.GetValue(output) ?? ".");
            var files = Write(className, parse.GetValue(template)!);
            foreach (var (file, _) in files)
            {
                var path = Path.Combine(folder, file);
                if (File.Exists(path) || Directory.Exists(path))
                {
                    await stderr.WriteLineAsync($"error: {path} already exists; nothing was written (choose another name or --out folder).").ConfigureAwait(false);
                    return CliApp.ExitBadInput;
                }
            }

            try
            {
                Directory.CreateDirectory(folder);
                foreach (var (file, text) in files)
                {
                    // CreateNew: a file that appeared since the check above is not overwritten.
                    using var stream = new FileStream(Path.Combine(folder, file), FileMode.CreateNew, FileAccess.Write);
                    using var writer = new StreamWriter(stream, new UTF8Encoding(false));
                    await writer.WriteAsync(text.AsMemory(), token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return CliApp.ExitFailure;
            }

            var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(folder, "run.json"));
            await stdout.WriteLineAsync($"wrote {Path.Combine(folder, className + ".cs")} and {Path.Combine(folder, "run.json")}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"try it: strategylab backtest --config {relative}").ConfigureAwait(false);
            return 0;
        });

        var command = new Command("new", "Create a starter for your own work (a strategy file and a run.json).");
        command.Subcommands.Add(strategy);
        return command;
    }

    /// <summary>The files of a new strategy: <c>&lt;Name&gt;.cs</c> and <c>run.json</c>, by file name.</summary>
    internal static IReadOnlyList<(string File, string Text)> Write(string className, string template)
    {
        var snake = SnakeCase(className);
        var source = ReadTemplate(template + ".source.txt")
            .Replace("__ClassName__", className, StringComparison.Ordinal)
            .Replace("__strategy_name__", snake, StringComparison.Ordinal);
        var config = ReadTemplate(template + ".run.json.txt")
            .Replace("__ClassName__", className, StringComparison.Ordinal)
            .Replace("__strategy_name__", snake, StringComparison.Ordinal);
        return [(className + ".cs", source), ("run.json", config)];
    }

    /// <summary><c>MyBreakout</c> → <c>my_breakout</c>, <c>RSI2Reversion</c> → <c>rsi2_reversion</c>.</summary>
    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousLower = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var nextLower = i + 1 < name.Length && char.IsLower(name[i + 1]) && i > 0 && char.IsUpper(name[i - 1]);
                if (sb.Length > 0 && sb[^1] != '_' && (previousLower || nextLower))
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static bool IsClassName(string name) =>
        SyntaxFacts.IsValidIdentifier(name)
        && char.IsLetter(name[0])
        && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None
        && SyntaxFacts.GetContextualKeywordKind(name) == SyntaxKind.None;

    private static string ReadTemplate(string file)
    {
        var resource = "StrategyLab.Cli.Templates." + file;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The template {resource} is not embedded in the CLI."));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
