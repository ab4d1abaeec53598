using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using StrategyLab.Cli;

namespace StrategyLab.Tests.Fuzz;

/// <summary>
/// What every fuzz family shares: how many cases to run (a bounded number in <c>dotnet test</c>, or
/// <c>STRATEGYLAB_FUZZ_CASES</c> in the long mode), the checks every CLI outcome must pass, and a collector that keeps the
/// shortest input per kind of failure (a cheap shrink: CsCheck's own shrinking would re-run the CLI thousands of times).
/// </summary>
internal static class FuzzHarness
{
    /// <summary>The environment variable that switches on the long mode and sets the cases per family.</summary>
    public const string CasesVariable = "STRATEGYLAB_FUZZ_CASES";

    /// <summary>A file each family appends its case count and findings to in the long mode (optional).</summary>
    public const string LogVariable = "STRATEGYLAB_FUZZ_LOG";

    /// <summary>A value that stands for an API key in every generated config; it must never appear in any output.</summary>
    public const string Secret = "fzSECRETkey0123456789abcdef";

    /// <summary>Exit codes the CLI may return: ok, failure, bad input, refused credentials.</summary>
    private static readonly int[] AllowedExitCodes = [0, CliApp.ExitFailure, CliApp.ExitBadInput, CliApp.ExitAuthenticationFailed];

    /// <summary>The cases per family: the long-mode count when set, else <paramref name="bounded"/>.</summary>
    public static long Cases(long bounded) =>
        Environment.GetEnvironmentVariable(CasesVariable) is { Length: > 0 } text
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : bounded;

    /// <summary>Whether the long mode is on (then each family also prints its counts).</summary>
    public static bool LongMode => Cases(0) > 0;

    /// <summary>
    /// Runs the CLI in-process with captured streams and a time limit; an exception escaping <see cref="CliApp.RunAsync(string[], TextWriter, TextWriter, CancellationToken)"/>
    /// is returned as a failure text, never thrown.
    /// </summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr, string? Escaped)> RunCliAsync(string[] args, TimeSpan? limit = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(limit ?? TimeSpan.FromSeconds(60));
        try
        {
            // On a thread of its own, and waited for with a limit: a run that ignores cancellation (a reader spinning on
            // a corrupt file) is a finding, and must not hang the test run. The limit is twice the cancellation time.
            var run = Task.Run(() => CliApp.RunAsync(args, output, error, timeout.Token));
            if (await Task.WhenAny(run, Task.Delay((limit ?? TimeSpan.FromSeconds(60)) * 2)) != run)
            {
                return (-1, string.Empty, string.Empty, "hang: did not stop after cancellation");
            }

            var code = await run;
            return (code, output.ToString(), error.ToString(), timeout.IsCancellationRequested ? "did not finish in time" : null);
        }
#pragma warning disable CA1031 // the point of a fuzz harness: any exception is a finding
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (-1, output.ToString(), error.ToString(), "exception escaped CliApp.RunAsync: " + e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>
    /// Checks one CLI outcome and returns the kind of failure (a short, stable signature), or null when it is fine.
    /// </summary>
    public static string? Check((int ExitCode, string StdOut, string StdErr, string? Escaped) r, bool json)
    {
        if (r.Escaped is not null)
        {
            return r.Escaped;
        }

        if (Array.IndexOf(AllowedExitCodes, r.ExitCode) < 0)
        {
            return $"exit code {r.ExitCode}";
        }

        if (r.StdErr.Contains("   at ", StringComparison.Ordinal) || r.StdOut.Contains("   at ", StringComparison.Ordinal))
        {
            return "stack trace: " + FirstExceptionLine(r.StdErr + "\n" + r.StdOut);
        }

        if (r.StdOut.Contains(Secret, StringComparison.Ordinal) || r.StdErr.Contains(Secret, StringComparison.Ordinal))
        {
            return "secret in output";
        }

        if (RawControlCharacter(r.StdOut) is { } inOut)
        {
            return $"raw control character U+{(int)inOut:X4} in stdout";
        }

        if (RawControlCharacter(r.StdErr) is { } inErr)
        {
            return $"raw control character U+{(int)inErr:X4} in stderr";
        }

        if (json)
        {
            try
            {
                using var doc = JsonDocument.Parse(r.StdOut); // one document: trailing content is an error
            }
            catch (JsonException e)
            {
                return "--json stdout is not one JSON document: " + e.Message.Split('.')[0];
            }
        }

        return null;
    }

    /// <summary>A C0 control character (or DEL) other than tab, CR and LF, the way an unescaped input value shows.</summary>
    public static char? RawControlCharacter(string? text)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var c in text)
        {
            if ((c < ' ' && c != '\n' && c != '\r' && c != '\t') || c == '\x7f')
            {
                return c;
            }
        }

        return null;
    }

    private static string FirstExceptionLine(string text)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.Contains("Exception", StringComparison.Ordinal)) ?? text.Split('\n')[0];
        return line.Trim().Length > 200 ? line.Trim()[..200] : line.Trim();
    }

    /// <summary>Shows a generated input with its control characters visible, for failure reports.</summary>
    public static string Visible(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '\n' => "\\n\n",
                '\r' => "\\r",
                _ when c < ' ' || c == '\x7f' => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }
}

/// <summary>
/// Failures of one family, keyed by their signature, each with the shortest input that produced it; plus the count of
/// cases run. Thread-safe (CsCheck samples on several threads).
/// </summary>
internal sealed class FuzzFindings(string family)
{
    private readonly ConcurrentDictionary<string, (string Input, string Detail)> _shortest = new(StringComparer.Ordinal);
    private long _cases;

    /// <summary>Cases run so far.</summary>
    public long CasesRun => Interlocked.Read(ref _cases);

    /// <summary>Counts a case.</summary>
    public void CountCase()
    {
        var n = Interlocked.Increment(ref _cases);
        if (n % 1000 == 0 && FuzzHarness.LongMode && Environment.GetEnvironmentVariable(FuzzHarness.LogVariable) is { Length: > 0 } log)
        {
            lock (_shortest)
            {
                File.AppendAllText(log, $"{DateTime.UtcNow:O} fuzz {family}: {n} cases so far, {_shortest.Count} failure kind(s)\n");
            }
        }
    }

    /// <summary>Records a failure (kept when its input is the shortest seen for that signature).</summary>
    public void Add(string signature, string input, string detail)
    {
        // Values quoted in messages and numbers vary from case to case; the kind of failure does not.
        signature = Regex.Replace(Regex.Replace(signature, "'[^']*'", "'…'"), "[0-9]+", "#");
        signature = signature.Length > 160 ? signature[..160] : signature;
        detail = detail.Length > 1500 ? detail[..1500] + "…" : detail;
        _shortest.AddOrUpdate(signature, (input, detail), (_, old) => input.Length < old.Input.Length ? (input, detail) : old);
    }

    /// <summary>
    /// Fails with every finding (signature, shortest input, the output that showed it). Findings whose signature, or
    /// whose first project stack frame, contains one of <paramref name="knownFailures"/>' keys are bugs owned elsewhere: when they are the only ones, the
    /// test is skipped with their reasons (so it is re-enabled by deleting the entry once the fix is merged).
    /// </summary>
    public void AssertNone(IReadOnlyDictionary<string, string>? knownFailures = null)
    {
        if (FuzzHarness.LongMode)
        {
            var line = $"fuzz {family}: {CasesRun} cases, {_shortest.Count} failure kind(s): {string.Join(" | ", _shortest.Keys.Order(StringComparer.Ordinal))}";
            TestContext.Current.SendDiagnosticMessage(line);
            if (Environment.GetEnvironmentVariable(FuzzHarness.LogVariable) is { Length: > 0 } log)
            {
                File.AppendAllText(log, $"{DateTime.UtcNow:O} {line}\n");
            }
        }

        if (_shortest.IsEmpty)
        {
            return;
        }

        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"{family}: {_shortest.Count} kind(s) of failure in {CasesRun} cases\n");
        var unknown = false;
        var reasons = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (signature, (input, detail)) in _shortest.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // A known failure is named by its signature or by the project frame that threw (the first "at StrategyLab.").
            var thrower = detail.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("at StrategyLab.", StringComparison.Ordinal)) ?? string.Empty;
            var known = knownFailures?.FirstOrDefault(k => (signature + "\n" + thrower).Contains(k.Key, StringComparison.Ordinal));
            if (known is { Key: not null } k)
            {
                reasons.Add(k.Value);
            }
            else
            {
                unknown = true;
            }

            report.Append(CultureInfo.InvariantCulture, $"\n== {signature}\n-- shortest input ({input.Length} chars):\n{FuzzHarness.Visible(input)}\n-- outcome:\n{detail}\n");
        }

        if (!unknown)
        {
            Assert.Skip("Known failures owned elsewhere: " + string.Join("; ", reasons) + "\n" + report);
        }

        Assert.Fail(report.ToString());
    }
}
