using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using StrategyLab.Reporting;

namespace StrategyLab.Benchmarks;

/// <summary>
/// One equity row's fields (a time and three decimals) formatted to UTF-8: the byte formatters the writers use now
/// against the path they used before (the .NET custom formats into chars, then UTF-8 encoding), kept here as the
/// reference. Reported per row.
/// </summary>
[MemoryDiagnoser]
public class ArtifactFormatBenchmarks
{
    private const int Rows = 10_000;
    private static readonly Encoding Utf8 = new UTF8Encoding(false);
    private readonly byte[] _bytes = new byte[256];
    private readonly char[] _chars = new char[256];
    private DateTimeOffset[] _times = [];
    private decimal[] _values = [];

    /// <summary>Minute times with a New York offset; cash, positions value and equity with 2–8 decimals.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _times = new DateTimeOffset[Rows];
        _values = new decimal[Rows * 3];
        var start = new DateTimeOffset(2020, 3, 2, 9, 31, 0, TimeSpan.FromHours(-5));
        for (var i = 0; i < Rows; i++)
        {
            _times[i] = start.AddMinutes(i);
            var price = Math.Round(300m + (decimal)(rng.NextDouble() * 50), 2);
            var cash = 100_000m - Math.Round((decimal)rng.NextDouble() * 1000, 8);
            _values[(3 * i) + 0] = cash;
            _values[(3 * i) + 1] = price * 10;
            _values[(3 * i) + 2] = cash + (price * 10);
        }
    }

    /// <summary>The byte formatters (<see cref="ArtifactFormat.Format(decimal, Span{byte})"/> and the time one).</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public int Utf8Formatters()
    {
        var total = 0;
        var dest = _bytes.AsSpan();
        for (var i = 0; i < Rows; i++)
        {
            var n = ArtifactFormat.Format(_times[i], dest);
            n += ArtifactFormat.Format(_values[3 * i], dest[n..]);
            n += ArtifactFormat.Format(_values[(3 * i) + 1], dest[n..]);
            n += ArtifactFormat.Format(_values[(3 * i) + 2], dest[n..]);
            total += n;
        }

        return total;
    }

    /// <summary>The former path: custom formats into chars, then the row transcoded to UTF-8.</summary>
    [Benchmark(OperationsPerInvoke = Rows, Baseline = true)]
    public int CustomFormatsThenUtf8()
    {
        var total = 0;
        var line = _chars.AsSpan();
        for (var i = 0; i < Rows; i++)
        {
            _times[i].TryFormat(line, out var n, "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
            for (var k = 0; k < 3; k++)
            {
                _values[(3 * i) + k].TryFormat(line[n..], out var w, "0.##########", CultureInfo.InvariantCulture);
                n += w;
            }

            total += Utf8.GetBytes(line[..n], _bytes);
        }

        return total;
    }
}
