using StrategyLab.Core.Domain;

namespace StrategyLab.Providers.Finnhub;

/// <summary>A Finnhub <c>/quote</c> answer: the latest price and the day's figures.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Current">Current price (<c>c</c>).</param>
/// <param name="Change">Change from the previous close (<c>d</c>), when given.</param>
/// <param name="ChangePercent">Change in percent (<c>dp</c>), when given.</param>
/// <param name="High">Day high (<c>h</c>).</param>
/// <param name="Low">Day low (<c>l</c>).</param>
/// <param name="Open">Day open (<c>o</c>).</param>
/// <param name="PreviousClose">Previous close (<c>pc</c>).</param>
/// <param name="TimeUtc">When the current price was set (<c>t</c>, seconds), UTC.</param>
public sealed record FinnhubQuote(
    Symbol Symbol,
    decimal Current,
    decimal? Change,
    decimal? ChangePercent,
    decimal High,
    decimal Low,
    decimal Open,
    decimal PreviousClose,
    DateTime TimeUtc);
