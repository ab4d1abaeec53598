using System.Globalization;
using System.Text;
using CsCheck;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Csv;

namespace StrategyLab.Tests.Data;

/// <summary>
/// Issue 12 (session 33): rows of the plain layout (<c>time,open,high,low,close,volume</c>) are read in one pass over
/// their bytes (<see cref="CsvRowParser.TryParsePlain"/>) instead of split and parsed field by field. Random files —
/// prices of 0–8 decimals, sub-dollar and large, volumes up to 10^15, trailing zeros, exponents, signs, leading zeros,
/// malformed and inconsistent fields, duplicate and backward stamps, other time forms, CRLF, blank and short lines —
/// must give the same bars (every decimal's bits, scale included), counts, error text (file, line, field) and skipped-row
/// log as the general byte path and as the text reader, with bad rows failing or skipped.
/// </summary>
public sealed class CsvPlainRowTests : IDisposable
{
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");
    private readonly TempDir _dir = new();
    private int _files;

    public void Dispose() => _dir.Dispose();

    private sealed record Pass(List<string> Bars, string Counts, string? Error, List<string> Log);

    private static Pass Read(string path, bool bytes, bool plain, Timeframe tf, Symbol symbol, bool skip, int? maxDigits)
    {
        var logger = new CapturingLogger();
        var options = new CsvBarReaderOptions
        {
            Timeframe = tf,
            Symbol = symbol,
            SkipBadRows = skip,
            Logger = logger,
            MaxSignificantDigits = maxDigits,
            CalendarFor = MarketCalendars.For,
        };
        var reader = new CsvBarReader(path, options) { ReadBytes = bytes, ReadPlainRows = plain };
        var bars = new List<string>();
        string? error = null;
        try
        {
            foreach (var b in reader.ReadBars())
            {
                bars.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{b.Symbol}|{b.Start.Ticks}|{b.Start.Kind}|{b.End.Ticks}|{b.End.Kind}|{Bits(b.Open)}|{Bits(b.High)}|{Bits(b.Low)}|{Bits(b.Close)}|{Bits(b.Volume)}|{b.TradeCount}|{b.Vwap}"));
            }
        }
        catch (DataFormatException e)
        {
            error = e.Message;
        }

        var s = reader.Statistics;
        return new Pass(bars, $"rows {s.Rows} bars {s.Bars} skipped {s.SkippedRows} other {s.OtherSymbolRows} bytes {reader.LastPassReadBytes}", error, logger.Entries.Select(e => e.Message).ToList());
    }

    private static string Bits(decimal value) => string.Join(':', decimal.GetBits(value));

    /// <summary>Reads the file the plain way, the general byte way and as text; asserts one outcome; returns the plain pass.</summary>
    private static Pass AssertSame(string path, Timeframe tf, Symbol symbol, bool skip, int? maxDigits = null)
    {
        var plain = Read(path, bytes: true, plain: true, tf, symbol, skip, maxDigits);
        var general = Read(path, bytes: true, plain: false, tf, symbol, skip, maxDigits);
        var text = Read(path, bytes: false, plain: false, tf, symbol, skip, maxDigits);
        foreach (var other in new[] { general, text })
        {
            Assert.Equal(other.Error, plain.Error);
            Assert.Equal(other.Bars, plain.Bars);
            Assert.Equal(other.Log, plain.Log);
        }

        Assert.Equal(general.Counts, plain.Counts);
        return plain;
    }

    private string Write(string content)
    {
        var path = Path.Combine(_dir.Path, $"p{_files++}.csv");
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    /// <summary>A decimal written with <paramref name="decimals"/> places, trailing zeros kept.</summary>
    private static string Fixed(decimal value, int decimals) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>One random file of the plain layout; <paramref name="damage"/> is the share of damaged fields and rows.</summary>
    private static string RandomFile(Random random, int rows, double damage)
    {
        var csv = new StringBuilder(random.Next(4) switch { 0 => "Time,Open,High,Low,Close,Volume", 1 => "timestamp,open,high,low,close,volume", _ => "time,open,high,low,close,volume" });
        var crlf = random.Next(3) == 0;
        csv.Append(crlf ? "\r\n" : "\n");
        var t = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(random.Next(5_000_000));
        var level = random.Next(4) switch
        {
            0 => (decimal)random.NextDouble() * 0.99m + 0.00000001m, // sub-dollar
            1 => random.Next(1, 100),
            2 => random.Next(100, 100_000),
            _ => 1_000_000_000_000m + random.Next(),
        };
        var timeForm = random.Next(5);
        for (var r = 0; r < rows; r++)
        {
            t = t.AddMinutes(random.Next(10) == 0 ? random.Next(2, 400) : 1);
            level = Math.Max(0.00000001m, level * (1m + ((decimal)random.NextDouble() - 0.5m) * 0.01m));
            // Each price written with its own number of places (trailing zeros kept); low and high are the extremes of
            // the written values, so an undamaged row is consistent.
            var prices = new decimal[4];
            var places = new int[4];
            for (var i = 0; i < 4; i++)
            {
                places[i] = random.Next(9);
                prices[i] = Math.Round(level * (1m + ((decimal)random.NextDouble() - 0.5m) * 0.002m), places[i]);
                if (prices[i] == 0m)
                {
                    places[i] = 8;
                    prices[i] = Math.Max(0.00000001m, Math.Round(level, 8));
                }
            }

            var (low, high) = (prices.Min(), prices.Max());
            string[] fields =
            [
                (random.Next(8) == 0 ? random.Next(5) : timeForm) switch
                {
                    0 => t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
                    1 => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    2 => t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + "z",
                    3 => t.ToString("yyyy-MM-dd't'HH:mm:ss", CultureInfo.InvariantCulture) + "Z",
                    _ => t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + "Z",
                },
                Fixed(prices[0], places[0]),
                Fixed(high, places[Array.IndexOf(prices, high)]),
                Fixed(low, places[Array.IndexOf(prices, low)]),
                Fixed(prices[3], places[3]),
                random.Next(4) switch
                {
                    0 => random.Next(1_000).ToString(CultureInfo.InvariantCulture),
                    1 => Fixed((decimal)random.NextDouble() * 1_000_000_000_000_000m, random.Next(9)),
                    2 => "0",
                    _ => Fixed((decimal)random.NextDouble() * 500m, random.Next(9)),
                },
            ];

            if (random.NextDouble() < damage)
            {
                Damage(random, fields, t);
            }

            var line = string.Join(',', fields);
            if (random.NextDouble() < damage / 4)
            {
                line = random.Next(5) switch
                {
                    0 => "",
                    1 => line + ",1",
                    2 => line[..line.LastIndexOf(',')],
                    3 => " " + line,
                    _ => line + " ",
                };
            }

            csv.Append(line).Append(crlf || random.Next(50) == 0 ? "\r\n" : "\n");
        }

        if (random.Next(4) == 0 && csv.Length > 0)
        {
            csv.Length -= crlf ? 2 : 1; // no final line end
        }

        return csv.ToString();
    }

    private static void Damage(Random random, string[] fields, DateTime t)
    {
        var i = random.Next(6);
        fields[i] = i == 0
            ? random.Next(10) switch
            {
                0 => "2024-13-02T00:00:00Z",
                1 => "2023-02-29T10:00:00Z",
                2 => t.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) + ":60Z",
                3 => t.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), // duplicate or backwards
                4 => t.AddMinutes(-random.Next(2, 100)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                5 => t.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                6 => t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + "+00:00",
                7 => new DateTimeOffset(t).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                8 => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                _ => t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + "Q",
            }
            : random.Next(16) switch
            {
                0 => "",
                1 => "abc",
                2 => "-" + fields[i],
                3 => "+" + fields[i],
                4 => "00" + fields[i],
                5 => fields[i] + "e0",
                6 => "4.2E+2",
                7 => "1e-8",
                8 => "12345678901234567890.5", // 20 digits
                9 => "1234567890123456789", // 19 digits
                10 => ".5",
                11 => "5.",
                12 => "0",
                13 => "0.000",
                14 => " " + fields[i],
                _ => fields[i] + "." + random.Next(10).ToString(CultureInfo.InvariantCulture), // a second point, or a first
            };
    }

    [Fact]
    public void RandomFiles_GiveTheSameBarsCountsAndErrors_AsTheGeneralPathAndTheTextReader()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var damage = random.Next(3) switch { 0 => 0.0, 1 => 0.02, _ => 0.2 };
            var path = Write(RandomFile(random, random.Next(1, 300), damage));
            var skip = random.Next(2) == 0;
            var maxDigits = random.Next(3) == 0 ? 18 : random.Next(3) == 0 ? 6 : (int?)null;
            AssertSame(path, Timeframe.OneMinute, Btc, skip, maxDigits);
        }, iter: 150, threads: 1);
    }

    [Fact]
    public void RandomFilesWithoutDamage_AreReadWhole_AndSoAreHourBars()
    {
        var random = new Random(33);
        for (var n = 0; n < 20; n++)
        {
            var path = Write(RandomFile(random, 2_000, damage: 0));
            var pass = AssertSame(path, Timeframe.OneMinute, Btc, skip: true);
            Assert.Equal("rows 2000 bars 2000 skipped 0 other 0 bytes True", pass.Counts);
            AssertSame(path, Timeframe.OneHour, Btc, skip: true);
            AssertSame(path, Timeframe.OneMinute, Symbol.Equity("SPY"), skip: true); // stamps outside the exchange's hours
        }
    }

    [Fact]
    public void ALineCutByTheBuffer_AndLinesAcrossManyRefills_GiveTheSameBars()
    {
        var csv = new StringBuilder("time,open,high,low,close,volume\n");
        var t = new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc);
        var random = new Random(12);
        while (csv.Length < 3_300_000)
        {
            t = t.AddMinutes(1);
            csv.Append(CultureInfo.InvariantCulture, $"{t:yyyy-MM-ddTHH:mm:ssZ},{Fixed(42000m + random.Next(100), random.Next(3))},42100.5,41900.25,{42000 + random.Next(100)},{random.Next(1_000_000)}.{random.Next(1_000)}\n");
        }

        var pass = AssertSame(Write(csv.ToString()), Timeframe.OneMinute, Btc, skip: false);
        Assert.Null(pass.Error);
        Assert.EndsWith("bytes True", pass.Counts, StringComparison.Ordinal);
        Assert.Equal(csv.ToString().Count(c => c == '\n') - 1, pass.Bars.Count);
    }

    [Theory]
    [InlineData("2024-01-02T00:01:00Z,42000,42002.1,41999.63,42001.68,261.3821\n", true)]
    [InlineData("2024-01-02T00:01:00Z,42000.0,42002.10,41999.63,42001.680,0\r\n", true)]
    [InlineData("2024-01-02 00:01:00,0.00001234,0.0000124,0.00001,0.000012,123456789012.1234567\n", true)]
    [InlineData("2024-01-02t00:01:00z,5.,5.5,.5,5,1\n", true)]
    [InlineData("2024-01-02T00:01:00Z,42000,42002.1,41999.63,42001.68,261.3821", false)] // no line end: the general path
    [InlineData("2024-01-02T00:01:00Z,42000,42002.1,41999.63,42001.68,261.3821\r", false)]
    [InlineData("2024-01-02T00:01:00Z,4.2e4,42002.1,41999.63,42001.68,1\n", false)]
    [InlineData("2024-01-02T00:01:00Z,+42000,42002.1,41999.63,42001.68,1\n", false)]
    [InlineData("2024-01-02T00:01:00Z,42000,42002.1,41999.63,42001.68,-1\n", false)]
    [InlineData("2024-01-02T00:01:00Z,0,42002.1,0,0,1\n", false)]
    [InlineData("2024-01-02T00:01:00Z,42003,42002.1,41999.63,42001.68,1\n", false)]
    [InlineData("2024-01-02T00:01:00Z,42000,42002.1,41999.63,42001.68,12345678901234567890\n", false)]
    [InlineData("2024-01-02T00:01:00Z, 42000,42002.1,41999.63,42001.68,1\n", false)]
    [InlineData("2024-01-02T00:01:00Z,42000,42002.1,41999.63,42001.68,1,\n", false)]
    [InlineData("2024-01-02T00:01:00.5Z,42000,42002.1,41999.63,42001.68,1\n", false)]
    [InlineData("2024-01-02T00:01:00+00:00,42000,42002.1,41999.63,42001.68,1\n", false)]
    [InlineData("2024-01-02T24:01:00Z,42000,42002.1,41999.63,42001.68,1\n", false)]
    [InlineData("1704153660,42000,42002.1,41999.63,42001.68,1\n", false)]
    [InlineData("\n", false)]
    public void APlainRow_IsTakenInOnePass_AndAnyOtherIsLeftToTheGeneralPath(string row, bool taken)
    {
        var options = new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = Btc, CalendarFor = MarketCalendars.For };
        var parser = new CsvRowParser("f.csv", options, new CsvReadStatistics(), ["time", "open", "high", "low", "close", "volume"]);
        Assert.True(parser.IsPlainLayout);
        var bytes = Encoding.ASCII.GetBytes(row);
        var used = parser.TryParsePlain(bytes, 2, out var bar);
        Assert.Equal(taken ? bytes.Length : 0, used);
        if (taken)
        {
            var text = row.TrimEnd('\r', '\n').Split(',');
            Assert.Equal(decimal.Parse(text[1], CultureInfo.InvariantCulture), bar.Open);
            Assert.Equal(decimal.GetBits(decimal.Parse(text[2], CultureInfo.InvariantCulture)), decimal.GetBits(bar.High));
            Assert.Equal(decimal.GetBits(decimal.Parse(text[5], CultureInfo.InvariantCulture)), decimal.GetBits(bar.Volume));
            Assert.Equal(3, parser.NextLine);
        }
        else
        {
            Assert.Equal(2, parser.NextLine);
        }
    }

    [Theory]
    [InlineData("symbol,time,open,high,low,close,volume")]
    [InlineData("open,time,high,low,close,volume")]
    [InlineData("time,open,high,low,close,volume,trades")]
    [InlineData("time,open,high,low,close,volume,vwap")]
    public void OtherLayouts_AreNotPlain(string header)
    {
        var options = new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = Btc, CalendarFor = MarketCalendars.For };
        var parser = new CsvRowParser("f.csv", options, new CsvReadStatistics(), header.Split(','));
        Assert.False(parser.IsPlainLayout);
    }
}
