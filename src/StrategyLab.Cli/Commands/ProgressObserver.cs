using System.Diagnostics;
using Spectre.Console;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// Drives a terminal progress bar from the engine's bars: percent of the date range done, bars/s and ETA. Touches the
/// display only every few thousand bars, so it costs nothing measurable per bar.
/// </summary>
internal sealed class ProgressObserver(ProgressTask task, DateTime fromUtc, DateTime toUtc) : IRunRecorder
{
    private const int UpdateEvery = 20_000;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _bars;

    public long Bars => _bars;

    public void OnBar(in Bar bar)
    {
        if (++_bars % UpdateEvery != 0)
        {
            return;
        }

        Update(bar.End);
    }

    public void Complete()
    {
        task.Value = task.MaxValue;
        task.Description = Describe();
        task.StopTask();
    }

    private void Update(DateTime now)
    {
        var span = (toUtc - fromUtc).Ticks;
        if (span > 0)
        {
            task.Value = Math.Clamp((now - fromUtc).Ticks * 100.0 / span, 0, 100);
        }

        task.Description = Describe();
    }

    private string Describe()
    {
        var rate = _bars / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        return FormattableString.Invariant($"{_bars:N0} bars, {rate:N0} bars/s");
    }
}
