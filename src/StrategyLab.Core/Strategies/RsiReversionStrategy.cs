using System.Globalization;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Indicators;

namespace StrategyLab.Core.Strategies;

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

    private readonly Dictionary<Symbol, SymbolState> _states = [];

    /// <summary>Creates the strategy.</summary>
    /// <exception cref="StrategyConfigurationException">A value is out of range, or the levels are not ordered; the key names the parameter.</exception>
    public RsiReversionStrategy(int period = 14, double oversold = 30, double overbought = 70, double exitLevel = 50, bool allowShort = false)
    {
        if (period < 1)
        {
            throw Invalid(RsiReversionStrategyFactory.Period, string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {period}."));
        }

        CheckLevel(RsiReversionStrategyFactory.Oversold, oversold);
        CheckLevel(RsiReversionStrategyFactory.Overbought, overbought);
        CheckLevel(RsiReversionStrategyFactory.ExitLevel, exitLevel);
        if (oversold >= exitLevel)
        {
            throw Invalid(
                RsiReversionStrategyFactory.Oversold,
                string.Create(CultureInfo.InvariantCulture, $"oversold ({oversold}) must be below exit_level ({exitLevel}); the levels must satisfy oversold < exit_level < overbought."));
        }

        if (exitLevel >= overbought)
        {
            throw Invalid(
                RsiReversionStrategyFactory.ExitLevel,
                string.Create(CultureInfo.InvariantCulture, $"exit_level ({exitLevel}) must be below overbought ({overbought}); the levels must satisfy oversold < exit_level < overbought."));
        }

        Period = period;
        Oversold = oversold;
        Overbought = overbought;
        ExitLevel = exitLevel;
        AllowShort = allowShort;
    }

    /// <summary>RSI period.</summary>
    public int Period { get; }

    /// <summary>Long entry level.</summary>
    public double Oversold { get; }

    /// <summary>Short entry level.</summary>
    public double Overbought { get; }

    /// <summary>Exit level for both sides.</summary>
    public double ExitLevel { get; }

    /// <summary>True when the short side trades.</summary>
    public bool AllowShort { get; }

    /// <inheritdoc />
    public void Initialize(IStrategyContext context) => _states.Clear();

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
        new(RsiReversionStrategyFactory.KeyPrefix + name, problem);

    private sealed class SymbolState(int period)
    {
        public Rsi Rsi { get; } = new(period);

        /// <summary>The previous ready RSI value; NaN before the first.</summary>
        public double Previous { get; set; } = double.NaN;

        /// <summary>Direction of the last entry sent (+1 long, −1 short), to know which way a pending entry points.</summary>
        public int LastEntrySide { get; set; }
    }
}

/// <summary>Creates <see cref="RsiReversionStrategy"/> from <c>strategy.params</c>.</summary>
public sealed class RsiReversionStrategyFactory : IStrategyFactory
{
    /// <summary>Parameter: RSI period.</summary>
    public const string Period = "period";

    /// <summary>Parameter: long entry level.</summary>
    public const string Oversold = "oversold";

    /// <summary>Parameter: short entry level.</summary>
    public const string Overbought = "overbought";

    /// <summary>Parameter: exit level.</summary>
    public const string ExitLevel = "exit_level";

    /// <summary>Parameter: whether the short side trades.</summary>
    public const string AllowShort = "allow_short";

    internal const string KeyPrefix = "strategy.params.";

    private static readonly ParameterSpec[] Specs =
    [
        new(Period, ParameterKind.Integer, 14, "RSI period (Wilder smoothing), in bars.", Minimum: 1, Maximum: 100_000),
        new(Oversold, ParameterKind.Number, 30m, "Go long when the RSI falls below this level.", Minimum: 0, Maximum: 100),
        new(Overbought, ParameterKind.Number, 70m, "Go short (when allowed) when the RSI rises above this level.", Minimum: 0, Maximum: 100),
        new(ExitLevel, ParameterKind.Number, 50m, "Exit a long when the RSI rises above it, a short when it falls below it.", Minimum: 0, Maximum: 100),
        new(AllowShort, ParameterKind.Boolean, false, "Trade the overbought side short.", EnablesShortSelling: true),
    ];

    /// <inheritdoc />
    public string Name => RsiReversionStrategy.StrategyName;

    /// <inheritdoc />
    public string Description => "RSI mean reversion: long when the RSI falls below oversold, exit above the exit level; short side mirrored.";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters => Specs;

    /// <inheritdoc />
    public IStrategy Create(StrategyParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new RsiReversionStrategy(
            parameters.GetInt(Period),
            (double)parameters.GetDecimal(Oversold),
            (double)parameters.GetDecimal(Overbought),
            (double)parameters.GetDecimal(ExitLevel),
            parameters.GetBool(AllowShort));
    }
}
