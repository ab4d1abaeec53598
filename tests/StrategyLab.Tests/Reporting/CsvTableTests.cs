using System.Globalization;
using CsCheck;
using StrategyLab.Reporting.Reading;
using StrategyLab.Tests.Data;

namespace StrategyLab.Tests.Reporting;

public sealed class CsvTableTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Each record as "line: field|field|…".</summary>
    private List<string> ReadAll(string content, params string[] columns)
    {
        var path = _dir.File("t.csv", content);
        using var csv = new CsvTable(path);
        var indexes = columns.Select(csv.Column).ToArray();
        var rows = new List<string>();
        while (csv.Next())
        {
            rows.Add(csv.LineNumber.ToString(CultureInfo.InvariantCulture) + ": " + string.Join('|', indexes.Select(csv.Text)));
        }

        return rows;
    }

    [Fact]
    public void Quoting_CommasQuotesAndLineBreaks_AndCrLf()
    {
        var rows = ReadAll("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",z\n\nplain,\n", "a", "b");
        Assert.Equal(["2: x, y|say \"hi\"", "3: two\nlines|z", "6: plain|"], rows);
    }

    [Fact]
    public void ALastLineWithoutItsBreak_IsNotARecordYet()
    {
        Assert.Equal(["2: 1|2"], ReadAll("a,b\n1,2\n3,", "a", "b"));
        Assert.Equal(["2: 1|2"], ReadAll("a,b\n1,2\n\"open quote,\n", "a", "b"));
    }

    [Fact]
    public void ColumnsByName_InAnyOrder_AndAMissingOneNamesItself()
    {
        Assert.Equal(["2: 2|1"], ReadAll("a,b\n1,2\n", "b", "a"));
        var e = Assert.Throws<RunFolderException>(() => ReadAll("a,b\n", "c"));
        Assert.EndsWith("t.csv:1, field 'c': the header has no column 'c'.", e.Message, StringComparison.Ordinal);
        Assert.Throws<RunFolderException>(() => ReadAll(string.Empty, "a")); // no header line
    }

    [Fact]
    public void LongRecords_AcrossTheReadBuffer()
    {
        var big = new string('x', 200_000);
        var rows = ReadAll($"a,b\n{big},\"{big}\"\nend,1\n", "a", "b");
        Assert.Equal(2, rows.Count);
        Assert.Equal($"2: {big}|{big}", rows[0]);
        Assert.Equal("3: end|1", rows[1]);
    }

    [Theory]
    [InlineData("2013-10-07T09:46:00-04:00", 2013, 10, 7, 9, 46, 0, 0, -240)]
    [InlineData("2013-12-02T09:46:00.5-05:00", 2013, 12, 2, 9, 46, 0, 5_000_000, -300)]
    [InlineData("2024-02-29T23:59:59.1234567+05:30", 2024, 2, 29, 23, 59, 59, 1_234_567, 330)]
    [InlineData("2024-01-01T00:00:00Z", 2024, 1, 1, 0, 0, 0, 0, 0)]
    public void Times_WithOffsetsAndFractions(string text, int y, int mo, int d, int h, int mi, int s, long fractionTicks, int offsetMinutes)
    {
        Assert.True(ArtifactTime.TryParse(text, out var t));
        Assert.Equal(new DateTimeOffset(new DateTime(y, mo, d, h, mi, s).AddTicks(fractionTicks), TimeSpan.FromMinutes(offsetMinutes)), t);
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), t.Offset);
    }

    [Theory]
    [InlineData("2013-02-29T09:46:00-05:00")]
    [InlineData("2013-10-07 09:46:00-04:00")]
    [InlineData("2013-10-07T24:00:00-04:00")]
    [InlineData("2013-10-07T09:46:00")]
    [InlineData("2013-10-07T09:46:00-15:00")]
    [InlineData("")]
    public void Times_ThatAreNotArtifactTimes_AreRefused(string text) => Assert.False(ArtifactTime.TryParse(text, out _));

    [Fact]
    public void Times_AgreeWithTheFrameworkParser()
    {
        Gen.Select(Gen.Long[DateTime.MinValue.AddDays(2).Ticks, DateTime.MaxValue.AddDays(-2).Ticks], Gen.Int[-14 * 4, 14 * 4], Gen.Bool)
            .Sample((ticks, quarterHours, whole) =>
            {
                var local = new DateTime(whole ? ticks - (ticks % TimeSpan.TicksPerSecond) : ticks);
                var value = new DateTimeOffset(local, TimeSpan.FromMinutes(15 * quarterHours));
                var text = value.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
                Assert.True(ArtifactTime.TryParse(text, out var parsed), text);
                Assert.Equal(DateTimeOffset.ParseExact(text, "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture), parsed);
                Assert.Equal(value.Offset, parsed.Offset);
            });
    }
}
