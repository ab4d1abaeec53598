namespace StrategyLab.Reporting.Reading;

/// <summary>
/// A run folder that cannot be read: not a run folder at all, or a file in it with bad content. The message names the
/// folder or the file, and for bad content the line and the field.
/// </summary>
public sealed class RunFolderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RunFolderException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RunFolderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RunFolderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Bad content at <paramref name="path"/>, line <paramref name="line"/>, field <paramref name="field"/>.</summary>
    public RunFolderException(string path, long line, string? field, string problem, Exception? innerException = null)
        : base(Describe(path, line, field, problem), innerException)
    {
        FilePath = path;
        Line = line;
        Field = field;
    }

    /// <summary>The file with bad content, if the problem is in a file.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based line of the problem (0 when it is not about a line).</summary>
    public long Line { get; }

    /// <summary>The column or key of the problem, if any.</summary>
    public string? Field { get; }

    private static string Describe(string path, long line, string? field, string problem)
    {
        var where = line > 0 ? $"{path}:{line}" : path;
        return field is null ? $"{where}: {problem}" : $"{where}, field '{field}': {problem}";
    }
}
