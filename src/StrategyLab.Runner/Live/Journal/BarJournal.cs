using System.Globalization;
using System.Text.Json;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>
/// The door through which a live run hands bars to its engine: the warm-up and every slice are first committed to the
/// journal as one <c>bars</c> row (one transaction), then given to the engine. A live feed cannot be re-read, so this
/// is what lets <c>live --resume</c> put a restarted engine exactly where the crashed one was (<see cref="LiveCatchUp"/>).
/// Without a journal (a backtest, a test harness) it only hands the bars on.
/// </summary>
/// <remarks>
/// The journal writer skips a row the journal already holds (the n-th <c>bars</c> row of a resumed run), so the catch-up
/// hands the journalled bars through this same door without writing them twice.
/// </remarks>
public sealed class BarJournal
{
    /// <summary>The <c>phase</c> of the warm-up row.</summary>
    public const string WarmUpPhase = "warmup";

    /// <summary>The <c>phase</c> of a slice row.</summary>
    public const string SlicePhase = "slice";

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);
    private readonly TradingEngine _engine;
    private readonly JournalWriter? _writer;

    /// <summary>Hands bars to <paramref name="engine"/>, journalling them first when <paramref name="writer"/> is set.</summary>
    public BarJournal(TradingEngine engine, JournalWriter? writer)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _writer = writer;
    }

    /// <summary>Journals the warm-up bars (time order), then shows them to the strategy (<see cref="TradingEngine.WarmUp"/>).</summary>
    public void WarmUp(Bar[] bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        if (bars.Length == 0)
        {
            return;
        }

        Write(WarmUpPhase, bars);
        _engine.WarmUp(bars);
    }

    /// <summary>Journals one slice (bars sharing one end time), then processes it (<see cref="TradingEngine.ProcessSlice"/>).</summary>
    public void Slice(Bar[] bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        if (bars.Length == 0)
        {
            return;
        }

        Write(SlicePhase, bars);
        _engine.ProcessSlice(bars);
    }

    /// <summary>The phase and the bars of a <c>bars</c> row.</summary>
    /// <exception cref="InvalidDataException">Not a readable <c>bars</c> row; the message names its sequence number.</exception>
    public static (string Phase, Bar[] Bars) Read(JournalEvent row)
    {
        ArgumentNullException.ThrowIfNull(row);
        try
        {
            var payload = JsonSerializer.Deserialize<Payload>(row.PayloadJson, PayloadJson) ?? throw new JsonException("empty payload");
            return (payload.Phase, [.. payload.Bars.Select(ToBar)]);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or NullReferenceException)
        {
            throw new InvalidDataException($"journal event {row.Sequence} (bars): {e.Message}", e);
        }
    }

    private void Write(string phase, Bar[] bars)
    {
        if (_writer is null)
        {
            return;
        }

        var end = bars[^1].End;
        _writer.Write(JournalEventKind.Bars, new Payload(phase, Time(end), [.. bars.Select(FromBar)]), marketTimeUtc: end);
    }

    private static JournalBar FromBar(Bar b) => new(
        b.Symbol.Ticker,
        b.Symbol.AssetClass.ToString(),
        Time(b.Start),
        Time(b.End),
        Text(b.Open),
        Text(b.High),
        Text(b.Low),
        Text(b.Close),
        Text(b.Volume),
        b.TradeCount,
        b.Vwap is { } v ? Text(v) : null);

    private static Bar ToBar(JournalBar b) => new(
        Symbol.Create(b.Symbol, Enum.Parse<AssetClass>(b.Asset)),
        ParseTime(b.Start),
        ParseTime(b.End),
        Dec(b.Open),
        Dec(b.High),
        Dec(b.Low),
        Dec(b.Close),
        Dec(b.Volume),
        b.Trades,
        b.Vwap is null ? null : Dec(b.Vwap));

    private static string Text(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    private static decimal Dec(string s) => decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTime ParseTime(string s) =>
        DateTime.ParseExact(s, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>The row's payload: <c>{"phase":"slice","timeUtc":…,"bars":[…]}</c> (decimals as text, exact).</summary>
    private sealed record Payload(string Phase, string TimeUtc, JournalBar[] Bars);

    private sealed record JournalBar(
        string Symbol, string Asset, string Start, string End, string Open, string High, string Low, string Close, string Volume, int? Trades, string? Vwap);
}
