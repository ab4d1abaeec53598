using System.Globalization;
using Spectre.Console;
using StrategyLab.Runner.Live;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// The live status on a terminal: connection, last bar per symbol, open positions, PnL and the next bar-sync, redrawn
/// in place after every cycle. Only used when stdout is a terminal; otherwise the structured log lines say the same.
/// </summary>
internal sealed class ConsoleStatusSink : ILiveStatusSink
{
    private readonly Lock _gate = new();
    private LiveDisplayContext? _context;
    private Table _table = Render(null);

    /// <summary>The renderable the live display shows.</summary>
    public Table Table => _table;

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

    private static Table Render(LiveStatus? s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Strategy Lab — live");
        table.AddColumn("What");
        table.AddColumn("Now");
        if (s is null)
        {
            table.AddRow("Connection", "starting…");
            return table;
        }

        var colour = s.Connection == Core.Data.FeedConnectionState.Connected ? "green" : "red";
        table.AddRow("Source", Markup.Escape(s.Source));
        table.AddRow("Connection", $"[{colour}]{s.Connection}[/]");
        table.AddRow("Cycles", s.Cycles.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("Now / next bar sync", Markup.Escape(s.NowUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " / " + s.NextSyncUtc.ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)));
        foreach (var b in s.LastBars)
        {
            table.AddRow(Markup.Escape($"Last bar {b.Symbol}"), Markup.Escape(FormattableString.Invariant($"{b.End:HH:mm:ss} UTC  C {b.Close}  V {b.Volume}")));
        }

        foreach (var p in s.Positions)
        {
            table.AddRow(Markup.Escape($"Position {p.Symbol}"), Markup.Escape(FormattableString.Invariant($"{p.Quantity} @ {p.AveragePrice:0.####}  uPnL {p.UnrealizedPnl:0.00}")));
        }

        var pnl = s.Equity - s.InitialCash;
        table.AddRow("Equity / PnL", Markup.Escape(FormattableString.Invariant($"{s.Equity:N2} / {pnl:+0.00;-0.00}")));
        return table;
    }
}
