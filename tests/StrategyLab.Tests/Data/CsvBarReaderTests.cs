using System.Globalization;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Csv;
using StrategyLab.Data.Text;

namespace StrategyLab.Tests.Data;

public class CsvBarReaderTests
{
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");

    private static CsvBarReader Reader(string csv, Timeframe tf, Symbol? symbol = null, TimeIs timeIs = TimeIs.Start,
        bool skip = false, CapturingLogger? logger = null, bool ignoreUnknown = false) =>
        new("bars.csv", () => new StringReader(csv), new CsvBarReaderOptions
        {
            Timeframe = tf,
            Symbol = symbol,
            TimeIs = timeIs,
            SkipBadRows = skip,
            Logger = logger,
            IgnoreUnknownColumns = ignoreUnknown,
            CalendarFor = MarketCalendars.For,
        });

    private static List<Bar> Read(string csv, Timeframe tf, Symbol? symbol = null, TimeIs timeIs = TimeIs.Start) =>
        Reader(csv, tf, symbol, timeIs).ReadBars().ToList();

    private static DataFormatException Error(string csv, Timeframe tf, Symbol? symbol = null, TimeIs timeIs = TimeIs.Start) =>
        Assert.Throws<DataFormatException>(() => Read(csv, tf, symbol, timeIs));

    [Theory]
    [InlineData("2024-01-02T09:30:00-05:00")]
    [InlineData("2024-01-02T14:30:00Z")]
    [InlineData("2024-01-02T14:30:00.000Z")]
    [InlineData("2024-01-02T15:30:00+01:00")]
    [InlineData("2024-01-02T15:30:00+0100")]
    [InlineData("2024-01-02 09:30:00")] // naive: New York wall time
    [InlineData("2024-01-02T09:30")]
    [InlineData("2024-01-02 09:30")]
    [InlineData("1704205800")] // Unix seconds
    [InlineData("1704205800000")] // Unix milliseconds
    public void EveryTimeFormat_GivesTheSameInstant(string time)
    {
        var bars = Read($"time,open,high,low,close,volume\n{time},100.5,101,100,100.75,1200\n", Timeframe.OneMinute, Spy);
        var bar = Assert.Single(bars);
        Assert.Equal(Utc.At(2024, 1, 2, 14, 30), bar.Start);
        Assert.Equal(Utc.At(2024, 1, 2, 14, 31), bar.End);
        Assert.Equal(DateTimeKind.Utc, bar.Start.Kind);
        Assert.Equal((100.5m, 101m, 100m, 100.75m, 1200m), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
        Assert.Equal(Spy, bar.Symbol);
    }

    [Fact]
    public void NaiveTime_FollowsDaylightSaving()
    {
        var bar = Read("time,open,high,low,close,volume\n2024-07-02 09:30,1,1,1,1,1\n", Timeframe.OneMinute, Spy).Single();
        Assert.Equal(Utc.At(2024, 7, 2, 13, 30), bar.Start); // EDT is UTC-4
    }

    [Fact]
    public void NaiveTime_OfACryptoSymbol_IsUtc()
    {
        var bar = Read("time,open,high,low,close,volume\n2024-07-02 09:30,1,1,1,1,1\n", Timeframe.OneMinute, Btc).Single();
        Assert.Equal(Utc.At(2024, 7, 2, 9, 30), bar.Start);
    }

    [Theory]
    [InlineData("99999999999", "5138-11-16T09:46:39Z")] // just below the threshold: seconds
    [InlineData("100000000000", "1973-03-03T09:46:40Z")] // at the threshold: milliseconds
    [InlineData("1704205800", "2024-01-02T14:30:00Z")]
    [InlineData("1704205800123", "2024-01-02T14:30:00.123Z")]
    [InlineData("0", "1970-01-01T00:00:00Z")]
    [InlineData("-86400", "1969-12-31T00:00:00Z")]
    public void UnixMagnitudeRule(string text, string expected)
    {
        Assert.True(TimeText.TryParse(text, out var time, out var error), error);
        Assert.Equal(TimeTextKind.Unix, time.Kind);
        Assert.Equal(DateTime.Parse(expected, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), time.Utc);
        Assert.Equal(DateTimeKind.Utc, time.Utc.Kind);
    }

    [Theory]
    [InlineData("2024-02-30T10:00:00Z", "the date does not exist")]
    [InlineData("2024-01-02T24:00:00Z", "the time of day is out of range")]
    [InlineData("2024-01-02T10:00:00+25:00", "expected Z or a UTC offset")]
    [InlineData("2024-01-02T10:00:00.12345678Z", "more than 7 fractional digits")]
    [InlineData("02/01/2024 10:00", "expected ISO-8601")]
    [InlineData("2024-01-02X10:00", "expected HH:mm after the date")]
    public void BadTimes_SayWhy(string text, string why)
    {
        Assert.False(TimeText.TryParse(text, out _, out var error));
        Assert.Contains(why, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeIsEnd_StampsTheBarEnd()
    {
        var bar = Read("time,open,high,low,close,volume\n2024-01-02T14:31:00Z,1,1,1,1,1\n", Timeframe.OneMinute, Spy, TimeIs.End).Single();
        Assert.Equal(Utc.At(2024, 1, 2, 14, 30), bar.Start);
        Assert.Equal(Utc.At(2024, 1, 2, 14, 31), bar.End);
    }

    [Fact]
    public void HourBars_AreCutAtTheSessionEdges()
    {
        // 15:30 bar ends at the 16:00 close; with end stamps the 10:00 bar of an hourly vendor starts at the 09:30 open.
        var starts = Read("time,open,high,low,close,volume\n2024-01-02 15:30,1,1,1,1,1\n2024-11-29 12:30,1,1,1,1,1\n", Timeframe.OneHour, Spy);
        Assert.Equal(Utc.At(2024, 1, 2, 21, 0), starts[0].End); // 16:00 EST
        Assert.Equal(Utc.At(2024, 11, 29, 18, 0), starts[1].End); // 13:00 EST early close
        var ends = Read("time,open,high,low,close,volume\n2024-01-02 10:00,1,1,1,1,1\n", Timeframe.OneHour, Spy, TimeIs.End).Single();
        Assert.Equal(Utc.At(2024, 1, 2, 14, 30), ends.Start);
        Assert.Equal(Utc.At(2024, 1, 2, 15, 0), ends.End);
    }

    [Theory]
    [InlineData("2024-01-02", TimeIs.Start)]
    [InlineData("2024-01-02T00:00:00Z", TimeIs.Start)]
    [InlineData("2024-01-02 16:00", TimeIs.End)]
    [InlineData("2024-01-03T00:00:00Z", TimeIs.End)] // end-stamped at midnight names the day before
    [InlineData("1704153600", TimeIs.Start)] // 2024-01-02T00:00:00Z
    public void DailyBars_SpanTheSession(string time, TimeIs timeIs)
    {
        var bar = Read($"time,open,high,low,close,volume\n{time},1,1,1,1,1\n", Timeframe.OneDay, Spy, timeIs).Single();
        Assert.Equal(Utc.At(2024, 1, 2, 14, 30), bar.Start);
        Assert.Equal(Utc.At(2024, 1, 2, 21, 0), bar.End);
    }

    [Fact]
    public void DailyBar_OnAnEarlyClose_EndsAt1300()
    {
        var bar = Read("time,open,high,low,close,volume\n2024-11-29,1,1,1,1,1\n", Timeframe.OneDay, Spy).Single();
        Assert.Equal(Utc.At(2024, 11, 29, 18, 0), bar.End);
    }

    [Fact]
    public void DailyBar_OnAHoliday_IsAnError()
    {
        var e = Error("time,open,high,low,close,volume\n2024-01-01,1,1,1,1,1\n", Timeframe.OneDay, Spy);
        Assert.Equal("bars.csv:2: field 'time': '2024-01-01': 2024-01-01 is not a trading day on the NYSE calendar", e.Message);
    }

    [Fact]
    public void OptionalColumns_AnyOrder_CaseInsensitive()
    {
        const string csv = "VWAP,Volume,Close,Low,High,Open,Trades,Symbol,TIME\n" +
                           "100.2,500,100.5,99.5,101,100,42,spy,2024-01-02T14:30:00Z\n" +
                           ",600,100.7,100.1,100.9,100.5,,SPY,2024-01-02T14:31:00Z\n";
        var bars = Read(csv, Timeframe.OneMinute);
        Assert.Equal(2, bars.Count);
        Assert.Equal(Spy, bars[0].Symbol);
        Assert.Equal(42, bars[0].TradeCount);
        Assert.Equal(100.2m, bars[0].Vwap);
        Assert.Equal((100m, 101m, 99.5m, 100.5m, 500m), (bars[0].Open, bars[0].High, bars[0].Low, bars[0].Close, bars[0].Volume));
        Assert.Null(bars[1].TradeCount);
        Assert.Null(bars[1].Vwap);
    }

    [Fact]
    public void SymbolColumn_FiltersToTheGivenSymbol_AndKeepsOrderPerSymbol()
    {
        const string csv = "symbol,time,open,high,low,close,volume\n" +
                           "SPY,2024-01-02T14:30:00Z,1,1,1,1,1\n" +
                           "QQQ,2024-01-02T14:30:00Z,2,2,2,2,2\n" +
                           "SPY,2024-01-02T14:31:00Z,1,1,1,1,1\n" +
                           "QQQ,2024-01-02T14:31:00Z,2,2,2,2,2\n";
        var reader = Reader(csv, Timeframe.OneMinute, Spy);
        var bars = reader.ReadBars().ToList();
        Assert.Equal(2, bars.Count);
        Assert.All(bars, b => Assert.Equal(Spy, b.Symbol));
        Assert.Equal(2, reader.Statistics.OtherSymbolRows);
        Assert.Equal(4, Read(csv, Timeframe.OneMinute).Count); // no symbol given: all of them
    }

    [Fact]
    public void SpacesAroundFields_AreForgiven()
    {
        var bar = Read("time, open, high, low, close, volume, symbol\n 2024-01-02T14:30:00Z , 1.5 ,2, 1 ,1.5, 10 , spy \n", Timeframe.OneMinute).Single();
        Assert.Equal((1.5m, 2m, 1m, 1.5m, 10m), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
        Assert.Equal(Spy, bar.Symbol);
        Assert.Equal(Utc.At(2024, 1, 2, 14, 30), bar.Start);
    }

    [Fact]
    public void BlankLines_AreIgnored()
    {
        var bars = Read("time,open,high,low,close,volume\n\n2024-01-02T14:30:00Z,1,1,1,1,1\n\n", Timeframe.OneMinute, Spy);
        Assert.Single(bars);
    }

    [Fact]
    public void QuotedFields_AreRead()
    {
        var bar = Read("\"time\",\"open\",high,low,close,volume\n\"2024-01-02T14:30:00Z\",\"1.5\",2,1,1.5,10\n", Timeframe.OneMinute, Spy).Single();
        Assert.Equal(1.5m, bar.Open);
    }

    private const string Header = "time,open,high,low,close,volume\n";
    private const string Good = "2024-01-02T14:30:00Z,100,101,99,100,10\n";

    [Theory]
    [InlineData(Good + "2024-01-02T14:31:00Z,100,abc,99,100,10\n", 3, "high", "'abc' is not a number")]
    [InlineData(Good + "2024-01-02T14:31:00Z,100,101,99,,10\n", 3, "close", "the value is empty")]
    [InlineData(Good + "2024-13-02T14:31:00Z,100,101,99,100,10\n", 3, "time", "is not a time")]
    [InlineData(Good + "yesterday,100,101,99,100,10\n", 3, "time", "'yesterday' is not a time")]
    [InlineData(Good + "2024-01-02T14:31:00Z,100,98,99,99,10\n", 3, "high", "high 98 is below low 99")]
    [InlineData(Good + "2024-01-02T14:31:00Z,102,101,99,100,10\n", 3, "open", "open 102 is outside [low 99, high 101]")]
    [InlineData(Good + "2024-01-02T14:31:00Z,100,101,99,98.5,10\n", 3, "close", "close 98.5 is outside [low 99, high 101]")]
    [InlineData(Good + "2024-01-02T14:31:00Z,100,101,99,100,-1\n", 3, "volume", "volume -1 is negative")]
    [InlineData(Good + "2024-01-02T14:29:00Z,100,101,99,100,10\n", 3, "time", "is before the previous SPY bar's start 2024-01-02T14:30:00Z (line 2)")]
    [InlineData(Good + "2024-01-02T14:30:00Z,100,101,99,100,10\n", 3, "time", "duplicates the previous SPY bar's start")]
    [InlineData(Good + "2024-01-02T14:31:00Z,100,101,99,100\n", 3, "volume", "the row has 5 fields; the header has 6")]
    [InlineData(Good + "2024-01-02T14:31:00Z,100,101,99,100,10,7\n", 3, "(column 7)", "the row has 7 fields; the header has 6")]
    [InlineData("2024-01-02,100,101,99,100,10\n", 2, "time", "a date without a time of day cannot stamp an intraday bar")]
    public void BadRows_NameFileLineAndField(string body, int line, string field, string reason)
    {
        var e = Error(Header + body, Timeframe.OneMinute, Spy);
        Assert.Equal("bars.csv", e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"bars.csv:{line}: field '{field}': ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_NameTheColumnAsTheFileSpellsIt()
    {
        var e = Error("Time,Open,High,Low,Close,Volume\n2024-01-02T14:30:00Z,1,0.5,1,1,1\n", Timeframe.OneMinute, Spy);
        Assert.Equal("bars.csv:2: field 'High': high 0.5 is below low 1", e.Message);
    }

    [Fact]
    public void NegativeTradeCount_IsAnError()
    {
        var e = Error("time,open,high,low,close,volume,trades\n2024-01-02T14:30:00Z,1,1,1,1,1,-3\n", Timeframe.OneMinute, Spy);
        Assert.Equal(("trades", 2L), (e.Field, e.Line!.Value));
    }

    [Fact]
    public void MissingRequiredColumn_IsNamed()
    {
        var e = Error("time,open,high,low,close\n2024-01-02T14:30:00Z,1,1,1,1\n", Timeframe.OneMinute, Spy);
        Assert.StartsWith("bars.csv:1: field 'volume': missing required column", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownColumns_AreNamed_OrIgnoredWhenAsked()
    {
        const string csv = "time,open,high,low,close,volume,adj_close,note\n2024-01-02T14:30:00Z,1,1,1,1,1,0.9,x\n";
        var e = Error(csv, Timeframe.OneMinute, Spy);
        Assert.Equal(1, e.Line);
        Assert.Equal("adj_close", e.Field);
        Assert.Contains("unknown columns 'adj_close', 'note'", e.Message, StringComparison.Ordinal);
        Assert.Single(Reader(csv, Timeframe.OneMinute, Spy, ignoreUnknown: true).ReadBars());
    }

    [Fact]
    public void EmptyFile_AndMissingSymbol_AreErrors()
    {
        Assert.Contains("the file is empty", Error("", Timeframe.OneMinute, Spy).Message, StringComparison.Ordinal);
        var e = Error(Header + Good, Timeframe.OneMinute);
        Assert.Equal("symbol", e.Field);
    }

    [Fact]
    public void SkipBadRows_CountsAndLogsEachRow()
    {
        var logger = new CapturingLogger();
        var csv = Header + Good +
                  "2024-01-02T14:31:00Z,100,abc,99,100,10\n" + // bad number
                  "2024-01-02T14:32:00Z,100,101,99,100,10\n" +
                  "2024-01-02T14:32:00Z,100,101,99,100,10\n" + // duplicate
                  "2024-01-02T14:33:00Z,100,101,99,100,-5\n" + // negative volume
                  "2024-01-02T14:34:00Z,100,101,99,100,10\n";
        var reader = Reader(csv, Timeframe.OneMinute, Spy, skip: true, logger: logger);
        var bars = reader.ReadBars().ToList();
        Assert.Equal([Utc.At(2024, 1, 2, 14, 30), Utc.At(2024, 1, 2, 14, 32), Utc.At(2024, 1, 2, 14, 34)], bars.Select(b => b.Start));
        Assert.Equal(3, reader.Statistics.SkippedRows);
        Assert.Equal(6, reader.Statistics.Rows);
        Assert.Equal(3, reader.Statistics.Bars);
        Assert.Equal(3, logger.Entries.Count);
        Assert.All(logger.Entries, e => Assert.Equal("data.row.skipped", e.Event.Name));
        var first = logger.Entries[0].State.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("bars.csv", first["File"]);
        Assert.Equal(3L, first["Line"]);
        Assert.Equal("high", first["Field"]);
        Assert.Equal("'abc' is not a number", first["Reason"]);
        Assert.Equal((5L, "time"), ((long)logger.Entries[1].State.First(kv => kv.Key == "Line").Value!, (string)logger.Entries[1].State.First(kv => kv.Key == "Field").Value!));
        Assert.Equal("volume", logger.Entries[2].State.First(kv => kv.Key == "Field").Value);
    }

    [Fact]
    public void ReadsAFile_AndNamesItInErrors()
    {
        using var dir = new TempDir();
        var path = dir.File("spy.csv", Header + Good + "2024-01-02T14:31:00Z,100,101,99,100,x\n");
        var reader = new CsvBarReader(path, new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = Spy, CalendarFor = MarketCalendars.For });
        var e = Assert.Throws<DataFormatException>(() => reader.ReadBars().ToList());
        Assert.StartsWith($"{path}:3: field 'volume': 'x' is not a number", e.Message, StringComparison.Ordinal);
        var missing = new CsvBarReader(Path.Combine(dir.Path, "nope.csv"), new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = Spy });
        Assert.Contains("does not exist", Assert.Throws<DataFormatException>(() => missing.ReadBars().ToList()).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2024-01-02\n2024-01-03\n2024-01-05\n", "1d")]
    [InlineData("2024-01-02T00:00:00Z\n2024-01-03T00:00:00Z\n", "1d")]
    [InlineData("2024-01-02 09:30\n2024-01-02 09:35\n2024-01-02 09:45\n", "5m")]
    [InlineData("1704205800\n1704205860\n", "1m")]
    [InlineData("2024-01-02T09:30:00Z\n2024-01-02T09:30:01Z\n", "1s")]
    [InlineData("2024-01-02T09:30:00Z\n2024-01-02T09:37:00Z\n", null)] // 7m is not a supported timeframe
    [InlineData("2024-01-02T09:30:00Z\n", null)]
    public void InfersTheTimeframe(string times, string? expected)
    {
        using var dir = new TempDir();
        var lines = times.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(t => t + ",1,1,1,1,1");
        var path = dir.File("t.csv", "time,open,high,low,close,volume\n" + string.Join('\n', lines) + "\n");
        Assert.Equal(expected, CsvBarReader.InferTimeframe(path)?.ToString());
    }

    [Fact]
    public void InfersTheTimeframe_PerSymbol()
    {
        using var dir = new TempDir();
        var path = dir.File("t.csv", "symbol,time,open,high,low,close,volume\n" +
                                     "A,2024-01-02T14:30:00Z,1,1,1,1,1\nB,2024-01-02T14:30:01Z,1,1,1,1,1\n" +
                                     "A,2024-01-02T14:35:00Z,1,1,1,1,1\nB,2024-01-02T14:35:01Z,1,1,1,1,1\n");
        Assert.Equal(Timeframe.FiveMinutes, CsvBarReader.InferTimeframe(path));
    }

    [Fact]
    public void Streams_WithoutReadingAhead()
    {
        // The bad row comes after the first bar: taking one bar must not touch it.
        var first = Reader(Header + Good + "2024-01-02T14:31:00Z,1,x,1,1,1\n", Timeframe.OneMinute, Spy).ReadBars().First();
        Assert.Equal(Utc.At(2024, 1, 2, 14, 30), first.Start);
    }
}
