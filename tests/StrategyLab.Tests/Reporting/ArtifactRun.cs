using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Statistics;
using StrategyLab.Core.Strategies;
using StrategyLab.Reporting;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// Runs a small engine scenario (weekday New York test calendar, default per-share commission: $1 a fill for 10
/// shares, 10 shares a trade) with a <see cref="RunFolderWriter"/> into a folder.
/// </summary>
internal sealed class ArtifactRun
{
    public const decimal InitialCash = 100_000m;

    public ArtifactRun(string folder, IStrategy strategy, Symbol[] symbols, RiskSettings? risk = null, RunMode mode = RunMode.Backtest,
        bool? writeBars = null, bool closeAtEnd = false, IRunRecorder? probe = null, AccountType account = AccountType.Cash,
        EquityResolution? equity = EquityResolution.Cycle)
    {
        var calendar = WeekdayTestCalendar.Instance;
        Portfolio = new Portfolio(InitialCash, account);
        Exchange = new SimulatedExchange(new ExchangeSettings(), Portfolio, _ => calendar, symbols);
        var tradeManager = new TradeManager(
            new TradeManagerSettings { Sizing = SizingMode.FixedQuantity, Quantity = 10 },
            risk ?? new RiskSettings { StopLossPct = null },
            Exchange,
            Portfolio,
            NullLogger.Instance);
        Statistics = new StatisticsRecorder(InitialCash, calendar);
        Writer = new RunFolderWriter(folder, new RunFolderOptions
        {
            Mode = mode,
            Calendars = _ => calendar,
            EquityCalendar = calendar,
            WriteBars = writeBars,
            Equity = equity,
            Excursions = Statistics,
            Configuration = System.Text.Json.Nodes.JsonNode.Parse("""{"strategy":"scripted","symbols":["AAA"],"cash":100000}"""),
            Data = new DataDescription("test-bars", Synthetic: true, Label: "hand-made minute bars"),
        });
        IRunRecorder[] recorders = probe is null ? [Statistics, Recorder, Writer] : [Statistics, Recorder, Writer, probe];
        Engine = new TradingEngine(strategy, Exchange, Portfolio, tradeManager, symbols, _ => calendar, new CompositeRecorder(recorders), NullLogger.Instance,
            new EngineOptions { ClosePositionsAtEnd = closeAtEnd });
        Exchange.Listener = Engine;
        Folder = Writer.DirectoryPath;
    }

    public string Folder { get; }

    public Portfolio Portfolio { get; }

    public SimulatedExchange Exchange { get; }

    public StatisticsRecorder Statistics { get; }

    public RecordingRecorder Recorder { get; } = new();

    public RunFolderWriter Writer { get; }

    public TradingEngine Engine { get; }

    public ArtifactRun Run(IReadOnlyList<Bar> bars)
    {
        Writer.Complete(RunEngine(bars));
        return this;
    }

    /// <summary>Runs the engine over <paramref name="bars"/> and finishes it; returns the snapshot to complete the folder with.</summary>
    public RunSnapshot RunEngine(IReadOnlyList<Bar> bars)
    {
        Engine.Run(bars);
        Engine.Finish(bars[^1].End);
        return RunSnapshot.Of(Engine, Statistics.Compute()) with { Daily = Statistics.Daily() };
    }

    public string Text(string file) => ReadShared(Path.Combine(Folder, file));

    public string[] Lines(string file) => Text(file).Split('\n')[..^1];

    /// <summary>Reads a file the writer may still have open.</summary>
    public static string ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(s, new UTF8Encoding(false));
        return r.ReadToEnd();
    }

    /// <summary>A minute series: bar i opens at base + i × step, high +0.05, low −0.05, close +0.02.</summary>
    public static List<Bar> Minutes(Symbol s, string date, string from, int count, decimal basePrice, decimal step = 0.10m)
    {
        var bars = new List<Bar>();
        var start = Bars.Ny($"{date} {from}");
        for (var i = 0; i < count; i++)
        {
            var o = basePrice + (i * step);
            var t = start.AddMinutes(i);
            bars.Add(new Bar(s, t, t.AddMinutes(1), o, o + 0.05m, o - 0.05m, o + 0.02m, 1000 + i, tradeCount: i % 2 == 0 ? 10 + i : null));
        }

        return bars;
    }

    /// <summary>A tiny CSV reader (RFC 4180 quoting), separate from the writer, for checking files.</summary>
    public static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        Assert.True(field.Length == 0 && fields.Count == 0 && !quoted, "the file does not end with a whole line");
        return rows;
    }

    public static decimal Dec(string s) => decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture);
}
