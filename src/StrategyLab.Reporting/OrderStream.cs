using StrategyLab.Core.Execution;

namespace StrategyLab.Reporting;

/// <summary>
/// Writes <c>orders.csv</c> of a buffered run once, in id order, as the run goes: an order's row (its final state) is
/// written as soon as the order is final and every order with a smaller id is written; orders still open at the end
/// are written last by <see cref="WriteRemaining"/>. Only the orders from the oldest open one on are held, so memory
/// stays flat unless an order stays open for the whole run (then the orders after it wait with it).
/// </summary>
internal sealed class OrderStream(CsvFile file, Action<CsvFile, Order> writeRow)
{
    // Orders not written yet, in id order, from _head on.
    private readonly List<Order> _queue = [];
    private int _head;
    private long _lastQueuedId = long.MinValue;
    private long _lastWrittenId = long.MinValue;

    /// <summary>The file written to.</summary>
    public CsvFile File => file;

    /// <summary>An order changed (or was created): queue it if new, then write every final order at the head.</summary>
    public void OnEvent(Order order)
    {
        if (order.Id > _lastQueuedId)
        {
            _queue.Add(order);
            _lastQueuedId = order.Id;
        }
        else if (order.Id > _lastWrittenId)
        {
            // Ids normally arrive in order; an older id not yet queued goes to its place.
            var index = Find(order.Id);
            if (index < 0)
            {
                _queue.Insert(~index, order);
            }
        }

        while (_head < _queue.Count && !_queue[_head].IsOpen)
        {
            Write(_queue[_head]);
            _queue[_head++] = null!;
        }

        if (_head == _queue.Count)
        {
            _queue.Clear();
            _head = 0;
        }
        else if (_head >= 1024 && _head * 2 >= _queue.Count)
        {
            _queue.RemoveRange(0, _head);
            _head = 0;
        }
    }

    /// <summary>Writes the orders not written yet (those still open, and the final ones queued behind them).</summary>
    public void WriteRemaining()
    {
        for (var i = _head; i < _queue.Count; i++)
        {
            Write(_queue[i]);
        }

        _queue.Clear();
        _head = 0;
    }

    private void Write(Order order)
    {
        writeRow(file, order);
        _lastWrittenId = order.Id;
    }

    private int Find(long id)
    {
        int lo = _head, hi = _queue.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var at = _queue[mid].Id;
            if (at == id)
            {
                return mid;
            }

            if (at < id)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }
}
