using Microsoft.Win32.SafeHandles;

namespace StrategyLab.Data.Store;

/// <summary>
/// The bytes of a partition file for <see cref="PlainInt64Pages"/> and <see cref="StoreFileFooter"/>: either the whole
/// file already in memory (read once for its checksum and its pages) or the open file, read at explicit offsets.
/// </summary>
internal sealed class PartitionBytes
{
    private readonly byte[]? _memory;
    private readonly SafeFileHandle? _file;

    /// <summary>The first <paramref name="length"/> bytes of <paramref name="memory"/> are the file.</summary>
    public PartitionBytes(byte[] memory, int length) => (_memory, Length) = (memory, length);

    /// <summary>The open file <paramref name="file"/> of <paramref name="length"/> bytes, read with positional reads (its position is not moved).</summary>
    public PartitionBytes(SafeFileHandle file, long length) => (_file, Length) = (file, length);

    /// <summary>The file's length in bytes when it was opened.</summary>
    public long Length { get; }

    /// <summary>
    /// Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/>; false when they are not all
    /// there (past the end, or the file was cut short since it was opened).
    /// </summary>
    public bool TryRead(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset > Length - destination.Length)
        {
            return false;
        }

        if (_memory is not null)
        {
            _memory.AsSpan((int)offset, destination.Length).CopyTo(destination);
            return true;
        }

        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(_file!, destination, offset);
            if (read <= 0)
            {
                return false;
            }

            destination = destination[read..];
            offset += read;
        }

        return true;
    }
}
