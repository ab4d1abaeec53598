using Microsoft.Extensions.Logging;
using StrategyLab.Cli;
using StrategyLab.Runner.Logging;

namespace StrategyLab.Tests.Runner;

/// <summary>The console log and log.jsonl redact a key as a whole token: a one-letter key does not eat every such letter.</summary>
public sealed class LogRedactionTests
{
    private const string Message = "max exchange X-Finnhub-Token: x, url ?symbol=AAPL&token=x";
    private const string Redacted = "max exchange X-Finnhub-Token: ***, url ?symbol=AAPL&token=***";

    [Fact]
    public void LogJsonl_WithAOneLetterKey_RedactsOnlyTheKey()
    {
        using var writer = new StringWriter();
        using (var provider = new JsonLinesLoggerProvider(writer, TimeProvider.System, ["x"]))
        {
            provider.CreateLogger("test").LogWarning(new EventId(1, "test.event"), "{Text}", Message);
        }

        var line = writer.ToString();
        Assert.Contains("\"message\":\"" + Redacted + "\"", line, StringComparison.Ordinal);
        Assert.Contains("\"Text\":\"" + Redacted + "\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsoleLog_WithAOneLetterKey_RedactsOnlyTheKey()
    {
        using var writer = new StringWriter();
        using (var loggers = CliLogging.Create(writer, LogLevel.Information, ["x"]))
        {
            loggers.CreateLogger("test").LogWarning(new EventId(1, "test.event"), "{Text}", Message);
        }

        Assert.Equal("warn test.event: " + Redacted, writer.ToString().TrimEnd());
    }
}
