using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Lean;

/// <summary>The resolutions of a LEAN data folder.</summary>
public enum LeanResolution
{
    /// <summary>Individual trades: <c>tick/&lt;ticker&gt;/&lt;yyyyMMdd&gt;_trade.zip</c>.</summary>
    Tick,

    /// <summary>One-second bars, one zip per day.</summary>
    Second,

    /// <summary>One-minute bars, one zip per day.</summary>
    Minute,

    /// <summary>Hour bars of the regular session, one zip per symbol.</summary>
    Hour,

    /// <summary>Daily bars of the regular session, one zip per symbol.</summary>
    Daily,
}

/// <summary>Conversions between <see cref="LeanResolution"/> and <see cref="Timeframe"/>.</summary>
public static class LeanResolutions
{
    /// <summary>The bar timeframe of a resolution.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="LeanResolution.Tick"/> has no timeframe.</exception>
    public static Timeframe ToTimeframe(this LeanResolution resolution) => resolution switch
    {
        LeanResolution.Second => Timeframe.OneSecond,
        LeanResolution.Minute => Timeframe.OneMinute,
        LeanResolution.Hour => Timeframe.OneHour,
        LeanResolution.Daily => Timeframe.OneDay,
        _ => throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "Ticks are trades, not bars: no timeframe."),
    };

    /// <summary>The LEAN resolution holding bars of <paramref name="timeframe"/>; false for 5m, 4h and other derived lengths.</summary>
    public static bool TryFromTimeframe(Timeframe timeframe, out LeanResolution resolution)
    {
        resolution = timeframe.Seconds switch
        {
            1 => LeanResolution.Second,
            60 => LeanResolution.Minute,
            3600 => LeanResolution.Hour,
            86400 => LeanResolution.Daily,
            _ => LeanResolution.Tick,
        };
        return resolution != LeanResolution.Tick;
    }

    /// <summary>The folder name LEAN uses (<c>minute</c>, <c>daily</c>, …).</summary>
    public static string FolderName(this LeanResolution resolution) => resolution switch
    {
        LeanResolution.Tick => "tick",
        LeanResolution.Second => "second",
        LeanResolution.Minute => "minute",
        LeanResolution.Hour => "hour",
        LeanResolution.Daily => "daily",
        _ => throw new ArgumentOutOfRangeException(nameof(resolution), resolution, null),
    };
}
