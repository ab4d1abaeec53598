using System.Globalization;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Indicators;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Strategies;

/// <summary>
/// RSI mean reversion on closes (Wilder's RSI): when the RSI falls below <see cref="Oversold"/> it asks to go long
/// (reason <c>rsi_oversold</c>) and exits once the RSI rises above <see cref="ExitLevel"/> (reason <c>rsi_exit</c>).
/// When <see cref="AllowShort"/>, the mirror image: short when it rises above <see cref="Overbought"/>
/// (<c>rsi_overbought</c>), exit once it falls below the exit level.
/// </summary>
/// <remarks>
/// <para>"Falls below" is a crossing: the previous RSI was at or above the level and the current one is below it.
/// Staying below the level is not a new signal, so a position closed by the trade manager's stop-loss is not
/// re-entered while the RSI lingers in the oversold zone; the next entry needs a new fall through the level. The
/// first ready RSI value has no predecessor and cannot cross.</para>
/// <para>Exits are level tests (a long is exited on any bar whose RSI is above the exit level). Requires
/// oversold &lt; exit level &lt; overbought. Per-bar work is O(1) and allocation-free.</para>
/// </remarks>
[Strategy(StrategyName, Description = "RSI mean reversion: long when the RSI falls below oversold, exit above the exit level; short side mirrored.")]
public sealed class RsiReversionStrategy : IStrategy
{
    /// <summary>Configuration name.</summary>
    public const string StrategyName = "rsi_reversion";

    /// <summary>Reason of a long entry.</summary>
    public const string OversoldReason = "rsi_oversold";

    /// <summary>Reason of a short entry.</summary>
    public const string OverboughtReason = "rsi_overbought";

    /// <summary>Reason of an exit at the exit level.</summary>
    public const string ExitReason = "rsi_exit";

    /// <summary>Plotted series (in a pane under the price chart): the RSI.</summary>
    public const string RsiSeries = "rsi";

    /// <summary>Plotted series: the oversold level.</summary>
    public const string OversoldSeries = "oversold";

    /// <summary>Plotted series: the exit level.</summary>
    public const string ExitLevelSeries = "exit_level";

    /// <summary>Plotted series (when shorts are allowed): the overbought level.</summary>
    public const string OverboughtSeries = "overbought";

    private readonly Dictionary<Symbol, SymbolState> _states = [];

    /// <summary>RSI period.</summary>
    [Parameter("RSI period (Wilder smoothing), in bars.", Minimum = 1, Maximum = 100_000)]
    public int Period { get; init; } = 14;

    /// <summary>Long entry level.</summary>
    [Parameter("Go long when the RSI falls below this level.", Minimum = 0, Maximum = 100)]
    public double Oversold { get; init; } = 30;

    /// <summary>Short entry level.</summary>
    [Parameter("Go short (when allowed) when the RSI rises above this level.", Minimum = 0, Maximum = 100)]
    public double Overbought { get; init; } = 70;

    /// <summary>Exit level for both sides.</summary>
    [Parameter("Exit a long when the RSI rises above it, a short when it falls below it.", Minimum = 0, Maximum = 100)]
    public double ExitLevel { get; init; } = 50;

    /// <summary>True when the short side trades.</summary>
    [Parameter("Trade the overbought side short.", EnablesShortSelling = true)]
    public bool AllowShort { get; init; }

    /// <summary>Period + 1 bars: the RSI is ready once it has seen <see cref="Period"/> changes (and a signal needs one more bar).</summary>
    public int WarmUpBars => Period + 1;

    /// <inheritdoc />
    /// <exception cref="StrategyConfigurationException">A value is out of range, or the levels are not ordered; the key names the parameter.</exception>
    public void ValidateParameters(StrategySetup setup)
    {
        if (Period < 1)
        {
            throw Invalid("period", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {Period}."));
        }

        CheckLevel("oversold", Oversold);
        CheckLevel("overbought", Overbought);
        CheckLevel("exit_level", ExitLevel);
        if (Oversold >= ExitLevel)
        {
            throw Invalid(
                "oversold",
                string.Create(CultureInfo.InvariantCulture, $"oversold ({Oversold}) must be below exit_level ({ExitLevel}); the levels must satisfy oversold < exit_level < overbought."));
        }

        if (ExitLevel >= Overbought)
        {
            throw Invalid(
                "exit_level",
                string.Create(CultureInfo.InvariantCulture, $"exit_level ({ExitLevel}) must be below overbought ({Overbought}); the levels must satisfy oversold < exit_level < overbought."));
        }
    }

    /// <inheritdoc />
    /// <exception cref="StrategyConfigurationException">The parameters are invalid (see <see cref="ValidateParameters"/>).</exception>
    public void Initialize(IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ValidateParameters(new StrategySetup(context.Timeframe, context.Symbols)); // a strategy created without a runner is checked too
        _states.Clear();
    }

    /// <inheritdoc />
    public void OnBar(in Bar bar, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var symbol = bar.Symbol;
        if (!_states.TryGetValue(symbol, out var state))
        {
            state = new SymbolState(Period);
            _states.Add(symbol, state);
        }

        var rsi = state.Rsi.UpdateExact(bar.Close); // exact decimal changes: equal gains and losses give exactly 50
        if (!state.Rsi.IsReady)
        {
            return;
        }

        // The RSI and the levels it trades on, in a pane under the price chart (a no-op without a report).
        context.Plot(symbol, RsiSeries, rsi, PlotPane.Indicator);
        context.Plot(symbol, OversoldSeries, Oversold, PlotPane.Indicator);
        context.Plot(symbol, ExitLevelSeries, ExitLevel, PlotPane.Indicator);
        if (AllowShort)
        {
            context.Plot(symbol, OverboughtSeries, Overbought, PlotPane.Indicator);
        }

        var previous = state.Previous;
        state.Previous = rsi;

        var position = context.PositionOf(symbol);
        var side = Math.Sign(position);
        if (side == 0 && context.HasPendingEntry(symbol))
        {
            side = state.LastEntrySide;
        }

        if ((side > 0 && rsi > ExitLevel) || (side < 0 && rsi < ExitLevel))
        {
            context.Exit(symbol, ExitReason);
            side = 0;
        }

        if (side != 0 || double.IsNaN(previous))
        {
            return;
        }

        if (previous >= Oversold && rsi < Oversold)
        {
            state.LastEntrySide = 1;
            context.EnterLong(symbol, OversoldReason);
        }
        else if (AllowShort && previous <= Overbought && rsi > Overbought)
        {
            state.LastEntrySide = -1;
            context.EnterShort(symbol, OverboughtReason);
        }
    }

    private static void CheckLevel(string name, double level)
    {
        if (!double.IsFinite(level) || level < 0 || level > 100)
        {
            throw Invalid(name, string.Create(CultureInfo.InvariantCulture, $"an RSI level lies in [0, 100], got {level}."));
        }
    }

    private static StrategyConfigurationException Invalid(string name, string problem) =>
        new("strategy.params." + name, problem);

    private sealed class SymbolState(int period)
    {
        public Rsi Rsi { get; } = new(period);

        /// <summary>The previous ready RSI value; NaN before the first.</summary>
        public double Previous { get; set; } = double.NaN;

        /// <summary>Direction of the last entry sent (+1 long, −1 short), to know which way a pending entry points.</summary>
        public int LastEntrySide { get; set; }
    }
}
