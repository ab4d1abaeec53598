using Microsoft.Extensions.Logging;

namespace StrategyLab.Cli;

/// <summary>
/// Logging for CLI commands: structured events written as one line each to the error stream
/// (<c>time level event: message</c>), so stdout stays for results.
/// </summary>
internal static class CliLogging
{
    /// <summary>A logger factory that writes to <paramref name="error"/> at <paramref name="minimum"/> and above.</summary>
    public static ILoggerFactory Create(TextWriter error, LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(minimum).AddProvider(new TextWriterLoggerProvider(error)));

    private sealed class TextWriterLoggerProvider(TextWriter writer) : ILoggerProvider
    {
        private readonly Lock _gate = new();

        public ILogger CreateLogger(string categoryName) => new TextWriterLogger(writer, _gate);

        public void Dispose()
        {
        }
    }

    private sealed class TextWriterLogger(TextWriter writer, Lock gate) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var level = logLevel switch
            {
                LogLevel.Trace => "trce",
                LogLevel.Debug => "dbug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "fail",
                _ => "crit",
            };
            var name = string.IsNullOrEmpty(eventId.Name) ? "log" : eventId.Name;
            var line = $"{level} {name}: {formatter(state, exception)}";
            lock (gate)
            {
                writer.WriteLine(line);
                if (exception is not null)
                {
                    writer.WriteLine($"     {exception.GetType().Name}: {exception.Message}");
                }
            }
        }
    }
}
