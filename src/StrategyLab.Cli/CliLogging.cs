using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Streaming;
using StrategyLab.Runner.Logging;

namespace StrategyLab.Cli;

/// <summary>
/// Logging for CLI commands: structured events written as one line each to the error stream
/// (<c>time level event: message</c>), so stdout stays for results.
/// </summary>
internal static class CliLogging
{
    /// <summary>A logger factory that writes to <paramref name="error"/> at <paramref name="minimum"/> and above.</summary>
    /// <remarks>
    /// Every known secret (API keys) in a message is replaced by <c>***</c> before it is written, as a whole token
    /// (<see cref="SecretRedactor"/>). Built with the factory's own constructor, not <c>LoggerFactory.Create</c>: that one builds a dependency-injection
    /// container for the same result, a few percent of a small run's start-up.
    /// </remarks>
    /// <param name="error">Where the lines go.</param>
    /// <param name="minimum">The lowest level written.</param>
    /// <param name="secrets">Texts never written.</param>
    /// <param name="text">How instants are shown (default UTC): a run's logger shows them in its exchange's time, as its files do.</param>
    public static ILoggerFactory Create(TextWriter error, LogLevel minimum = LogLevel.Information, IEnumerable<string?>? secrets = null, LogText? text = null) =>
        new LoggerFactory([new TextWriterLoggerProvider(error, secrets, text ?? LogText.Utc)], new LoggerFilterOptions { MinLevel = minimum });

    /// <summary>Adds more providers (e.g. <c>log.jsonl</c>) to a factory made by <see cref="Create"/>.</summary>
    public static ILoggerFactory With(this ILoggerFactory factory, ILoggerProvider provider)
    {
        factory.AddProvider(provider);
        return factory;
    }

    private sealed class TextWriterLoggerProvider(TextWriter writer, IEnumerable<string?>? secrets, LogText text) : ILoggerProvider
    {
        private readonly Lock _gate = new();
        private readonly SecretRedactor _secrets = new(secrets ?? []);

        public ILogger CreateLogger(string categoryName) => new TextWriterLogger(writer, _gate, _secrets, text);

        public void Dispose()
        {
        }
    }

    private sealed class TextWriterLogger(TextWriter writer, Lock gate, SecretRedactor secrets, LogText text) : ILogger
    {
        private string Redact(string text) => secrets.Redact(text);

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
            var line = Redact($"{level} {name}: {text.Message(state, exception, formatter)}");
            lock (gate)
            {
                writer.WriteLine(line);
                if (exception is not null)
                {
                    writer.WriteLine(Redact($"     {exception.GetType().Name}: {exception.Message}"));
                }
            }
        }
    }
}

/// <summary>The CLI's log lines (stderr, one line each) for the loggers of a host the command builds (a silo, a cluster client).</summary>
internal sealed class SharedLoggerProvider(ILoggerFactory loggers) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => loggers.CreateLogger(categoryName);

    public void Dispose()
    {
        // The factory belongs to the command.
    }
}
