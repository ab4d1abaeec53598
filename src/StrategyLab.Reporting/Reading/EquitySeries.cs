using StrategyLab.Reporting.Charts;

namespace StrategyLab.Reporting.Reading;

/// <summary>
/// The equity marks of a run, streamed once: downsampled for the chart (the equity at the end of each bucket, the
/// deepest drawdown in it), and the last mark of every exchange-local date for the daily and monthly returns.
/// </summary>
internal sealed class EquitySeries
{
    private readonly List<(DateOnly Date, decimal Equity)> _daily = [];
    private decimal _peak;

    public EquitySeries(decimal? startEquity, int limit)
    {
        StartEquity = startEquity;
        _peak = startEquity ?? 0m;
        Equity = new CandleLadder(limit);
        Drawdown = new CandleLadder(limit);
    }

    /// <summary><c>E_0</c>: the summary's start equity, or the first mark's equity when there is no summary.</summary>
    public decimal? StartEquity { get; private set; }

    /// <summary>Equity: a candle per bucket (the chart uses its close).</summary>
    public CandleLadder Equity { get; }

    /// <summary>Drawdown from the running peak, a fraction ≤ 0: a candle per bucket (the chart uses its low).</summary>
    public CandleLadder Drawdown { get; }

    /// <summary>The equity at the last mark of each exchange-local date, oldest first.</summary>
    public IReadOnlyList<(DateOnly Date, decimal Equity)> DailyCloses => _daily;

    /// <summary>Marks read.</summary>
    public long Marks { get; private set; }

    /// <summary>The deepest drawdown over all marks (a fraction ≥ 0).</summary>
    public decimal MaxDrawdown { get; private set; }

    public void Add(DateTimeOffset time, decimal equity)
    {
        if (StartEquity is null)
        {
            StartEquity = equity;
            _peak = equity;
        }

        Marks++;
        if (equity >= _peak)
        {
            _peak = equity;
        }

        var drawdown = _peak > 0 ? (equity - _peak) / _peak : 0m;
        MaxDrawdown = Math.Max(MaxDrawdown, -drawdown);
        Equity.Add(time, time, equity, equity, equity, equity, 0, -1);
        Drawdown.Add(time, time, drawdown, drawdown, drawdown, drawdown, 0, -1);
        var date = DateOnly.FromDateTime(time.DateTime);
        if (_daily.Count > 0 && _daily[^1].Date == date)
        {
            _daily[^1] = (date, equity);
        }
        else
        {
            _daily.Add((date, equity));
        }
    }
}
