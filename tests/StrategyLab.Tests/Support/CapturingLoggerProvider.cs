using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StrategyLab.FakeServers.Common;

namespace StrategyLab.Tests.Support;

/// <summary>One captured log entry: the formatted message plus every structured value and the exception text.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<string> Values, string? Exception)
{
    /// <summary>Everything the entry could print, for secret checks.</summary>
    public string AllText => string.Join(" | ", [Category, EventId.Name ?? string.Empty, Message, .. Values, Exception ?? string.Empty]);

    public override string ToString() => $"{Level} {EventId.Name}: {Message}";
}

/// <summary>Captures every log of the loggers it creates (all levels), and lets a test await an entry.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private readonly StateSignal _signal = new();

    /// <summary>A logger factory writing only here, at every level.</summary>
    public ILoggerFactory CreateFactory() => LoggerFactory.Create(b => b.AddProvider(this).SetMinimumLevel(LogLevel.Trace));

    /// <summary>Adds this provider to a host's logging, for this project's loggers only (not a framework's, e.g. Orleans').</summary>
    public void Into(ILoggingBuilder logging) =>
        logging.AddProvider(this).SetMinimumLevel(LogLevel.Trace).AddFilter((category, _) => category?.StartsWith("StrategyLab.", StringComparison.Ordinal) == true);

    /// <summary>Every entry so far, in order.</summary>
    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    /// <summary>Entries with the given event name.</summary>
    public IReadOnlyList<CapturedLog> Named(string eventName) => [.. _entries.Where(e => e.EventId.Name == eventName)];

    /// <summary>Returns once an entry matching <paramref name="predicate"/> (at least <paramref name="count"/> of them) was logged.</summary>
    public Task WaitForAsync(Func<CapturedLog, bool> predicate, int count = 1, TimeSpan? timeout = null) =>
        _signal.WaitUntilAsync(
            () => _entries.Count(predicate) >= count,
            timeout ?? TimeSpan.FromSeconds(10),
            () => string.Join(Environment.NewLine, _entries.Select(e => e.ToString())),
            TestContext.Current.CancellationToken);

    /// <summary>Returns once <paramref name="count"/> entries named <paramref name="eventName"/> were logged.</summary>
    public Task WaitForAsync(string eventName, int count = 1, TimeSpan? timeout = null) =>
        WaitForAsync(e => e.EventId.Name == eventName, count, timeout);

    /// <summary>Fails when any entry contains <paramref name="secret"/> (ignoring case).</summary>
    public void AssertNoneContains(string secret)
    {
        foreach (var entry in _entries)
        {
            Assert.DoesNotContain(secret, entry.AllText, StringComparison.OrdinalIgnoreCase);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(CapturedLog entry)
    {
        _entries.Enqueue(entry);
        _signal.Pulse();
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.Select(p => $"{p.Key}={p.Value}").ToList()
                : [];
            owner.Add(new CapturedLog(category, logLevel, eventId, formatter(state, exception), values, exception?.ToString()));
        }
    }
}
