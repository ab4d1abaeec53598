using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Core.Engine;

// Higher-timeframe subscriptions: a strategy asks in Initialize for bars of a coarser timeframe built from the run's
// bars, and gets each one when its window completes. A run without subscriptions pays one null check per slice.
public sealed partial class TradingEngine
{
    // Null until a strategy subscribes; ordered by timeframe, so a 15m bar ending at 16:00 comes before the 1d bar.
    private TimeframeFeed[]? _feeds;

    /// <summary>Feeds the accepted bars of a slice into every subscription and delivers the higher bars they complete.</summary>
    private void FeedTimeframes(ReadOnlySpan<Bar> slice, DateTime now)
    {
        foreach (var feed in _feeds!)
        {
            for (var i = 0; i < slice.Length; i++)
            {
                if (_accepted[i])
                {
                    feed.Resampler.Add(slice[i], feed);
                }
            }

            feed.Resampler.AdvanceTo(now, feed);
            Deliver(feed);
        }
    }

    /// <summary>Warm-up: one bar at a time (the bars of one end time are fed before any window ending then is closed).</summary>
    private void FeedTimeframe(in Bar bar)
    {
        foreach (var feed in _feeds!)
        {
            feed.Resampler.Add(bar, feed);
        }
    }

    private void AdvanceTimeframes(DateTime now)
    {
        foreach (var feed in _feeds!)
        {
            feed.Resampler.AdvanceTo(now, feed);
            Deliver(feed);
        }
    }

    private void Deliver(TimeframeFeed feed)
    {
        var count = feed.PendingCount;
        if (count == 0)
        {
            return;
        }

        feed.PendingCount = 0;
        var pending = feed.Pending;
        SortPending(pending, count);
        for (var p = 0; p < count; p++)
        {
            ref readonly var bar = ref pending[p];
            var state = _states.Get(bar.Symbol)!;
            feed.History[state.Index].Append(bar);
            foreach (var (symbol, handler) in feed.Handlers)
            {
                if (symbol is not null && !ReferenceEquals(symbol, bar.Symbol) && symbol != bar.Symbol)
                {
                    continue;
                }

                try
                {
                    handler(bar, _context);
                }
                catch (Exception e) when (e is not StrategyException)
                {
                    throw StrategyFailed(feed.CallbackName, e);
                }
            }
        }
    }

    /// <summary>(end, symbol order): the resampler emits a window left open by a missing bar before the current ones.</summary>
    private void SortPending(Bar[] pending, int count)
    {
        for (var i = 1; i < count; i++)
        {
            var bar = pending[i];
            var index = _states.Get(bar.Symbol)!.Index;
            var j = i - 1;
            while (j >= 0 && (pending[j].End > bar.End || (pending[j].End == bar.End && _states.Get(pending[j].Symbol)!.Index > index)))
            {
                pending[j + 1] = pending[j];
                j--;
            }

            pending[j + 1] = bar;
        }
    }

    private void Subscribe(Symbol? symbol, Timeframe timeframe, BarHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (timeframe.IsDefault)
        {
            throw new ArgumentException("Subscribe needs a timeframe; got the default value.", nameof(timeframe));
        }

        if (_now != default)
        {
            throw new InvalidOperationException(
                $"Subscribe({timeframe}) must be called from Initialize, before the first bar (it was called at {_now:O}).");
        }

        if (symbol is not null && _states.Get(symbol) is null)
        {
            throw new ArgumentException($"{symbol} is not part of this run.", nameof(symbol));
        }

        var run = _options.Timeframe;
        if (timeframe < run || !timeframe.IsMultipleOf(run))
        {
            throw new StrategyConfigurationException(
                "data.timeframe",
                $"the strategy subscribes to {timeframe} bars, which cannot be built from the run's {run} bars " +
                $"(a subscription must be the run's timeframe or a whole multiple of it; 1d, 1w and 1mo are built from any intraday or daily bars).");
        }

        var feeds = _feeds ?? [];
        var feed = feeds.FirstOrDefault(f => f.Timeframe == timeframe);
        if (feed is null)
        {
            feed = new TimeframeFeed(
                timeframe,
                new BarResampler(s => _states.Get(s)!.Calendar, timeframe, _options.ExtendedHours),
                _symbols.Length,
                _options.HistoryCapacity);
            _feeds = [.. feeds.Append(feed).OrderBy(f => f.Timeframe)];
        }

        feed.Handlers = [.. feed.Handlers, (symbol, handler)];
    }

    private ReadOnlySpan<Bar> History(Symbol symbol, Timeframe timeframe, int count)
    {
        var state = _states.Get(symbol) ?? throw new ArgumentException($"{symbol} is not part of this run.", nameof(symbol));
        if (timeframe == _options.Timeframe)
        {
            return state.History(count);
        }

        foreach (var feed in _feeds ?? [])
        {
            if (feed.Timeframe == timeframe)
            {
                return feed.History[state.Index].Last(count);
            }
        }

        throw new InvalidOperationException(
            $"No {timeframe} bars: subscribe to {timeframe} in Initialize (context.Subscribe) before asking for its history.");
    }

    private sealed partial class Context
    {
        public void Subscribe(Timeframe timeframe, BarHandler handler) => engine.Subscribe(null, timeframe, handler);

        public void Subscribe(Symbol symbol, Timeframe timeframe, BarHandler handler)
        {
            ArgumentNullException.ThrowIfNull(symbol);
            engine.Subscribe(symbol, timeframe, handler);
        }

        public ReadOnlySpan<Bar> History(Symbol symbol, Timeframe timeframe, int count) => engine.History(symbol, timeframe, count);
    }

    /// <summary>One subscribed timeframe: its resampler, the bars it completed in the current slice, history, handlers.</summary>
    private sealed class TimeframeFeed(Timeframe timeframe, BarResampler resampler, int symbolCount, int historyCapacity) : IBarSink
    {
        public Timeframe Timeframe { get; } = timeframe;

        public BarResampler Resampler { get; } = resampler;

        /// <summary>The name of the callback in a <see cref="StrategyException"/>, e.g. <c>OnBar(15m)</c>.</summary>
        public string CallbackName { get; } = $"OnBar({timeframe})";

        public (Symbol? Symbol, BarHandler Handler)[] Handlers { get; set; } = [];

        public BarRing[] History { get; } = [.. Enumerable.Range(0, symbolCount).Select(_ => new BarRing(historyCapacity))];

        public Bar[] Pending { get; private set; } = new Bar[Math.Max(4, symbolCount * 2)];

        public int PendingCount { get; set; }

        public void OnBar(in Bar bar)
        {
            if (PendingCount == Pending.Length)
            {
                var grown = new Bar[Pending.Length * 2];
                Array.Copy(Pending, grown, PendingCount);
                Pending = grown;
            }

            Pending[PendingCount++] = bar;
        }
    }

    /// <summary>The last bars of one symbol and timeframe: a sliding window over twice the capacity, always contiguous.</summary>
    private sealed class BarRing(int capacity)
    {
        private readonly int _capacity = Math.Max(1, capacity);
        private Bar[] _buffer = [];
        private int _start;
        private int _count;

        public void Append(in Bar bar)
        {
            if (_buffer.Length == 0)
            {
                _buffer = new Bar[_capacity * 2]; // allocated at the first bar, so unused symbols cost nothing
            }

            if (_start + _count == _buffer.Length)
            {
                var keep = Math.Min(_count, _capacity - 1);
                Array.Copy(_buffer, _start + _count - keep, _buffer, 0, keep);
                _start = 0;
                _count = keep;
            }

            _buffer[_start + _count] = bar;
            if (_count == _capacity)
            {
                _start++;
            }
            else
            {
                _count++;
            }
        }

        public ReadOnlySpan<Bar> Last(int count)
        {
            var n = Math.Clamp(count, 0, _count);
            return _buffer.AsSpan(_start + _count - n, n);
        }
    }
}
