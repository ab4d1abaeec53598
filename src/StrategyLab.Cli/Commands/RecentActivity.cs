using System.Globalization;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Runner.Logging;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// The last few fills (from the run's recorder chain) and log events (from the run's loggers, information and above)
/// for the status display, as one line each, fills at the exchange's time. Thread-safe: the engine and the feed's
/// loggers write while the display reads.
/// </summary>
internal sealed class RecentActivity(IMarketCalendar exchange, int keep = 5) : IRunRecorder, ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly LogText _text = new(exchange);
    private readonly Queue<string> _fills = new();
    private readonly Queue<string> _events = new();

    /// <summary>The last fills, oldest first.</summary>
    public IReadOnlyList<string> Fills
    {
        get
        {
            lock (_gate)
            {
                return [.. _fills];
            }
        }
    }

    /// <summary>The last log events (<c>event: message</c>), oldest first.</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <inheritdoc />
    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        if (orderEvent.Fill is not { } f)
        {
            return;
        }

        var at = exchange.ToExchangeOffset(f.TimeUtc);
        Add(_fills, string.Create(CultureInfo.InvariantCulture, $"{at:yyyy-MM-dd HH:mm:ss} {(f.Side == OrderSide.Buy ? "BUY" : "SELL")} {f.Quantity:0.########} {f.Symbol.Ticker} @ {ConsoleNumbers.Price(f.Price)}{(string.IsNullOrEmpty(f.Tag) ? string.Empty : "  " + f.Tag)}"));
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new EventLogger(this);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Add(Queue<string> queue, string line)
    {
        lock (_gate)
        {
            queue.Enqueue(line);
            while (queue.Count > keep)
            {
                queue.Dequeue();
            }
        }
    }

    private sealed class EventLogger(RecentActivity owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Information and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = owner._text.Message(state, exception, formatter).ReplaceLineEndings(" ");
            var line = (string.IsNullOrEmpty(eventId.Name) ? "log" : eventId.Name) + ": " + (message.Length > 120 ? message[..119] + "…" : message);
            owner.Add(owner._events, line);
        }
    }
}
