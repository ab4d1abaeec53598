using System.CommandLine;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Runner.Live.Journal;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab flatten &lt;run-folder&gt;</c>: cancels every open order and closes every position at the run's broker
/// (Alpaca: <c>DELETE /v2/orders</c>, <c>DELETE /v2/positions</c>), journalling what it asks and what the broker did as
/// <c>operator</c> rows (<see cref="OperatorJournal"/>: safe while the run is live).
/// </summary>
/// <remarks>
/// The broker settings come from the folder's configuration echo (<c>broker.type</c>, <c>broker.live</c>,
/// <c>providers.alpaca.trading_url</c>) and the keys from <c>ALPACA_API_KEY_ID</c> / <c>ALPACA_API_SECRET_KEY</c> (the echo
/// masks them). A run on the simulated exchange is refused: its orders and positions exist only inside its process.
/// Alpaca's cancel-all and close-all act on the whole account, not only this run's orders: the output says so.
/// </remarks>
internal static class FlattenCommand
{
    /// <summary>The flag that allows flattening a real-money account (<c>broker.live: true</c>).</summary>
    public const string LiveConfirmationFlag = "--i-understand-live-trading";

    public static Command Create()
    {
        var folder = new Argument<string>("run-folder") { Description = "The run's folder (it holds journal.db and the configuration echo)." };
        var confirmLive = new Option<bool>(LiveConfirmationFlag) { Description = "Required when the run trades real money (broker.live: true)." };
        var command = new Command(
            "flatten",
            "Cancel all open orders and close all positions at the run's broker (Alpaca), journalled; works on a live run and on a stopped or crashed one. Keys from ALPACA_API_KEY_ID / ALPACA_API_SECRET_KEY.")
        {
            folder, confirmLive,
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
            if (venue != "alpaca")
            {
                await stderr.WriteLineAsync(
                    $"error: the run in {path} trades the simulated exchange (broker.type '{venue}'): its orders and positions exist only inside " +
                    (running
                        ? "the running process. Stop it (Ctrl+C or SIGTERM) to end them; flatten acts on broker runs (broker.type: alpaca)."
                        : "its process, which is not running: there is nothing to flatten at a broker."))
                    .ConfigureAwait(false);
                return CliApp.ExitBadInput;
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

            await stdout.WriteLineAsync($"flatten: {options.Describe()} (the whole account: every open order, every position); run {(running ? "live" : "not running")}").ConfigureAwait(false);
            return await FlattenAsync(path, options, running, stdout, stderr, token).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> FlattenAsync(string path, AlpacaOptions options, bool running, TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        var time = TimeProvider.System;
        var broker = options.EffectiveTradingUrl.GetLeftPart(UriPartial.Authority);
        try
        {
            OperatorJournal.Append(path, "flatten.requested", new { venue = "alpaca", broker, live = options.Live, runLive = running }, time);
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

            OperatorJournal.Append(path, "flatten.done", new { canceledOrders = canceled.Count, closeOrders = closing.Count }, time);
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
}
