using StrategyLab.Core.Aggregation;

namespace StrategyLab.Runner.Live;

/// <summary>
/// A window of time in which the feed was not (known to be) connected, and the bar windows it may have cost.
/// </summary>
/// <param name="LostUtc">The last instant the feed is known to have been receiving: the last frame before the drop (or, when the feed does not say, the moment the drop was seen).</param>
/// <param name="BackUtc">When the feed was connected again; null while it is still down.</param>
/// <param name="FirstWindowStart">The start of the first bar window the gap may have touched.</param>
internal readonly record struct FeedGap(DateTime LostUtc, DateTime? BackUtc, DateTime FirstWindowStart);

/// <summary>
/// Follows the feed's connection events and keeps the gaps still to be backfilled, oldest first.
/// </summary>
/// <remarks>
/// A gap starts at the last frame received before the drop, not when the drop was noticed: a socket can die silently
/// (noticed only by the silence watchdog) and everything after its last frame may be lost. The first bar window it
/// touches is the one that was still open <em>or still being delivered</em> at that instant: a provider sends a bar (Polygon's
/// minute aggregate) or a late print shortly after its window ends, within the grace period, so a drop just after a
/// boundary costs the bar that ended at it. A gap is resolvable once the connection is back and the window it came
/// back in has closed (plus grace), so history can cover all of it.
/// </remarks>
internal sealed class FeedGapTracker
{
    private readonly BarWindows _windows;
    private readonly TimeSpan _grace;
    private readonly List<FeedGap> _gaps = [];

    /// <summary>Creates a tracker on the run's bar windows.</summary>
    /// <param name="windows">The run's bar grid.</param>
    /// <param name="grace">How long after its window ends a bar or a print may still arrive.</param>
    public FeedGapTracker(BarWindows windows, TimeSpan grace)
    {
        _windows = windows;
        _grace = grace;
    }

    /// <summary>True when a gap is open or waiting to be backfilled.</summary>
    public bool Any => _gaps.Count > 0;

    /// <summary>The gaps not yet resolved, oldest first.</summary>
    public IReadOnlyList<FeedGap> Pending => _gaps;

    /// <summary>
    /// Bars ending after this instant may have been touched by a gap and must wait for it to be resolved (the engine sees
    /// time in order); null when there is no gap.
    /// </summary>
    public DateTime? HoldFrom => _gaps.Count == 0 ? null : _gaps[0].FirstWindowStart;

    /// <summary>The feed dropped; <paramref name="lastReceivedUtc"/> is its last frame, if the feed knows it.</summary>
    /// <returns>True when a new gap was opened (false when one is already open).</returns>
    public bool OnDisconnected(DateTime noticedUtc, DateTime? lastReceivedUtc)
    {
        if (_gaps.Count > 0 && _gaps[^1].BackUtc is null)
        {
            return false;
        }

        var lost = lastReceivedUtc is { } last && last < noticedUtc ? last : noticedUtc;
        _gaps.Add(new FeedGap(lost, null, _windows.WindowAtOrAfter(lost - _grace).Start));
        return true;
    }

    /// <summary>The feed is connected (and subscribed) again.</summary>
    public void OnConnected(DateTime utc)
    {
        if (_gaps.Count == 0 || _gaps[^1].BackUtc is not null)
        {
            return;
        }

        if (utc <= _gaps[^1].FirstWindowStart)
        {
            // Down and back before the next window opened (e.g. while the market was closed): nothing was missed.
            _gaps.RemoveAt(_gaps.Count - 1);
            return;
        }

        _gaps[^1] = _gaps[^1] with { BackUtc = utc };
    }

    /// <summary>
    /// The oldest gap if history can cover it by <paramref name="nowUtc"/> (the connection is back and the window it came
    /// back in has closed, plus grace), with the range of bar windows to fetch: from the first window it touched to the end
    /// of the window the connection came back in.
    /// </summary>
    public bool TryPeekResolvable(DateTime nowUtc, out DateTime fromUtc, out DateTime toUtc)
    {
        fromUtc = toUtc = default;
        if (_gaps.Count == 0 || _gaps[0].BackUtc is not { } back)
        {
            return false;
        }

        var last = _windows.WindowAtOrAfter(back);
        if (last.End + _grace > nowUtc)
        {
            return false;
        }

        fromUtc = _gaps[0].FirstWindowStart;
        toUtc = last.End;
        return true;
    }

    /// <summary>Removes the oldest gap (after it was backfilled or marked unfilled).</summary>
    public void RemoveOldest() => _gaps.RemoveAt(0);

    /// <summary>Forgets every gap (the run is stopping).</summary>
    public void Clear() => _gaps.Clear();
}
