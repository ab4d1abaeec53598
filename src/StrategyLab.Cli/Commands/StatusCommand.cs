using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using StrategyLab.Runner.Live.Journal;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab status &lt;run-folder&gt;</c>: positions, open orders and the last events of a live run, from its journal.
/// Read-only and safe while the run is live: a WAL reader sees the last committed event and never blocks the writer.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("run-folder") { Description = "The live run's folder (it holds journal.db)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of the text summary." };
        var last = new Option<int>("--last") { Description = "How many of the last events to show (default 10).", DefaultValueFactory = _ => 10 };
        var command = new Command("status", "Show a live (or stopped, or crashed) run's positions, open orders and last events, from its journal; safe while the run is live.")
        {
            folder, json, last,
        };
        command.SetAction(async (parse, _) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var path = Path.GetFullPath(parse.GetValue(folder)!);
            if (!File.Exists(Path.Combine(path, Runner.Live.Journal.LiveJournal.FileName)))
            {
                await stderr.WriteLineAsync(
                    $"error: {path} has no journal (journal.db): status reads the journal of a live run; backtests and runs of older builds have none.")
                    .ConfigureAwait(false);
                return CliApp.ExitBadInput;
            }

            JournalStatus status;
            try
            {
                using var reader = JournalReader.Open(path);
                status = reader.Status(Math.Max(0, parse.GetValue(last)));
            }
            catch (Exception e) when (e is SqliteException or IOException or FormatException)
            {
                await stderr.WriteLineAsync($"error: the journal of {path} cannot be read: {e.Message}").ConfigureAwait(false);
                return CliApp.ExitFailure;
            }

            var running = OperatorJournal.IsHeldByARun(path);
            var venue = RunFolderEcho.String(RunFolderEcho.Read(path), "broker.type") ?? "simulated";
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(ToJson(path, running, venue, status).ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteAsync(ToText(path, running, venue, status)).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static JsonObject ToJson(string path, bool running, string venue, JournalStatus status)
    {
        var positions = new JsonArray();
        foreach (var p in status.Positions)
        {
            positions.Add(new JsonObject
            {
                ["symbol"] = p.Symbol,
                ["qty"] = p.Quantity,
                ["avg_entry_price"] = p.AverageEntryPrice,
                ["seq"] = p.Sequence,
                ["time_utc"] = Time(p.TimeUtc),
            });
        }

        var orders = new JsonArray();
        foreach (var e in status.OpenOrders)
        {
            orders.Add(Event(e));
        }

        var events = new JsonArray();
        foreach (var e in status.LastEvents)
        {
            events.Add(Event(e));
        }

        return new JsonObject
        {
            ["run_folder"] = path,
            ["running"] = running,
            ["venue"] = venue,
            ["last_seq"] = status.LastSequence,
            ["positions"] = positions,
            ["open_orders"] = orders,
            ["last_events"] = events,
        };
    }

    private static JsonObject Event(JournalEvent e) => new()
    {
        ["seq"] = e.Sequence,
        ["time_utc"] = Time(e.TimeUtc),
        ["kind"] = JournalKinds.ToText(e.Kind),
        ["symbol"] = e.Symbol,
        ["client_order_id"] = e.ClientOrderId,
        ["broker_order_id"] = e.BrokerOrderId,
        ["order_status"] = e.OrderStatus,
        ["payload"] = JsonNode.Parse(e.PayloadJson),
    };

    private static string ToText(string path, bool running, string venue, JournalStatus status)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"run       {path}");
        w.WriteLine($"state     {(running ? "live (a process holds the journal)" : "not running (stopped or crashed)")}");
        w.WriteLine($"venue     {venue}");
        w.WriteLine($"journal   {status.LastSequence} event(s)");
        w.WriteLine();
        w.WriteLine($"positions ({status.Positions.Count})");
        foreach (var p in status.Positions)
        {
            w.WriteLine($"  {p.Symbol,-10} {p.Quantity,12}  avg {(p.AverageEntryPrice?.ToString(CultureInfo.InvariantCulture) ?? "-"),-12} (#{p.Sequence}, {Time(p.TimeUtc)})");
        }

        w.WriteLine($"open orders ({status.OpenOrders.Count})");
        foreach (var e in status.OpenOrders)
        {
            w.WriteLine($"  {e.ClientOrderId,-28} {e.Symbol,-10} {e.OrderStatus,-16} broker {e.BrokerOrderId ?? "-"} (#{e.Sequence}, {Time(e.TimeUtc)})");
        }

        w.WriteLine($"last events ({status.LastEvents.Count})");
        foreach (var e in status.LastEvents)
        {
            var payload = e.PayloadJson.Length > 100 ? e.PayloadJson[..100] + "…" : e.PayloadJson;
            w.WriteLine($"  #{e.Sequence,-6} {Time(e.TimeUtc)} {JournalKinds.ToText(e.Kind),-14} {e.Symbol ?? "",-10} {e.ClientOrderId ?? ""} {e.OrderStatus ?? ""} {payload}");
        }

        return w.ToString();
    }

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
