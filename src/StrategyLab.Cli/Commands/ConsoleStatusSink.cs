using System.Globalization;
using Spectre.Console;
using StrategyLab.Core.Calendar;
using StrategyLab.Reporting;
using StrategyLab.Runner.Live;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// The status of a live or replay run on a terminal: which it is, the feed, the exchange's time and the next bar-sync,
/// last bar per symbol, open positions, PnL, and the last fills and log events, redrawn in place after every cycle.
/// Only used when stdout is a terminal; otherwise the structured log lines say the same.
/// </summary>
/// <param name="mode">Live or replay: the title says which.</param>
/// <param name="exchange">The calendar of the run's first symbol: its time zone is the display's.</param>
internal sealed class ConsoleStatusSink(RunMode mode, IMarketCalendar exchange) : ILiveStatusSink
{
    private readonly Lock _gate = new();
    private LiveDisplayContext? _context;
    private Table? _table;

    /// <summary>The last fills and events: add it to the run's recorders and loggers.</summary>
    public RecentActivity Activity { get; } = new(exchange);

    /// <summary>The renderable the live display shows.</summary>
    public Table Table => _table ??= Render(null);

    /// <summary>Attaches the display context to refresh.</summary>
    public void Attach(LiveDisplayContext context) => _context = context;

    public void OnStatus(LiveStatus status)
    {
        lock (_gate)
        {
            _table = Render(status);
            _context?.UpdateTarget(_table);
        }
    }

    private Table Render(LiveStatus? s)
    {
        var title = mode == RunMode.Replay ? "Strategy Lab — replay" : "Strategy Lab — live";
        var table = new Table().Border(TableBorder.Rounded).Title(title);
        table.AddColumn("What");
        table.AddColumn("Now");
        if (s is null)
        {
            table.AddRow("Connection", "starting…");
            return table;
        }

        var colour = s.Connection == Core.Data.FeedConnectionState.Connected ? "green" : "red";
        table.AddRow("Source", Markup.Escape(s.Source));
        if (mode != RunMode.Replay)
        {
            table.AddRow("Connection", $"[{colour}]{s.Connection}[/]"); // a replay reads files: it has no connection
        }

        table.AddRow("Cycles", s.Cycles.ToString("N0", CultureInfo.InvariantCulture));
        var now = Exchange(s.NowUtc);
        table.AddRow(
            mode == RunMode.Replay ? "Market time / next bar" : "Exchange time / next bar sync",
            Markup.Escape(now.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) + " / " + Exchange(s.NextSyncUtc).ToString("HH:mm:ss", CultureInfo.InvariantCulture)));
        foreach (var b in s.LastBars)
        {
            table.AddRow(Markup.Escape($"Last bar {b.Symbol}"), Markup.Escape(FormattableString.Invariant($"{Exchange(b.End):HH:mm:ss}  C {ConsoleNumbers.Price(b.Close)}  V {b.Volume:#,##0.########}")));
        }

        foreach (var p in s.Positions)
        {
            table.AddRow(Markup.Escape($"Position {p.Symbol}"), Markup.Escape(FormattableString.Invariant($"{p.Quantity:0.########} @ {ConsoleNumbers.Price(p.AveragePrice)}  uPnL {p.UnrealizedPnl:0.00}")));
        }

        var pnl = s.Equity - s.InitialCash;
        var tone = Math.Round(pnl, 2) switch { > 0m => "green", < 0m => "red", _ => "default" };
        table.AddRow("Equity / PnL", Markup.Escape(FormattableString.Invariant($"{s.Equity:N2} / ")) + $"[{tone}]" + Markup.Escape(FormattableString.Invariant($"{pnl:+0.00;-0.00;0.00}")) + "[/]");
        AddLines(table, "Last fills", Activity.Fills);
        AddLines(table, "Last events", Activity.Events);
        return table;
    }

    private static void AddLines(Table table, string label, IReadOnlyList<string> lines)
    {
        table.AddRow(label, lines.Count == 0 ? "[grey]none yet[/]" : Markup.Escape(string.Join('\n', lines)));
    }

    private DateTimeOffset Exchange(DateTime utc) => exchange.ToExchangeOffset(utc);
}
