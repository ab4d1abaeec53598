namespace StrategyLab.Scripting;

/// <summary>
/// A user strategy's source does not compile. <see cref="Errors"/> holds each error as
/// <c>file(line,col): error CSxxxx: message</c>; the run does not start (exit 2).
/// </summary>
public sealed class StrategyCompilationException : Exception
{
    /// <summary>Creates the exception for <paramref name="errors"/>.</summary>
    public StrategyCompilationException(IReadOnlyList<string> errors)
        : base(string.Join('\n', errors ?? []))
    {
        Errors = errors ?? [];
    }

    /// <summary>Creates the exception.</summary>
    public StrategyCompilationException()
    {
        Errors = [];
    }

    /// <summary>Creates the exception.</summary>
    public StrategyCompilationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    /// <summary>Creates the exception.</summary>
    public StrategyCompilationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Each error, one line each, in file order.</summary>
    public IReadOnlyList<string> Errors { get; }
}
