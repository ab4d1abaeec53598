namespace StrategyLab.Data.Csv;

/// <summary>Which edge of a bar its time stamp marks.</summary>
public enum TimeIs
{
    /// <summary>The stamp is the bar's start (the default; LEAN, most vendors).</summary>
    Start,

    /// <summary>The stamp is the bar's end (vendors that stamp a bar when it closes).</summary>
    End,
}
