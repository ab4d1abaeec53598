namespace StrategyLab.Data.Store;

/// <summary>
/// The column arrays a <see cref="PartitionReader"/> decodes a row group into, kept by the caller across the partitions
/// of one series (a multi-year read opens a reader per yearly file) so each series holds one set, sized to its longest
/// month, for the whole read.
/// </summary>
/// <remarks>
/// Not rented from the shared pool: it rounds a month of minutes (~8,400 rows) up to 16,384 and keeps what is given
/// back for the rest of the process (10 symbols × 7 columns × 128 KB, on the large-object heap, still held while the
/// report is built). Sized to the row group plus an eighth (a longer month to come), a month of regular-session minutes
/// is under 85 KB a column: the small-object heap, collected with the reader.
/// </remarks>
internal sealed class RowGroupBuffers
{
    public long[] Starts { get; private set; } = [];

    public long[] Ends { get; private set; } = [];

    public long[] Open { get; private set; } = [];

    public long[] High { get; private set; } = [];

    public long[] Low { get; private set; } = [];

    public long[] Close { get; private set; } = [];

    public long[] Volume { get; private set; } = [];

    private int?[]? _trades;
    private decimal?[]? _vwap;

    /// <summary>Rows each array holds.</summary>
    public int Capacity { get; private set; }

    /// <summary>Makes every column hold at least <paramref name="rows"/> rows (the arrays are replaced, their content is not kept).</summary>
    public void Ensure(int rows)
    {
        if (rows <= Capacity)
        {
            return;
        }

        Capacity = rows + (rows / 8);
        Starts = new long[Capacity];
        Ends = new long[Capacity];
        Open = new long[Capacity];
        High = new long[Capacity];
        Low = new long[Capacity];
        Close = new long[Capacity];
        Volume = new long[Capacity];
        _trades = null;
        _vwap = null;
    }

    /// <summary>The trade-count column (created on first use), at least <see cref="Capacity"/> rows.</summary>
    public int?[] Trades() => _trades ??= new int?[Capacity];

    /// <summary>The VWAP column (created on first use), at least <see cref="Capacity"/> rows.</summary>
    public decimal?[] Vwap() => _vwap ??= new decimal?[Capacity];
}
