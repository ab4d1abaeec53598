using StrategyLab.Core.Strategies;
using StrategyLab.Scripting;

namespace StrategyLab.Runner;

/// <summary>
/// User code in the strategy threw during a run: the run stopped, its folder was written with
/// <c>stop_reason: "strategy_error"</c> and, in replay and live, open orders were handled per
/// <c>engine.cancel_orders_on_stop</c>. The message names the strategy, the callback and the user's line.
/// </summary>
public sealed class StrategyRunException : Exception
{
    /// <summary>Wraps <paramref name="failure"/> of the run written to <paramref name="folder"/>.</summary>
    public StrategyRunException(string folder, StrategyException failure)
        : base(Describe(failure), failure)
    {
        Folder = folder;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyRunException()
    {
        Folder = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyRunException(string message)
        : base(message)
    {
        Folder = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyRunException(string message, Exception innerException)
        : base(message, innerException)
    {
        Folder = string.Empty;
    }

    /// <summary>The run folder (flushed).</summary>
    public string Folder { get; }

    /// <summary>
    /// <c>strategy 'x' failed in OnBar at Foo.cs(12,9): InvalidOperationException: message</c>: the user's line is the
    /// deepest stack frame in a user strategy assembly with debug information (the compiled source's embedded portable
    /// PDB, or a class library's PDB); without one, the message has no location.
    /// </summary>
    public static string Describe(StrategyException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var inner = failure.InnerException;
        if (inner is null)
        {
            return failure.Message;
        }

        var at = UserStrategyLoader.Locate(inner) is { } location ? $" at {location}" : string.Empty;
        return $"strategy '{failure.StrategyName}' failed in {failure.Callback}{at}: {inner.GetType().Name}: {inner.Message}";
    }
}
