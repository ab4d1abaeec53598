using System.Globalization;
using System.IO.Compression;

namespace StrategyLab.FakeServers.Common;

/// <summary>
/// The rows of a LEAN zip (tick or minute file: one CSV entry, times in milliseconds since the New York midnight,
/// prices in ten-thousandths), as the fakes play them: empty lines skipped, every row at least six fields, errors naming
/// the file, the line and the field.
/// </summary>
internal static class LeanZipRows
{
    /// <summary>The New York zone LEAN's times of day are in.</summary>
    public static TimeZoneInfo NewYork => TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>Each non-empty row with its 1-based line number, in file order.</summary>
    /// <exception cref="InvalidDataException">The zip is empty, or a row has fewer than six fields.</exception>
    public static IEnumerable<(int Line, string[] Fields)> Read(string zipPath)
    {
        ArgumentNullException.ThrowIfNull(zipPath);
        using var zip = ZipFile.OpenRead(zipPath);
        var entry = zip.Entries.FirstOrDefault() ?? throw new InvalidDataException($"{zipPath}: the zip is empty.");
        using var reader = new StreamReader(entry.Open());
        var line = 0;
        while (reader.ReadLine() is { } row)
        {
            line++;
            if (row.Length == 0)
            {
                continue;
            }

            var fields = row.Split(',');
            if (fields.Length < 6)
            {
                throw new InvalidDataException($"{zipPath}:{line}: expected 6 fields, found {fields.Length}.");
            }

            yield return (line, fields);
        }
    }

    /// <summary>A field as a plain decimal number.</summary>
    /// <exception cref="InvalidDataException">It is not one; the message names the file, line and field.</exception>
    public static decimal Number(string text, string file, int line, string field) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{file}:{line}: field '{field}' is not a number ('{text}').");
}
