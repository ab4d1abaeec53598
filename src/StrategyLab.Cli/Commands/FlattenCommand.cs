using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Runner.Live.Journal;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab flatten &lt;run-folder&gt;</c>. On a live run (a process holds the journal's lock) it hands the request to
/// that process through the journal (<c>flatten.requested</c>): the run's engine cancels its own open orders and closes its
/// positions through its venue, halts trading, and answers <c>flatten.applied</c> then <c>flatten.done</c>
/// (<see cref="Runner.Live.OperatorDesk"/>), which the command waits for and prints. Works with the simulated exchange and
/// with a broker. On a stopped or crashed run, or when the live process dies before it is done (<c>flatten.abandoned</c>),
/// it cancels every open order and closes every position at the broker itself (Alpaca: <c>DELETE /v2/orders</c>,
/// <c>DELETE /v2/positions</c>), journalling what it asks and what the broker did as <c>operator</c> rows.
/// </summary>
/// <remarks>
/// The broker settings come from the folder's configuration echo (<c>broker.type</c>, <c>broker.live</c>,
/// <c>providers.alpaca.trading_url</c>) and the keys from <c>ALPACA_API_KEY_ID</c> / <c>ALPACA_API_SECRET_KEY</c> (the echo
/// masks them). A stopped run on the simulated exchange has nothing to flatten: its orders and positions ended with its
/// process. Alpaca's cancel-all and close-all act on the whole account, not only this run's orders: the output says so.
/// </remarks>
internal static class FlattenCommand
{
    /// <summary>The flag that allows flattening a real-money account (<c>broker.live: true</c>).</summary>
    public const string LiveConfirmationFlag = "--i-understand-live-trading";

    public static Command Create()
    {
        var folder = new Argument<string>("run-folder") { Description = "The run's folder (it holds journal.db and the configuration echo)." };
        var confirmLive = new Option<bool>(LiveConfirmationFlag) { Description = "Required when the run trades real money (broker.live: true)." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for a live run to report the flatten done (default 60).", DefaultValueFactory = _ => 60 };
        var command = new Command(
            "flatten",
            "Cancel all open orders and close all positions, journalled. A live run does it itself through its engine and halts trading (simulated exchange or broker); a stopped or crashed run is flattened at its broker (Alpaca). Keys from ALPACA_API_KEY_ID / ALPACA_API_SECRET_KEY.")
        {
            folder, confirmLive, timeout,
        };
        command.SetAction(async (parse, token) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var path = Path.GetFullPath(parse.GetValue(folder)!);
            if (!File.Exists(Path.Combine(path, Runner.Live.Journal.LiveJournal.FileName)))
            {
                await stderr.WriteLineAsync($"error: {path} has no journal (journal.db): flatten acts on the runs that journal (live runs).").ConfigureAwait(false);
                return CliApp.ExitBadInput;
            }

            var echo = RunFolderEcho.Read(path);
            var running = OperatorJournal.IsHeldByARun(path);
            var venue = RunFolderEcho.String(echo, "broker.type") ?? "simulated";
            if (venue != "alpaca" && !running)
            {
                await stderr.WriteLineAsync(
                    $"error: the run in {path} trades the simulated exchange (broker.type '{venue}') and its process is not running: " +
                    "its orders and positions ended with it; there is nothing to flatten at a broker.")
                    .ConfigureAwait(false);
                return CliApp.ExitBadInput;
            }

            if (venue != "alpaca")
            {
                var answer = await HandOffAsync(path, venue, TimeSpan.FromSeconds(parse.GetValue(timeout)), stdout, stderr, token).ConfigureAwait(false);
                if (answer.Code is { } code)
                {
                    return code;
                }

                await stderr.WriteLineAsync("error: the live process ended before it was done; a simulated exchange's orders and positions ended with it.").ConfigureAwait(false);
                return CliApp.ExitFailure;
            }

            var live = RunFolderEcho.Bool(echo, "broker.live");
            if (live && !parse.GetValue(confirmLive))
            {
                await stderr.WriteLineAsync($"error: the run trades real money (broker.live: true): add {LiveConfirmationFlag} to flatten it.").ConfigureAwait(false);
                return CliApp.ExitBadInput;
            }

            var options = new AlpacaOptions { Live = live }.WithKeysFromEnvironment();
            if (RunFolderEcho.String(echo, "providers.alpaca.trading_url") is { Length: > 0 } url)
            {
                options.TradingUrl = new Uri(url);
            }

            if (string.IsNullOrWhiteSpace(options.KeyId) || string.IsNullOrWhiteSpace(options.SecretKey))
            {
                await stderr.WriteLineAsync(
                    $"error: no Alpaca keys: set {AlpacaOptions.KeyIdVariable} and {AlpacaOptions.SecretKeyVariable} (the run folder keeps none).")
                    .ConfigureAwait(false);
                return CliApp.ExitAuthenticationFailed;
            }

            long? request = null;
            if (running)
            {
                var answer = await HandOffAsync(path, venue, TimeSpan.FromSeconds(parse.GetValue(timeout)), stdout, stderr, token).ConfigureAwait(false);
                if (answer.Code is { } code)
                {
                    return code;
                }

                request = answer.Request;
                await stdout.WriteLineAsync("flatten: the live process ended before it was done; flattening at the broker").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync($"flatten: {options.Describe()} (the whole account: every open order, every position); run {(running ? "live, then gone" : "not running")}").ConfigureAwait(false);
            return await FlattenAsync(path, options, request, stdout, stderr, token).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> FlattenAsync(string path, AlpacaOptions options, long? request, TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        var time = TimeProvider.System;
        var broker = options.EffectiveTradingUrl.GetLeftPart(UriPartial.Authority);
        try
        {
            request ??= OperatorJournal.Append(path, "flatten.requested", new { venue = "alpaca", broker, live = options.Live, runLive = false }, time);
        }
        catch (SqliteException e)
        {
            await stderr.WriteLineAsync($"error: cannot journal the request in {path}: {e.Message}; nothing was sent.").ConfigureAwait(false);
            return CliApp.ExitFailure;
        }

        using var loggers = LoggerFactory.Create(_ => { });
        using var client = new AlpacaTradingClient(options, loggers.CreateLogger("StrategyLab.Flatten"));
        try
        {
            var canceled = await client.CancelAllOrdersAsync(token).ConfigureAwait(false);
            foreach (var o in canceled)
            {
                OperatorJournal.Append(path, "flatten.cancel", new { brokerOrderId = o.Id, clientOrderId = o.ClientOrderId, status = o.Status }, time, o.Symbol);
            }

            var closing = await client.CloseAllPositionsAsync(token).ConfigureAwait(false);
            foreach (var o in closing)
            {
                OperatorJournal.Append(
                    path, "flatten.close", new { brokerOrderId = o.Id, clientOrderId = o.ClientOrderId, side = o.Side, qty = o.Quantity, status = o.Status }, time, o.Symbol);
            }

            OperatorJournal.Append(path, "flatten.done", new { request, by = "command", canceledOrders = canceled.Count, closeOrders = closing.Count }, time);
            await stdout.WriteLineAsync($"flatten: {canceled.Count} order(s) canceled, {closing.Count} position(s) closing").ConfigureAwait(false);
            foreach (var o in closing)
            {
                await stdout.WriteLineAsync($"  {o.Symbol} {o.Side} {o.Quantity} ({o.Status}, order {o.Id})").ConfigureAwait(false);
            }

            return 0;
        }
        catch (AlpacaApiException e)
        {
            var text = client.Redactor.Redact(e.Message);
            OperatorJournal.Append(path, "flatten.failed", new { error = text, status = (int?)e.StatusCode }, time);
            await stderr.WriteLineAsync($"error: Alpaca refused or failed: {text}").ConfigureAwait(false);
            return e.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden ? CliApp.ExitAuthenticationFailed : CliApp.ExitFailure;
        }
    }

    /// <summary>What a live run answered: an exit code when the command is finished, else the request to carry out at the broker.</summary>
    private readonly record struct HandOff(int? Code, long Request);

    /// <summary>
    /// Journals <c>flatten.requested</c> for the live process and waits for its <c>flatten.done</c>. When the process is gone
    /// before that, journals <c>flatten.abandoned</c> and returns no code (the caller falls back to the broker).
    /// </summary>
    private static async Task<HandOff> HandOffAsync(string path, string venue, TimeSpan timeout, TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        var time = TimeProvider.System;
        long request;
        try
        {
            request = OperatorJournal.Append(path, "flatten.requested", new { venue, runLive = true }, time);
        }
        catch (SqliteException e)
        {
            await stderr.WriteLineAsync($"error: cannot journal the request in {path}: {e.Message}; nothing was done.").ConfigureAwait(false);
            return new HandOff(CliApp.ExitFailure, 0);
        }

        await stdout.WriteLineAsync($"flatten: the run is live; request {request} handed to its process (it cancels and closes through its engine, then halts trading)").ConfigureAwait(false);
        var deadline = DateTime.UtcNow + timeout;
        var applied = false;
        var seen = request;
        while (true)
        {
            var gone = !OperatorJournal.IsHeldByARun(path); // before reading: a process that wrote "done" and then stopped is seen done
            using (var reader = JournalReader.Open(path))
            {
                foreach (var row in reader.ReadOperatorAfter(seen))
                {
                    seen = row.Sequence;
                    var payload = JsonNode.Parse(row.PayloadJson)!.AsObject();
                    if (payload["request"]?.GetValue<long>() != request)
                    {
                        continue;
                    }

                    switch (payload["action"]?.GetValue<string>())
                    {
                        case "flatten.applied":
                            applied = true;
                            break;
                        case "flatten.done":
                            await PrintDoneAsync(payload, stdout).ConfigureAwait(false);
                            return new HandOff(0, request);
                    }
                }
            }

            if (gone)
            {
                OperatorJournal.Append(path, "flatten.abandoned", new { request, applied }, time);
                await stdout.WriteLineAsync($"flatten: flatten.abandoned: the live process ended before it was done (applied: {(applied ? "yes" : "no")})").ConfigureAwait(false);
                return new HandOff(null, request);
            }

            if (DateTime.UtcNow >= deadline)
            {
                await stderr.WriteLineAsync(
                    $"error: the live run did not report the flatten done within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (applied: {(applied ? "yes" : "no")}); " +
                    "the request stays in its journal and `strategylab status` shows the run's orders and positions.")
                    .ConfigureAwait(false);
                return new HandOff(CliApp.ExitFailure, request);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), token).ConfigureAwait(false);
        }
    }

    private static async Task PrintDoneAsync(JsonObject done, TextWriter stdout)
    {
        var canceled = done["canceled"]?.AsArray() ?? [];
        var closed = done["closed"]?.AsArray() ?? [];
        await stdout.WriteLineAsync($"flatten: done by the live run: {canceled.Count} order(s) canceled, {closed.Count} position(s) closed; trading is halted, the process keeps running").ConfigureAwait(false);
        foreach (var o in canceled)
        {
            await stdout.WriteLineAsync($"  canceled {o!["symbol"]} {o["side"]} {o["qty"]} {o["type"]} ({o["tag"]}, {o["clientOrderId"]})").ConfigureAwait(false);
        }

        foreach (var o in closed)
        {
            await stdout.WriteLineAsync($"  closed {o!["symbol"]} {o["side"]} {o["qty"]} at {o["avgFillPrice"]} ({o["status"]}, {o["clientOrderId"]})").ConfigureAwait(false);
        }
    }
}
