using StrategyLab.Reporting;

namespace StrategyLab.Tests.Reporting;

public sealed class ArtifactFormatTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "strategylab-tests", "csv-" + Guid.NewGuid().ToString("N"));

    public ArtifactFormatTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("100.10", "100.1")]
    [InlineData("100", "100")]
    [InlineData("-12.5000", "-12.5")]
    [InlineData("0.00000000005", "0.0000000001")]     // 10 decimals, half away from zero
    [InlineData("0.000000000049", "0")]
    [InlineData("-0.00000000004", "0")]               // never "-0"
    [InlineData("0.0000000001", "0.0000000001")]
    [InlineData("12345678901234567890.123", "12345678901234567890.123")] // no exponent, no separators
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("100.33333333333333333333333333", "100.3333333333")]
    public void Decimals_UpToTenPlaces_TrailingZerosTrimmed(string value, string expected) =>
        Assert.Equal(expected, ArtifactFormat.ToText(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(-1e-12, "0")]
    [InlineData(0.1 + 0.2, "0.3")]
    [InlineData(1.519868415357067, "1.5198684154")]
    [InlineData(1e-7, "0.0000001")]
    public void Doubles_SameFormat(double value, string expected) => Assert.Equal(expected, ArtifactFormat.ToText(value));

    [Fact]
    public void NonFiniteDoubles_AreRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ArtifactFormat.ToText(double.NaN));

    [Fact]
    public void Csv_QuotesOnlyWhenNeeded_AndWritesWholeLines()
    {
        var path = Path.Combine(_dir, "x.csv");
        using (var csv = new CsvFile(path, "a,b,c,d"))
        {
            csv.Text("plain text").Text("comma, here").Text("say \"hi\"").Text(null).EndRow();
            csv.Text("line\nbreak").Number(1.50m).Number((decimal?)null).Integer(-42).EndRow();
            Assert.Equal("a,b,c,d\n", ArtifactRun.ReadShared(path)); // rows are pending until committed
            csv.Commit();
            csv.Text("half a row"); // never committed: dropped on dispose
        }

        Assert.Equal(
            "a,b,c,d\nplain text,\"comma, here\",\"say \"\"hi\"\"\",\n\"line\nbreak\",1.5,,-42\n",
            File.ReadAllText(path));
        var rows = ArtifactRun.ParseCsv(File.ReadAllText(path));
        Assert.Equal(["plain text", "comma, here", "say \"hi\"", ""], rows[1]);
        Assert.Equal(["line\nbreak", "1.5", "", "-42"], rows[2]);
    }

    [Fact]
    public void Csv_LongRows_GrowTheLineBuffer()
    {
        var path = Path.Combine(_dir, "long.csv");
        var text = new string('x', 5000);
        using (var csv = new CsvFile(path, "a,b"))
        {
            csv.Text(text).Text("é€").EndRow();
        }

        Assert.Equal($"a,b\n{text},é€\n", File.ReadAllText(path));
        Assert.False(File.ReadAllBytes(path).AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF })); // no BOM
    }
}
