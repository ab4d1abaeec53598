using System.Runtime.CompilerServices;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Engine;

// Step 1 of a cycle: the slice in symbol order, trading hours, and the price update (the venue matches its orders, open
// positions are marked, the bar goes to the history and the recorder). Its own method, not part of ProcessSlice: the
// JIT compiles the per-bar loop with an inlining budget of its own (inside the larger ProcessSlice the budget ran out
// and small per-bar calls such as the symbol-table read stayed calls).
public sealed partial class TradingEngine
{
    /// <summary>Step 1 for every bar of the slice; false when no bar was inside trading hours.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool UpdatePrices(ReadOnlySpan<Bar> slice)
    {
        var any = false;
        var n = slice.Length;
        for (var i = 0; i < n; i++)
        {
            ref readonly var bar = ref slice[i];
            var state = _sliceStates[i];
            _accepted[i] = InHours(state, bar);
            if (!_accepted[i])
            {
                Counters.BarsDropped++;
                OutsideSession.Add(bar, state.Calendar);
                continue;
            }

            any = true;
            if (NoteSession(state, bar))
            {
                // Corporate actions take effect at the open of their ex-date: checked once per symbol and session.
                if (state.NextActionDate <= state.Session!.Date)
                {
                    ApplyCorporateActions(state, bar);
                }

                SessionOpen(bar.Symbol, state.Session!);
            }

            if (_simulatedExchange is { } exchange)
            {
                exchange.OnBar(bar);
            }
            else
            {
                _barVenue?.OnBar(bar);
            }
            if (state.Position is null && state.PositionsSeen != _portfolio.PositionObjectCount)
            {
                // A position object appears with the symbol's first fill; look it up only when one was added.
                state.PositionsSeen = _portfolio.PositionObjectCount;
                state.Position = _portfolio.GetPosition(bar.Symbol);
            }

            if (state.Position is { } position)
            {
                _portfolio.Mark(position, bar.Close, bar.End);
            }

            state.Append(bar);
            Counters.Bars++;
            _recorder.OnBar(bar);
        }

        return any;
    }

    /// <summary>
    /// The slice in symbol order: the input itself when it already is (the usual case: no copy), else a sorted copy.
    /// Fills <see cref="_sliceStates"/> in the same order.
    /// </summary>
    private ReadOnlySpan<Bar> InSymbolOrder(ReadOnlySpan<Bar> bars, DateTime now)
    {
        if (_sliceStates.Length < bars.Length)
        {
            _slice = new Bar[bars.Length * 2];
            _sliceStates = new SymbolState[bars.Length * 2];
            _accepted = new bool[bars.Length * 2];
        }

        var ordered = true;
        for (var i = 0; i < bars.Length; i++)
        {
            ref readonly var bar = ref bars[i];
            if (bar.End != now)
            {
                throw new ArgumentException($"Bar {bar} does not end at the slice time {now:O}.", nameof(bars));
            }

            if (_states.Get(bar.Symbol) is not { } state)
            {
                throw new ArgumentException($"Bar {bar} is for a symbol that is not part of this run.", nameof(bars));
            }

            if (i > 0 && _sliceStates[i - 1].Index >= state.Index)
            {
                if (_sliceStates[i - 1] == state)
                {
                    throw new ArgumentException($"Two bars for {bar.Symbol} end at {now:O}.", nameof(bars));
                }

                ordered = false;
            }

            if (!ReferenceEquals(_sliceStates[i], state))
            {
                _sliceStates[i] = state; // a reference store is a write-barrier call: skipped when the slot holds it already
            }
        }

        if (ordered)
        {
            return bars;
        }

        // Insertion sort by the symbol's index (slices are small).
        for (var i = 0; i < bars.Length; i++)
        {
            var state = _states.Get(bars[i].Symbol)!;
            var j = i - 1;
            while (j >= 0 && _sliceStates[j].Index > state.Index)
            {
                _slice[j + 1] = _slice[j];
                _sliceStates[j + 1] = _sliceStates[j];
                j--;
            }

            if (j >= 0 && _sliceStates[j] == state)
            {
                throw new ArgumentException($"Two bars for {bars[i].Symbol} end at {now:O}.", nameof(bars));
            }

            _slice[j + 1] = bars[i];
            _sliceStates[j + 1] = state;
        }

        return _slice.AsSpan(0, bars.Length);
    }

    private bool InHours(SymbolState state, in Bar bar)
    {
        var s = state.HoursSession;
        if (s is not null && s.Contains(bar.Start, _options.ExtendedHours))
        {
            return true;
        }

        s = state.Calendar.SessionAt(bar.Start, _options.ExtendedHours);
        state.HoursSession = s;
        return s is not null;
    }

    private static bool NoteSession(SymbolState state, in Bar bar)
    {
        var s = state.HoursSession!;
        if (ReferenceEquals(state.Session, s) || state.Session?.Date == s.Date)
        {
            return false;
        }

        state.Session = s;
        return true;
    }
}
