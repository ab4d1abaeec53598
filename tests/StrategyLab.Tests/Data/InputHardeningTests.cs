using System.IO.Compression;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Csv;
using StrategyLab.Data.Lean;

namespace StrategyLab.Tests.Data;

/// <summary>Issue 10 findings on the CSV and LEAN readers: each bad input is a located error, never a silent wrong bar.</summary>
public class InputHardeningTests
{
    private const string Header = "time,open,high,low,close,volume\n";
    private static readonly Symbol Spy = Symbol.Equity("SPY");

    private static List<Bar> Read(string csv, Timeframe tf, Symbol? symbol = null) =>
        new CsvBarReader("bars.csv", () => new StringReader(csv), new CsvBarReaderOptions
        {
            Timeframe = tf,
            Symbol = symbol ?? Spy,
            CalendarFor = MarketCalendars.For,
        }).ReadBars().ToList();

    private static DataFormatException Error(string csv, Timeframe tf, Symbol? symbol = null) =>
        Assert.Throws<DataFormatException>(() => Read(csv, tf, symbol));

    [Fact]
    public void ARowPastTheParsersBuffer_IsALocatedError_NotNotSupportedException()
    {
        // A stray quote on line 2 makes the rest of the file one field; 16 Mi characters is Sep's limit.
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "stray-quote.csv");
        using (var w = new StreamWriter(path))
        {
            w.Write(Header);
            w.Write("\"2024-01-02T14:30:00Z,1,1,1,1,1\n");
            var row = new string('9', 99) + "\n";
            for (var written = 0; written < (17 << 20); written += row.Length)
            {
                w.Write(row);
            }
        }

        var options = new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = Spy, CalendarFor = MarketCalendars.For };
        var e = Assert.Throws<DataFormatException>(() => new CsvBarReader(path, options).ReadBars().ToList());
        Assert.Equal((path, 2L), (e.FilePath, e.Line));
        Assert.Contains("stray quote", e.Message, StringComparison.Ordinal);

        var inferred = Assert.Throws<DataFormatException>(() => CsvBarReader.InferTimeframe(path));
        Assert.Equal(2L, inferred.Line);
    }

    [Fact]
    public void OneMinuteRows_ReadAsFiveMinutes_AreRefusedAtTheSecondRow_SayingTheLikelyTimeframe()
    {
        var csv = Header + "2024-01-02T14:30:00Z,1,1,1,1,1\n2024-01-02T14:31:00Z,1,1,1,1,1\n2024-01-02T14:32:00Z,1,1,1,1,1\n";
        var e = Error(csv, Timeframe.FiveMinutes);
        Assert.Equal((3L, "time"), (e.Line, e.Field));
        Assert.Contains("1 minute apart but the timeframe is 5m, so the timeframe is probably 1m", e.Message, StringComparison.Ordinal);
        Assert.Contains("(line 2)", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, Read(csv, Timeframe.OneMinute).Count);
    }

    [Fact]
    public void LateDayMinutes_ReadAsAnHour_AreRefused_EvenThoughTheSessionCutMakesThemEndTogether()
    {
        var csv = Header + "2024-01-02 15:58,1,1,1,1,1\n2024-01-02 15:59,1,1,1,1,1\n";
        var e = Error(csv, Timeframe.OneHour);
        Assert.Equal(3L, e.Line);
        Assert.Contains("probably 1m", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0,0,0,0,1", "low 0 is not a positive price")]
    [InlineData("-5,1,-5,1,1", "low -5 is not a positive price")]
    [InlineData("1,1,2,1,1", "high 1 is below low 2")]
    [InlineData("3,2,1,1.5,1", "open 3 is outside [low 1, high 2]")]
    public void NonPositiveOrInconsistentPrices_AreRefused_NamingLineAndField(string ohlcv, string reason)
    {
        var e = Error(Header + "2024-01-02T14:30:00Z,1,1,1,1,1\n2024-01-02T14:31:00Z," + ohlcv + "\n", Timeframe.OneMinute);
        Assert.Equal(3L, e.Line);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AVwapOutsideTheBarsRange_IsRefused()
    {
        var e = Error("time,open,high,low,close,volume,vwap\n2024-01-02T14:30:00Z,10,11,9,10,100,12\n", Timeframe.OneMinute);
        Assert.Equal((2L, "vwap"), (e.Line, e.Field));
        Assert.Contains("vwap 12 is outside [low 9, high 11]", e.Message, StringComparison.Ordinal);
        Assert.Equal(10.5m, Read("time,open,high,low,close,volume,vwap\n2024-01-02T14:30:00Z,10,11,9,10,100,10.5\n", Timeframe.OneMinute)[0].Vwap);
    }

    [Fact]
    public void ANumberTooLongToStore_NamesTheCsvLine_WhenALimitIsSet()
    {
        static List<Bar> ReadLimited(string csv) => new CsvBarReader("bars.csv", () => new StringReader(csv), new CsvBarReaderOptions
        {
            Timeframe = Timeframe.OneMinute,
            Symbol = Spy,
            MaxSignificantDigits = 18,
        }).ReadBars().ToList();

        var tooLong = Header + "2024-01-02T14:30:00Z,1,12345678901234567890123.5,1,1,1\n";
        var e = Assert.Throws<DataFormatException>(() => ReadLimited(tooLong));
        Assert.Equal(("bars.csv", 2L, "high"), (e.FilePath, e.Line, e.Field));
        Assert.Contains("needs 24 significant digits", e.Message, StringComparison.Ordinal);
        Assert.Single(ReadLimited(Header + "2024-01-02T14:30:00Z,1.000000000000000000,1,1,1,000000000000000000001\n"));
        Assert.Single(Read(tooLong, Timeframe.OneMinute)); // no limit: a backtest takes any exact decimal
    }

    [Fact]
    public void ControlCharactersFromTheFile_AreEscapedInTheMessage()
    {
        var e = Error(Header + "2024-01-02T14:30:00Z,1,\u001b[31mred\u0007,1,1,1\n", Timeframe.OneMinute);
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.DoesNotContain('\u0007', e.Message);
        Assert.Contains("\\u001B[31mred\\u0007", e.Message, StringComparison.Ordinal);

        var header = Error("time,open,high,low,close,volume,bad\u001b\n", Timeframe.OneMinute);
        Assert.DoesNotContain('\u001b', header.Message);
    }

    [Fact]
    public void ASymbolColumnWithoutTheRequestedSymbol_SaysSoAndListsWhatItHas()
    {
        var csv = "symbol,time,open,high,low,close,volume\nQQQ,2024-01-02T14:30:00Z,1,1,1,1,1\nIWM,2024-01-02T14:30:00Z,1,1,1,1,1\n";
        var e = Error(csv, Timeframe.OneMinute, Spy);
        Assert.Equal("symbol", e.Field);
        Assert.Contains("the symbol column has no rows for SPY; it has IWM, QQQ", e.Message, StringComparison.Ordinal);
        Assert.Single(Read(csv, Timeframe.OneMinute, Symbol.Equity("QQQ")));
    }

    private static string MinuteZip(string root, string date, params (string Name, string Content)[] entries)
    {
        var folder = Path.Combine(root, "equity", "usa", "minute", "spy");
        Directory.CreateDirectory(folder);
        var zip = Path.Combine(folder, date + "_trade.zip");
        using var archive = ZipFile.Open(zip, ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            using var w = new StreamWriter(archive.CreateEntry(name).Open());
            w.Write(content);
        }

        return zip;
    }

    [Fact]
    public void LeanZip_ReadsTheConventionallyNamedEntry_NotTheFirst()
    {
        using var dir = new TempDir();
        MinuteZip(dir.Path, "20131007",
            ("notes.csv", "34200000,9990000,9990000,9990000,9990000,1\n"),
            ("20131007_spy_minute_trade.csv", "34200000,1674100,1674100,1672500,1672700,3197\n"));
        var day = new DateOnly(2013, 10, 7);
        var bar = Assert.Single(new LeanDataFolder(dir.Path).ReadBars(Spy, LeanResolution.Minute, day, day).ToList());
        Assert.Equal(167.41m, bar.Open);
    }

    [Fact]
    public void LeanZip_WithoutTheConventionalEntry_NamesTheZipAndItsEntries()
    {
        using var dir = new TempDir();
        var zip = MinuteZip(dir.Path, "20131007", ("other.csv", "34200000,1674100,1674100,1672500,1672700,3197\n"));
        var day = new DateOnly(2013, 10, 7);
        var e = Assert.Throws<DataFormatException>(() => new LeanDataFolder(dir.Path).ReadBars(Spy, LeanResolution.Minute, day, day).ToList());
        Assert.Equal(zip, e.FilePath);
        Assert.Contains("no entry 20131007_spy_minute_trade.csv; it has other.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeanZip_WithAnEmptyCsv_IsAMissingDay_AndLogged()
    {
        using var dir = new TempDir();
        MinuteZip(dir.Path, "20131007", ("20131007_spy_minute_trade.csv", ""));
        MinuteZip(dir.Path, "20131008", ("20131008_spy_minute_trade.csv", "34200000,1674100,1674100,1672500,1672700,3197\n"));
        var logger = new CapturingLogger();
        var report = new LeanReadReport();
        var bars = new LeanDataFolder(dir.Path, logger: logger)
            .ReadBars(Spy, LeanResolution.Minute, new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 8), report).ToList();
        Assert.Single(bars);
        Assert.Equal([new DateOnly(2013, 10, 7)], report.MissingDays);
        Assert.Contains(logger.Entries, e => e.Event == DataLogEvents.DayMissing);
    }

    [Fact]
    public void LeanZip_WithARowPastTheParsersBuffer_NamesTheEntryAndLine()
    {
        using var dir = new TempDir();
        var content = new System.Text.StringBuilder("34200000,1674100,1674100,1672500,1672700,3197\n\"34260000,1,1,1,1,1\n");
        content.Append('9', 17 << 20);
        var zip = MinuteZip(dir.Path, "20131007", ("20131007_spy_minute_trade.csv", content.ToString()));
        var day = new DateOnly(2013, 10, 7);
        var e = Assert.Throws<DataFormatException>(() => new LeanDataFolder(dir.Path).ReadBars(Spy, LeanResolution.Minute, day, day).ToList());
        Assert.Equal(($"{zip}!20131007_spy_minute_trade.csv", 2L), (e.FilePath, e.Line));
        Assert.Contains("stray quote", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeanBar_WithANonPositivePrice_IsRefused_NamingEntryLineAndField()
    {
        using var dir = new TempDir();
        var zip = MinuteZip(dir.Path, "20131007", ("20131007_spy_minute_trade.csv", "34200000,1674100,1674100,1672500,1672700,3197\n34260000,0,0,0,0,3197\n"));
        var day = new DateOnly(2013, 10, 7);
        var e = Assert.Throws<DataFormatException>(() => new LeanDataFolder(dir.Path).ReadBars(Spy, LeanResolution.Minute, day, day).ToList());
        Assert.Equal(($"{zip}!20131007_spy_minute_trade.csv", 2L, "low"), (e.FilePath, e.Line, e.Field));
        Assert.Contains("not a positive price", e.Message, StringComparison.Ordinal);
    }
}
