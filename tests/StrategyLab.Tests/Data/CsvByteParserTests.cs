using System.Globalization;
using System.Text;
using CsCheck;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Csv;
using StrategyLab.Data.Lean;
using StrategyLab.Data.Text;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

/// <summary>
/// Issue 12: a CSV file in the common layout is read as UTF-8 bytes (<see cref="Utf8CsvRows"/>); every file must give
/// what the text reader (Sep, the reference) gives: the same bars to the last decimal place and scale, the same
/// counts, the same error text naming file, line and field, and the same skipped-row log. Anything unusual (quotes, a
/// lone CR, non-ASCII) is handed to the text reader, even in the middle of a file.
/// </summary>
public sealed class CsvByteParserTests : IDisposable
{
    private const string Header = "time,open,high,low,close,volume\n";
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private readonly TempDir _dir = new();
    private int _files;

    public void Dispose() => _dir.Dispose();

    /// <summary>What one pass of a reader gave: bars (every field as text, so scale counts), counts, error and log.</summary>
    private sealed record Pass(List<string> Bars, string Counts, string? Error, List<string> Log, bool ReadBytes);

    private static CsvBarReaderOptions Options(Timeframe tf, Symbol? symbol, bool skip = false, CapturingLogger? logger = null, int? maxDigits = null) => new()
    {
        Timeframe = tf,
        Symbol = symbol,
        SkipBadRows = skip,
        Logger = logger,
        MaxSignificantDigits = maxDigits,
        CalendarFor = MarketCalendars.For,
    };

    private static Pass Read(string path, bool bytes, Timeframe tf, Symbol? symbol, bool skip, int? maxDigits = null)
    {
        var logger = new CapturingLogger();
        var reader = new CsvBarReader(path, Options(tf, symbol, skip, logger, maxDigits)) { ReadBytes = bytes };
        var bars = new List<string>();
        string? error = null;
        try
        {
            foreach (var b in reader.ReadBars())
            {
                bars.Add(string.Create(CultureInfo.InvariantCulture, $"{b.Symbol}|{b.Start:O}|{b.End:O}|{b.Open}|{b.High}|{b.Low}|{b.Close}|{b.Volume}|{b.TradeCount}|{b.Vwap}"));
            }
        }
        catch (DataFormatException e)
        {
            error = e.Message;
        }

        var s = reader.Statistics;
        var log = logger.Entries.Select(e => e.Message).ToList();
        return new Pass(bars, $"rows {s.Rows} bars {s.Bars} skipped {s.SkippedRows} other {s.OtherSymbolRows}", error, log, reader.LastPassReadBytes);
    }

    /// <summary>Reads <paramref name="path"/> both ways and asserts the same outcome; returns the byte reader's pass.</summary>
    private static Pass AssertSame(string path, Timeframe tf, Symbol? symbol, bool skip = false, int? maxDigits = null)
    {
        var text = Read(path, bytes: false, tf, symbol, skip, maxDigits);
        var bytes = Read(path, bytes: true, tf, symbol, skip, maxDigits);
        Assert.False(text.ReadBytes);
        Assert.Equal(text.Error, bytes.Error);
        Assert.Equal(text.Bars, bytes.Bars);
        Assert.Equal(text.Counts, bytes.Counts);
        Assert.Equal(text.Log, bytes.Log);
        return bytes;
    }

    private string Write(string content, bool bom = false)
    {
        var path = Path.Combine(_dir.Path, $"f{_files++}.csv");
        var body = Encoding.UTF8.GetBytes(content);
        File.WriteAllBytes(path, bom ? [0xEF, 0xBB, 0xBF, .. body] : body);
        return path;
    }

    [Fact]
    public void LeanMinutesAndDays_WrittenAsCsv_GiveTheSameBars_BothWays()
    {
        var lean = new LeanDataFolder(TestPaths.RequireLean());
        var spy = lean.ReadBars(Spy, LeanResolution.Minute, new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 11)).ToList();
        var ibm = lean.ReadBars(Symbol.Equity("IBM"), LeanResolution.Minute, new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 11)).ToList();
        var daily = lean.ReadBars(Spy, LeanResolution.Daily, new DateOnly(1998, 1, 1), new DateOnly(2024, 1, 1)).ToList();
        Assert.True(spy.Count > 3000 && ibm.Count > 1000 && daily.Count > 1000, $"{spy.Count} {ibm.Count} {daily.Count}");

        // One symbol, ISO instants, LF.
        var one = new StringBuilder(Header);
        foreach (var b in spy)
        {
            one.Append(CultureInfo.InvariantCulture, $"{b.Start:yyyy-MM-ddTHH:mm:ssZ},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume}\n");
        }

        var p = AssertSame(Write(one.ToString()), Timeframe.OneMinute, Spy);
        Assert.True(p.ReadBytes);
        Assert.Equal(spy.Count, p.Bars.Count);

        // Two symbols interleaved by time, a symbol column, Unix milliseconds, CRLF, a BOM, trades and vwap columns.
        var two = new StringBuilder("Symbol,Timestamp,Open,High,Low,Close,Volume,Trades,VWAP\r\n");
        foreach (var b in spy.Concat(ibm).OrderBy(b => b.Start).ThenBy(b => b.Symbol.Ticker, StringComparer.Ordinal))
        {
            var vwap = Math.Round((b.High + b.Low) / 2m, 4);
            two.Append(CultureInfo.InvariantCulture, $"{b.Symbol.Ticker},{new DateTimeOffset(b.Start).ToUnixTimeMilliseconds()},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume},{(int)(b.Volume % 97)},{vwap}\r\n");
        }

        p = AssertSame(Write(two.ToString(), bom: true), Timeframe.OneMinute, null);
        Assert.True(p.ReadBytes);
        Assert.Equal(spy.Count + ibm.Count, p.Bars.Count);
        p = AssertSame(Write(two.ToString(), bom: true), Timeframe.OneMinute, Symbol.Equity("IBM"));
        Assert.Equal(ibm.Count, p.Bars.Count);

        // Daily bars as bare dates and as New York wall times, with the prices' trailing zeros kept.
        var days = new StringBuilder("date,open,high,low,close,volume\n");
        var walls = new StringBuilder(Header);
        var ny = MarketCalendars.For(Spy);
        foreach (var b in daily)
        {
            days.Append(CultureInfo.InvariantCulture, $"{ny.ToExchangeTime(b.Start):yyyy-MM-dd},{b.Open:0.0000},{b.High:0.0000},{b.Low:0.0000},{b.Close:0.0000},{b.Volume}\n");
            walls.Append(CultureInfo.InvariantCulture, $"{ny.ToExchangeTime(b.Start):yyyy-MM-dd HH:mm:ss},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume}\n");
        }

        p = AssertSame(Write(days.ToString()), Timeframe.OneDay, Spy);
        Assert.Null(p.Error);
        Assert.Equal(daily.Count, p.Bars.Count);
        AssertSame(Write(walls.ToString()), Timeframe.OneDay, Spy);
    }

    public static TheoryData<string, string> Files => new()
    {
        { "negative prices and volume", Header + "2024-01-02T00:00:00Z,-1,2,1,1.5,3\n2024-01-02T00:01:00Z,1,2,-1,1,3\n2024-01-02T00:02:00Z,1,2,1,1,-3\n" },
        { "many decimals", Header + "2024-01-02T00:00:00Z,1.0000000000000000000000000001,2.5000000000000000000000000000,1,1.10,12345678901234567890.123456789\n" + "2024-01-02T00:01:00Z,1.00000000000000000000000000001,2,1,1,1\n" },
        { "29 significant digits", Header + "2024-01-02T00:00:00Z,79228162514264337593543950335,79228162514264337593543950335,1,1,1\n2024-01-02T00:01:00Z,79228162514264337593543950336,8e28,1,1,1\n" },
        { "exponents", Header + "2024-01-02T00:00:00Z,1e2,2.5E+2,1E-0,100,1e-8\n2024-01-02T00:01:00Z,1e-29,2,1,1,1\n2024-01-02T00:02:00Z,1e29,2,1,1,1\n2024-01-02T00:03:00Z,1e,2,1,1,1\n2024-01-02T00:04:00Z,1e+,2,1,1,1\n2024-01-02T00:05:00Z,1.5e3x,2000,1,1500,1\n" },
        { "zeros", Header + "2024-01-02T00:00:00Z,0.000,1,0.0,0,0\n2024-01-02T00:01:00Z,00001.5000,2,1,1,000\n2024-01-02T00:02:00Z,-0,1,1,1,1\n" },
        { "CRLF", Header.Replace("\n", "\r\n", StringComparison.Ordinal) + "2024-01-02T00:00:00Z,1,2,1,1.5,3\r\n2024-01-02T00:01:00Z,1,2,1,1.5,3\r\n" },
        { "no final newline", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n2024-01-02T00:01:00Z,1,2,1,1.5,3" },
        { "final CR without LF", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n2024-01-02T00:01:00Z,1,2,1,1.5,3\r" },
        { "trailing blank lines", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n\n\n" },
        { "blank lines inside, LF and CRLF", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n\n\r\n2024-01-02T00:01:00Z,1,2,1,1.5,3\n" },
        { "a line of spaces", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n   \n" },
        { "spaces around fields", Header + " 2024-01-02T00:00:00Z , 1 ,2 , 1,1.5 ,3\n2024-01-02T00:01:00Z,1  ,2,1,1,  \n" },
        { "too few fields", Header + "2024-01-02T00:00:00Z,1,2,1,1.5\n" },
        { "too many fields", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3,4,5\n" },
        { "one field", Header + "2024-01-02T00:00:00Z\n" },
        { "bad number", Header + "2024-01-02T00:00:00Z,1,abc,1,1.5,3\n" },
        { "long bad number", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,12345678901234567890123456789012345678901234567890x\n" },
        { "empty number", Header + "2024-01-02T00:00:00Z,1,,1,1.5,3\n" },
        { "two points", Header + "2024-01-02T00:00:00Z,1.2.3,2,1,1.5,3\n" },
        { "a sign alone", Header + "2024-01-02T00:00:00Z,-,2,1,1.5,3\n" },
        { "bad time", Header + "2024-13-02T00:00:00Z,1,2,1,1.5,3\n" },
        { "empty time", Header + ",1,2,1,1.5,3\n" },
        { "time forms", Header + "2024-01-02,1,2,1,1.5,3\n" },
        { "unix seconds and milliseconds", Header + "1704153600,1,2,1,1.5,3\n1704153660000,1,2,1,1.5,3\n99999999999999999999,1,2,1,1.5,3\n" },
        { "offsets and fractions", Header + "2024-01-02T00:00:00.5+01:00,1,2,1,1.5,3\n2024-01-02T00:01:00,1,2,1,1.5,3\n2024-01-02T00:02:00.12345678Z,1,2,1,1.5,3\n" },
        { "duplicate and backwards", Header + "2024-01-02T00:01:00Z,1,2,1,1.5,3\n2024-01-02T00:01:00Z,1,2,1,1.5,3\n2024-01-02T00:00:00Z,1,2,1,1.5,3\n" },
        { "high below low", Header + "2024-01-02T00:00:00Z,1,1,2,1.5,3\n" },
        { "open above high", Header + "2024-01-02T00:00:00Z,3,2,1,1.5,3\n" },
        { "header in capitals with spaces", " TIME , Open,HIGH,low,Close , Volume\n2024-01-02T00:00:00Z,1,2,1,1.5,3\n" },
        { "header with an unknown column", "time,open,high,low,close,volume,note\n2024-01-02T00:00:00Z,1,2,1,1.5,3,x\n" },
        { "header missing a column", "time,open,high,low,close\n2024-01-02T00:00:00Z,1,2,1,1.5\n" },
        { "header only", Header },
        { "empty file", "" },
        { "a column twice", "time,open,high,low,close,volume,open\n2024-01-02T00:00:00Z,1,2,1,1.5,3,1\n" },
        { "a column twice in other case", "time,open,high,low,close,volume,OPEN\n2024-01-02T00:00:00Z,1,2,1,1.5,3,1\n" },
        { "a quoted header", "\"time\",open,high,low,close,volume\n2024-01-02T00:00:00Z,1,2,1,1.5,3\n" },
        { "quoted fields in the middle", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n2024-01-02T00:01:00Z,\"1\",2,1,1.5,3\n2024-01-02T00:02:00Z,1,2,1,1.5,3\n" },
        { "a quoted comma", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n2024-01-02T00:01:00Z,\"1,5\",2,1,1.5,3\n" },
        { "a quote never closed", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n2024-01-02T00:01:00Z,\"1,2,1,1.5,3\n2024-01-02T00:02:00Z,1,2,1,1.5,3\n" },
        { "a lone CR as a line end", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\r2024-01-02T00:01:00Z,1,2,1,1.5,3\n" },
        { "a tab", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,\t3\n" },
        { "non-ASCII in a number", Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n2024-01-02T00:01:00Z,1,2,1,1.5,3€\n" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void EdgeCases_GiveTheSameBarsAndErrors_BothWays(string name, string content)
    {
        foreach (var skip in new[] { false, true })
        {
            foreach (var bom in new[] { false, true })
            {
                var path = Write(content, bom);
                var pass = AssertSame(path, Timeframe.OneMinute, Btc, skip);
                if (pass.Error is { } error)
                {
                    Assert.True(error.StartsWith(path, StringComparison.Ordinal), $"{name}: {error}"); // errors name the file (and line, field)
                }
            }
        }

        // Also with a limit of significant digits (as for the store).
        AssertSame(Write(content), Timeframe.OneMinute, Btc, skip: true, maxDigits: 18);
    }

    [Fact]
    public void TheCommonLayout_IsReadAsBytes_AndAnUnusualRow_HandsTheFileToTheTextReader()
    {
        var common = Write(Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\r\n\n2024-01-02T00:01:00Z,1,2,1,1.5,3\n", bom: true);
        Assert.True(AssertSame(common, Timeframe.OneMinute, Btc).ReadBytes);

        var quoted = Write(Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n2024-01-02T00:01:00Z,\"1\",2,1,1.5,3\n");
        var pass = AssertSame(quoted, Timeframe.OneMinute, Btc);
        Assert.False(pass.ReadBytes);
        Assert.Equal(2, pass.Bars.Count);
    }

    [Fact]
    public void ATakeOverAfterSkippedRows_LogsEachSkippedRowOnce_AndCountsEachRowOnce()
    {
        var csv = Header
            + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n"
            + "2024-01-02T00:01:00Z,1,abc,1,1.5,3\n" // skipped by the bytes reader (line 3)
            + "2024-01-02T00:02:00Z,1,2,1,1.5,3\n"
            + "2024-01-02T00:03:00Z,\"1\",2,1,1.5,3\n" // the text reader takes over here (line 5)
            + "2024-01-02T00:04:00Z,1,2,x,1.5,3\n" // skipped by the text reader (line 6)
            + "2024-01-02T00:05:00Z,1,2,1,1.5,3\n";
        var pass = AssertSame(Write(csv), Timeframe.OneMinute, Btc, skip: true);
        Assert.Equal(4, pass.Bars.Count);
        Assert.Equal("rows 6 bars 4 skipped 2 other 0", pass.Counts);
        Assert.Equal(2, pass.Log.Count);
        Assert.Contains("3", pass.Log[0], StringComparison.Ordinal);
        Assert.Contains("6", pass.Log[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ALineLongerThanTheBuffer_IsReadByTheTextReader()
    {
        var csv = Header + "2024-01-02T00:00:00Z,1,2,1,1.5,3\n" + "2024-01-02T00:01:00Z,1,2,1,1.5," + new string('1', 1_100_000) + "\n";
        var pass = AssertSame(Write(csv), Timeframe.OneMinute, Btc, skip: true);
        Assert.False(pass.ReadBytes);
        Assert.Single(pass.Bars);
    }

    [Theory]
    [InlineData(-1)] // the CR is the buffer's last byte, its LF the first of the next read
    [InlineData(0)] // the LF is the buffer's last byte
    [InlineData(-2)]
    public void ACrlfAtTheEndOfTheBuffer_EndsTheLineAsAnywhere(int crOffset)
    {
        const int bufferBytes = 1 << 20; // Utf8CsvRows' buffer: the first read fills it
        var csv = new StringBuilder(Header.Replace("\n", "\r\n", StringComparison.Ordinal));
        var t = new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc);
        while (csv.Length < bufferBytes - 200)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{t:yyyy-MM-ddTHH:mm:ssZ},1,2,1,1.5,3\r\n");
            t = t.AddMinutes(1);
        }

        // A row padded (leading zeros of its volume) so that its CR lands at bufferBytes + crOffset.
        var row = string.Create(CultureInfo.InvariantCulture, $"{t:yyyy-MM-ddTHH:mm:ssZ},1,2,1,1.5,");
        var zeros = bufferBytes + crOffset - csv.Length - row.Length - 1;
        csv.Append(row).Append('0', zeros).Append("3\r\n");
        Assert.Equal('\r', csv[bufferBytes + crOffset]);
        for (var i = 0; i < 100; i++)
        {
            t = t.AddMinutes(1);
            csv.Append(CultureInfo.InvariantCulture, $"{t:yyyy-MM-ddTHH:mm:ssZ},1,2,1,1.5,3\r\n");
        }

        var pass = AssertSame(Write(csv.ToString()), Timeframe.OneMinute, Btc);
        Assert.True(pass.ReadBytes);
        Assert.Null(pass.Error);
        Assert.Equal(csv.ToString().Split("\r\n").Length - 2, pass.Bars.Count);
    }

    [Theory]
    [InlineData("common", false)]
    [InlineData("a quoted row: the text reader takes over", false)]
    [InlineData("a bad row", false)]
    [InlineData("a bad row, skipped", true)]
    public void ReadAheadInChunks_GivesTheBarsCountsAndErrorOfTheEnumeration(string name, bool skip)
    {
        var csv = new StringBuilder(Header);
        var t = new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 5_000; i++)
        {
            var open = name.StartsWith("a quoted", StringComparison.Ordinal) && i == 3_000 ? "\"1\"" : "1";
            var high = name.StartsWith("a bad", StringComparison.Ordinal) && i == 4_000 ? "x" : "2.5";
            csv.Append(CultureInfo.InvariantCulture, $"{t.AddMinutes(i):yyyy-MM-ddTHH:mm:ssZ},{open},{high},1,1.5,{i}\n");
        }

        var path = Write(csv.ToString());
        (List<Bar> Bars, string? Error, string Counts) Pass(Func<IEnumerable<Bar>, IEnumerable<Bar>> wrap)
        {
            var reader = new CsvBarReader(path, Options(Timeframe.OneMinute, Btc, skip));
            var bars = new List<Bar>();
            string? error = null;
            try
            {
                foreach (var b in wrap(reader.ReadBars()))
                {
                    bars.Add(b);
                }
            }
            catch (DataFormatException e)
            {
                error = e.Message;
            }

            var st = reader.Statistics;
            return (bars, error, $"{st.Rows} {st.Bars} {st.SkippedRows} {reader.LastPassReadBytes}");
        }

        var plain = Pass(b => b);
        var ahead = Pass(b => new PrefetchedBars(b, new BarPrefetchOptions { ChunkBars = 512, FirstChunkBars = 7, Depth = 2 }));
        Assert.Equal(plain.Bars, ahead.Bars);
        Assert.Equal(plain.Error, ahead.Error);
        Assert.Equal(plain.Counts, ahead.Counts);
        Assert.Equal(name == "a bad row" ? 4_000 : name == "a bad row, skipped" ? 4_999 : 5_000, ahead.Bars.Count);
    }

    [Fact]
    public void RowsAcrossManyBufferRefills_AreAllRead()
    {
        var csv = new StringBuilder("symbol,time,open,high,low,close,volume\n");
        var start = new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 60_000; i++)
        {
            var t = start.AddMinutes(i / 2);
            csv.Append(CultureInfo.InvariantCulture, $"{(i % 2 == 0 ? "BTC-USD" : "eth-usd")},{t:yyyy-MM-ddTHH:mm:ssZ},{100 + (i % 97) * 0.01m},{101 + (i % 89)},{99.5m - (i % 7) * 0.125m},{100.25m},{i * 0.0001m}\n");
        }

        var pass = AssertSame(Write(csv.ToString()), Timeframe.OneMinute, null);
        Assert.True(pass.ReadBytes);
        Assert.Equal(60_000, pass.Bars.Count);
        pass = AssertSame(Write(csv.ToString()), Timeframe.OneMinute, Symbol.Crypto("ETH-USD"));
        Assert.Equal(30_000, pass.Bars.Count);
        Assert.Equal("rows 60000 bars 30000 skipped 0 other 30000", pass.Counts);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("-1.50")]
    [InlineData("+0.000000001")]
    [InlineData("12345678901234567890.5")]
    [InlineData("7.9228162514264337593543950335")]
    [InlineData("1e-28")]
    [InlineData("1e-29")]
    [InlineData("1E+28")]
    [InlineData("5e")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("1,5")]
    public void DecimalsFromBytes_AreTheDecimalsFromText(string text)
    {
        var fromText = DecimalText.TryParse(text.AsSpan(), out var a);
        var fromBytes = DecimalText.TryParse(Encoding.ASCII.GetBytes(text).AsSpan(), out var b);
        Assert.Equal(fromText, fromBytes);
        Assert.Equal(decimal.GetBits(a), decimal.GetBits(b));
    }

    [Fact]
    public void PricesOfMixedDecimals_CompareExactly_AsTheWideProductsDo()
    {
        // The price order of a row of mixed decimals compares digits · 10^shift without 128-bit arithmetic; it must agree
        // with the 128-bit products for any 64-bit digits and shifts (products past 2^64 included).
        var digits = Gen.OneOf(Gen.ULong, Gen.ULong[0, 1_000_000], Gen.ULong[ulong.MaxValue / 100_000, ulong.MaxValue]);
        Gen.Select(digits, Gen.Int[0, 19], digits, Gen.Int[0, 19]).Sample((a, byA, b, byB) =>
        {
            var expected = ((UInt128)a * UInt128.Parse("1" + new string('0', byA), CultureInfo.InvariantCulture))
                .CompareTo((UInt128)b * UInt128.Parse("1" + new string('0', byB), CultureInfo.InvariantCulture));
            Assert.Equal(Math.Sign(expected), CsvRowParser.CompareWidened(a, byA, b, byB));
            Assert.Equal(-Math.Sign(expected), CsvRowParser.CompareWidened(b, byB, a, byA));
            Assert.Equal(0, CsvRowParser.CompareWidened(a, byA, a, byA));
        }, iter: 50_000);

        // Equal values of different decimals, and neighbours on either side.
        Assert.Equal(0, CsvRowParser.CompareWidened(421, 1, 4210, 0));
        Assert.Equal(1, CsvRowParser.CompareWidened(4211, 0, 421, 1));
        Assert.Equal(-1, CsvRowParser.CompareWidened(1, 19, ulong.MaxValue, 0));
        Assert.Equal(1, CsvRowParser.CompareWidened(2, 19, ulong.MaxValue, 0));
    }
}
