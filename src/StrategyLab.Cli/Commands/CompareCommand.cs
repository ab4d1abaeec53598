using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using StrategyLab.Reporting.Html;
using StrategyLab.Reporting.Reading;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab compare &lt;run&gt; &lt;run&gt; … [--out compare.html] [--json]</c>: the runs' statistics side by side
/// on the terminal, and <c>compare.html</c> with their equity curves overlaid.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "Two or more run folders.", Arity = new ArgumentArity(2, ArgumentArity.ZeroOrMore.MaximumNumberOfValues) };
        var output = new Option<string>("--out", "-o") { Description = "The HTML page to write.", DefaultValueFactory = _ => CompareReport.DefaultFileName };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (every run's statistics, counts and per-symbol attribution, the page's path) on stdout instead of the table." };
        var command = new Command("compare", "Compare runs: statistics side by side, and an HTML page with the equity curves overlaid (normalised to 100 or absolute).")
        {
            runs, output, json,
        };
        command.SetAction(async (parse, token) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var folders = parse.GetValue(runs) ?? [];
            List<RunSummary> summaries;
            string page;
            try
            {
                summaries = [.. folders.Select(RunSummary.Read)];
                page = CompareReport.Write(folders, parse.GetValue(output)!);
            }
            catch (RunFolderException e)
            {
                await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return CliApp.ExitBadInput;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return CliApp.ExitFailure;
            }

            var names = RunNames.Of(summaries);
            if (parse.GetValue(json))
            {
                WriteJson(stdout, summaries, names, page);
            }
            else
            {
                WriteTable(stdout, summaries, names, page);
            }

            return 0;
        });
        return command;
    }

    private static void WriteTable(TextWriter stdout, List<RunSummary> summaries, IReadOnlyList<string> names, string page)
    {
        var console = RunConsole.For(stdout);
        var terminal = RunConsole.IsTerminal(stdout);
        if (!terminal)
        {
            // A pipe or a file has no width: give the table room rather than wrapping every cell.
            console.Profile.Width = Math.Max(console.Profile.Width, 36 + (summaries.Count * 22));
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Strategy Lab — comparison");
        table.AddColumn("Metric");
        foreach (var name in names)
        {
            table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        }

        foreach (var row in RunComparison.Rows(summaries))
        {
            var cells = new List<string> { Markup.Escape(row.Label) };
            for (var i = 0; i < row.Texts.Count; i++)
            {
                var text = Markup.Escape(row.Texts[i]);
                // The best of the row: green on a terminal, a star in plain text.
                cells.Add(!row.Best.Contains(i) ? text : terminal ? $"[green]{text}[/]" : text + " *");
            }

            table.AddRow([.. cells]);
        }

        console.Write(table);
        // Plain lines, not through the console: it would wrap a long path at its width.
        stdout.WriteLine(terminal ? "Best of each row in green." : "* best of the row.");
        stdout.WriteLine("Compare page: " + page);
    }

    private static void WriteJson(TextWriter stdout, List<RunSummary> summaries, IReadOnlyList<string> names, string page)
    {
        var runs = new JsonArray();
        var differences = RunNames.Differences(summaries);
        for (var i = 0; i < summaries.Count; i++)
        {
            var s = summaries[i];
            var differs = new JsonObject();
            foreach (var d in differences)
            {
                differs[d.Key] = d.Values[i];
            }

            runs.Add(new JsonObject
            {
                ["name"] = names[i],
                ["folder"] = s.Folder,
                ["mode"] = s.Mode,
                ["strategy"] = s.StrategyName,
                ["parameters"] = s.Document["configuration"]?["strategy"]?["params"]?.DeepClone(),
                ["differs"] = differs,
                ["symbols"] = new JsonArray([.. s.Symbols.Select(x => (JsonNode?)JsonValue.Create(x))]),
                ["period"] = s.Document["period"]?.DeepClone(),
                ["statistics"] = s.Document["statistics"]?.DeepClone(),
                ["counts"] = s.Document["counts"]?.DeepClone(),
                ["attribution"] = s.Document["attribution"]?.DeepClone(),
            });
        }

        var doc = new JsonObject { ["html"] = page, ["runs"] = runs };
        stdout.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
