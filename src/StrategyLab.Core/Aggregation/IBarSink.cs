using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Aggregation;

/// <summary>
/// Receives the bars an aggregator or resampler completes. The producer calls <see cref="OnBar"/> synchronously, in
/// emission order, and allocates nothing per call; keep one sink instance per consumer.
/// </summary>
public interface IBarSink
{
    /// <summary>Called once for every completed bar.</summary>
    void OnBar(in Bar bar);
}

/// <summary>A sink that appends every bar to a list: for tests, tools and small batches.</summary>
public sealed class BarCollector : IBarSink
{
    /// <summary>The bars received so far, in emission order.</summary>
    public List<Bar> Bars { get; } = [];

    /// <inheritdoc />
    public void OnBar(in Bar bar) => Bars.Add(bar);
}
