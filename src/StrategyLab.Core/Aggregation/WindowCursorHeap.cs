using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Aggregation;

/// <summary>
/// Per-symbol state that waits in a <see cref="WindowCursorHeap{T}"/> for its next window to close: the heap orders
/// entries by (<see cref="DueEnd"/>, <see cref="Symbol"/>), the order in which bars are emitted.
/// </summary>
internal abstract class WindowCursor(Symbol symbol)
{
    /// <summary>The instrument.</summary>
    public Symbol Symbol { get; } = symbol;

    /// <summary>End of the window this entry waits on.</summary>
    public DateTime DueEnd { get; set; }

    /// <summary>Position in the heap; -1 when not in it.</summary>
    public int HeapIndex { get; set; } = -1;

    /// <summary>True while the entry is in a heap.</summary>
    public bool InHeap => HeapIndex >= 0;
}

/// <summary>
/// A binary min-heap of <see cref="WindowCursor"/> entries keyed by (due end, symbol), with in-place key changes.
/// Each symbol has at most one entry, so operations cost O(log symbols) and allocate nothing once the backing array
/// has grown to the number of symbols.
/// </summary>
internal sealed class WindowCursorHeap<T>
    where T : WindowCursor
{
    private T[] _items = new T[16];

    /// <summary>Number of entries.</summary>
    public int Count { get; private set; }

    /// <summary>The entry with the smallest (due end, symbol); only valid when <see cref="Count"/> &gt; 0.</summary>
    public T Peek() => _items[0];

    /// <summary>Adds an entry that is not in the heap.</summary>
    public void Push(T item)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count] = item;
        item.HeapIndex = Count;
        Count++;
        SiftUp(item.HeapIndex);
    }

    /// <summary>Restores the order after the entry's <see cref="WindowCursor.DueEnd"/> changed (either way).</summary>
    public void Update(T item)
    {
        var i = item.HeapIndex;
        if (i > 0 && Less(_items[i], _items[(i - 1) / 2]))
        {
            SiftUp(i);
        }
        else
        {
            SiftDown(i);
        }
    }

    /// <summary>Removes an entry that is in the heap.</summary>
    public void Remove(T item)
    {
        var i = item.HeapIndex;
        Count--;
        item.HeapIndex = -1;
        if (i == Count)
        {
            _items[Count] = null!;
            return;
        }

        var last = _items[Count];
        _items[Count] = null!;
        _items[i] = last;
        last.HeapIndex = i;
        Update(last);
    }

    private static bool Less(T a, T b)
    {
        var c = a.DueEnd.CompareTo(b.DueEnd);
        return c != 0 ? c < 0 : a.Symbol.CompareTo(b.Symbol) < 0;
    }

    private void SiftUp(int i)
    {
        var item = _items[i];
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Less(item, _items[parent]))
            {
                break;
            }

            _items[i] = _items[parent];
            _items[i].HeapIndex = i;
            i = parent;
        }

        _items[i] = item;
        item.HeapIndex = i;
    }

    private void SiftDown(int i)
    {
        var item = _items[i];
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && Less(_items[child + 1], _items[child]))
            {
                child++;
            }

            if (!Less(_items[child], item))
            {
                break;
            }

            _items[i] = _items[child];
            _items[i].HeapIndex = i;
            i = child;
        }

        _items[i] = item;
        item.HeapIndex = i;
    }
}
