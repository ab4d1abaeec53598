namespace StrategyLab.Data.Store;

/// <summary>
/// The store's writer lock: an exclusive lock (an OS file lock, released when the process ends, even by kill -9) on
/// <see cref="FileName"/> at the store root, held for the whole of a <see cref="ParquetBarStore.WriteAsync"/>. A second
/// writer (another <c>data import</c> or <c>data download</c>, in this or another process) fails at once with
/// <see cref="StoreLockedException"/> instead of racing the first for the same partition's temporary file.
/// </summary>
internal sealed class StoreLock : IDisposable
{
    /// <summary>The lock file at the store root (left in place: deleting it would let two writers lock two files).</summary>
    public const string FileName = "strategylab-store.lock";

    // The sharing violation as the runtime reports it: ERROR_SHARING_VIOLATION on Windows, EWOULDBLOCK from flock on
    // Linux (11) and macOS (35).
    private const int WindowsSharingViolation = unchecked((int)0x80070020);

    private readonly FileStream _file;

    private StoreLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of the store at <paramref name="root"/> (which must exist).</summary>
    /// <exception cref="StoreLockedException">Another writer holds it.</exception>
    public static StoreLock Acquire(string root)
    {
        var path = Path.Combine(root, FileName);
        try
        {
            return new StoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1));
        }
        catch (IOException e) when (e.HResult is WindowsSharingViolation or 11 or 35)
        {
            throw new StoreLockedException(root, e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}

/// <summary>Another import or download is writing to the store (see <see cref="StoreLock"/>): not bad input, try again when it is done.</summary>
public sealed class StoreLockedException : IOException
{
    /// <summary>Creates the exception for the store at <paramref name="root"/>.</summary>
    public StoreLockedException(string root, Exception? inner = null)
        : base($"another import holds the lock on the store {root} ({StoreLock.FileName}); wait for it to finish, or import into another store.", inner)
    {
        Root = root;
    }

    /// <summary>The store folder.</summary>
    public string Root { get; }
}
