using System.IO.Compression;
using nietras.SeparatedValues;

namespace StrategyLab.Data.Lean;

/// <summary>Opening the CSV inside a LEAN zip by its conventional name.</summary>
public sealed partial class LeanDataFolder
{
    /// <summary>
    /// The CSV a LEAN zip holds by convention: <c>20131007_spy_minute_trade.csv</c> in <c>spy/20131007_trade.zip</c>
    /// (minute, second), <c>20131007_spy_Trade_Tick.csv</c> (tick), <c>spy.csv</c> in <c>spy.zip</c> (hour, daily).
    /// </summary>
    private static string ExpectedEntryName(string zipPath, LeanResolution resolution)
    {
        var zipName = System.IO.Path.GetFileNameWithoutExtension(zipPath);
        if (resolution is LeanResolution.Hour or LeanResolution.Daily)
        {
            return zipName + ".csv";
        }

        var date = zipName.Split('_')[0];
        var ticker = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(zipPath)) ?? "";
        return resolution == LeanResolution.Tick
            ? $"{date}_{ticker}_Trade_Tick.csv"
            : $"{date}_{ticker}_{resolution.FolderName()}_trade.csv";
    }

    /// <summary>The conventionally named CSV entry of a LEAN zip, streamed through Sep.</summary>
    private sealed class ZipEntryReader : IDisposable
    {
        private readonly FileStream _file;
        private readonly ZipArchive _archive;
        private readonly Stream _entry;

        private ZipEntryReader(FileStream file, ZipArchive archive, Stream entry, SepReader reader, string name)
        {
            _file = file;
            _archive = archive;
            _entry = entry;
            Reader = reader;
            Name = name;
        }

        public SepReader Reader { get; }

        /// <summary><c>path/to/file.zip!entry.csv</c>, for error messages.</summary>
        public string Name { get; }

        private long NextLine { get; set; } = 1;

        /// <summary>Advances to the next row; a row past Sep's buffer (a stray quote) is an error naming the line.</summary>
        public bool MoveNext()
        {
            bool more;
            try
            {
                more = Reader.MoveNext();
            }
            catch (NotSupportedException)
            {
                throw new DataFormatException(Name, NextLine, null,
                    "the row does not end within the parser's limit of 16,777,216 characters; a quote (\") that is never closed "
                    + "makes the rest of the file one field, so check this line for a stray quote");
            }

            if (more)
            {
                NextLine = Reader.Current.LineNumberToExcl;
            }

            return more;
        }

        /// <summary>Opens the entry named <paramref name="expectedEntry"/> (case-insensitive), whatever its position.</summary>
        public static ZipEntryReader Open(string path, string expectedEntry)
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            ZipArchive? archive = null;
            try
            {
                archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
                var entry = archive.Entries.FirstOrDefault(e => e.Name.Equals(expectedEntry, StringComparison.OrdinalIgnoreCase))
                    ?? throw new DataFormatException(path, null, null, archive.Entries.Count == 0
                        ? $"the zip is empty; expected an entry {expectedEntry}"
                        : $"the zip has no entry {expectedEntry}; it has {string.Join(", ", archive.Entries.Take(10).Select(e => e.FullName))}{(archive.Entries.Count > 10 ? ", …" : "")}");
                var stream = entry.Open();
                var reader = Sep.Reader(o => o with { Sep = new Sep(','), HasHeader = false, DisableColCountCheck = true })
                    .From(stream);
                return new ZipEntryReader(file, archive, stream, reader, path + "!" + entry.FullName);
            }
            catch (InvalidDataException e)
            {
                archive?.Dispose();
                file.Dispose();
                throw new DataFormatException(path, null, null, "not a readable zip: " + e.Message);
            }
            catch
            {
                archive?.Dispose();
                file.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Reader.Dispose();
            _entry.Dispose();
            _archive.Dispose();
            _file.Dispose();
        }
    }
}
