using System.Buffers;
using Microsoft.Win32.SafeHandles;
using System.Security.Cryptography;

namespace StrategyLab.Data.Store;

/// <summary>
/// The SHA-256 of a partition, kept beside it as <c>&lt;partition&gt;.sha256</c> in <c>sha256sum</c> format
/// (<c>&lt;hex&gt;  &lt;file name&gt;</c>), written with the partition and verified whenever the whole file is read. A
/// partition without one (written before checksums existed) is read with its rows checked only.
/// </summary>
internal static class Checksum
{
    public const string Extension = ".sha256";

    /// <summary>Writes the checksum of <paramref name="file"/> to <paramref name="sidecar"/>, naming <paramref name="partitionName"/>.</summary>
    public static async Task WriteAsync(string file, string sidecar, string partitionName, CancellationToken cancellationToken)
    {
        byte[] hash;
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
        {
            hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(sidecar, Convert.ToHexStringLower(hash) + "  " + partitionName + "\n", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks <paramref name="bytes"/> (the whole of <paramref name="path"/>) against its checksum file, if any.</summary>
    /// <exception cref="DataFormatException">The checksum differs, or the checksum file is malformed.</exception>
    public static void Verify(string path, ReadOnlySpan<byte> bytes)
    {
        if (Expected(path) is not { } expected)
        {
            return;
        }

        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, actual);
        Compare(path, expected, actual);
    }

    /// <summary>
    /// Checks the whole file open as <paramref name="file"/> (<paramref name="path"/>) against its checksum file, if any:
    /// read at explicit offsets in large blocks (the handle's position is not moved), straight into the hash.
    /// </summary>
    public static void Verify(string path, SafeFileHandle file)
    {
        if (Expected(path) is not { } expected)
        {
            return;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 18);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(file, buffer, offset)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        hash.GetHashAndReset(actual);
        Compare(path, expected, actual);
    }

    private static byte[]? Expected(string path)
    {
        var sidecar = path + Extension;
        if (!File.Exists(sidecar))
        {
            return null;
        }

        var text = File.ReadAllText(sidecar);
        var hex = text.Split(' ', 2)[0].Trim();
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new DataFormatException(sidecar, 1, null, "not a SHA-256 checksum line (<64 hex digits>  <file name>); delete the partition and its .sha256 and import the month again");
        }

        return Convert.FromHexString(hex);
    }

    private static void Compare(string path, byte[] expected, ReadOnlySpan<byte> actual)
    {
        var sidecar = path + Extension;
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            throw new DataFormatException(path, null, null, $"corrupt partition: its SHA-256 differs from the one in {System.IO.Path.GetFileName(sidecar)} (the file changed after it was written); delete it (and its .sha256) and import the month again");
        }
    }
}
