// Daily momentum rotation: on the first session of each month, hold the ETFs with the best trailing return in
// equal weights, through target positions (SetTarget). Written on the public API of StrategyLab.Core only.
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Examples;

/// <summary>
/// Ranks the run's symbols by their return over the last <see cref="LookbackDays"/> daily closes, once a month (at the
/// close of the month's first session: the orders fill at the next open), and holds the best <see cref="TopCount"/> in
/// equal parts of <see cref="InvestedPct"/> percent of the equity. A symbol that leaves the top is sold.
/// </summary>
[Strategy("momentum_rotation", Description = "Monthly rotation into the ETFs with the best trailing return, equal weights.")]
public sealed class MomentumRotation : IStrategy
{
    private Symbol[] _ranked = [];
    private double[] _returns = [];
    private DateTime _lastDecisionUtc;
    private int _lastMonth = -1;

    /// <summary>Trailing window the return is measured over, in daily bars (126 ≈ six months).</summary>
    [Parameter("Trailing window of the momentum return, in daily bars.", Minimum = 1, Maximum = 250)]
    public int LookbackDays { get; init; } = 126;

    /// <summary>How many of the best symbols are held.</summary>
    [Parameter("How many of the best-ranked symbols are held.", Minimum = 1, Maximum = 50)]
    public int TopCount { get; init; } = 2;

    /// <summary>Percent of the equity invested, split equally between the held symbols (the rest stays in cash for fees and gaps).</summary>
    [Parameter("Percent of the equity invested in total, split equally.", Minimum = 1, Maximum = 100)]
    public decimal InvestedPct { get; init; } = 95m;

    /// <summary>When true, a symbol is held only while its trailing return is positive (absolute momentum).</summary>
    [Parameter("Hold a symbol only while its trailing return is positive.")]
    public bool RequirePositive { get; init; }

    /// <summary>Rebalances so far (for tests and the log).</summary>
    public int Rebalances { get; private set; }

    /// <inheritdoc />
    public int WarmUpBars => LookbackDays + 1;

    /// <inheritdoc />
    public void ValidateParameters(StrategySetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.Timeframe != Timeframe.OneDay)
        {
            throw new StrategyConfigurationException("data.timeframe", $"momentum_rotation ranks daily closes: use \"1d\", not {setup.Timeframe}.");
        }

        if (TopCount > setup.Symbols.Count)
        {
            throw new StrategyConfigurationException(
                "strategy.params.top_count",
                $"holds {TopCount} symbols but the run has only {setup.Symbols.Count}.");
        }
    }

    /// <inheritdoc />
    public void Initialize(IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ranked = new Symbol[context.Symbols.Count];
        _returns = new double[context.Symbols.Count];
    }

    /// <inheritdoc />
    public void OnBar(in Bar bar, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Every symbol's bar of this slice is in its history before the first OnBar of the slice: decide once per slice.
        if (context.TimeUtc == _lastDecisionUtc)
        {
            return;
        }

        _lastDecisionUtc = context.TimeUtc;
        var month = context.CalendarOf(bar.Symbol).ToExchangeTime(bar.Start).Month;
        if (month == _lastMonth)
        {
            return;
        }

        _lastMonth = month;
        Rebalance(context);
    }

    private void Rebalance(IStrategyContext context)
    {
        // Rank the symbols with a full window that traded today, best return first (ties: symbol order, for determinism).
        var count = 0;
        foreach (var symbol in context.Symbols)
        {
            var history = context.History(symbol, LookbackDays + 1);
            if (history.Length < LookbackDays + 1 || history[^1].End != context.TimeUtc || history[0].Close <= 0)
            {
                continue;
            }

            var r = (double)((history[^1].Close / history[0].Close) - 1m);
            var i = count++;
            while (i > 0 && _returns[i - 1] < r)
            {
                _returns[i] = _returns[i - 1];
                _ranked[i] = _ranked[i - 1];
                i--;
            }

            _returns[i] = r;
            _ranked[i] = symbol;
        }

        if (count == 0)
        {
            return; // still warming up
        }

        var held = 0;
        while (held < Math.Min(TopCount, count) && (!RequirePositive || _returns[held] > 0))
        {
            held++;
        }

        Rebalances++;
        var weight = held == 0 ? 0m : InvestedPct / held;
        foreach (var symbol in context.Symbols)
        {
            var rank = Array.IndexOf(_ranked, symbol, 0, count);
            if (rank >= 0 && rank < held)
            {
                context.SetTarget(symbol, weight, "momentum");
            }
            else if (context.PositionOf(symbol) != 0)
            {
                context.SetTarget(symbol, 0m, "rotate_out");
            }
        }
    }
}
