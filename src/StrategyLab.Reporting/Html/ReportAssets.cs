namespace StrategyLab.Reporting.Html;

/// <summary>The files the pages inline: the vendored chart library, its notice, the stylesheet and the page scripts (embedded resources).</summary>
internal static class ReportAssets
{
    private static readonly Lazy<string> ChartLibraryText = new(() => Read("StrategyLab.Reporting.Html.lightweight-charts.js"));
    private static readonly Lazy<string> NoticeText = new(() => Read("StrategyLab.Reporting.Html.NOTICE"));
    private static readonly Lazy<string> StyleText = new(() => Read("StrategyLab.Reporting.Html.report.css"));
    private static readonly Lazy<string> ReportScriptText = new(() => Read("StrategyLab.Reporting.Html.report.js"));
    private static readonly Lazy<string> CompareScriptText = new(() => Read("StrategyLab.Reporting.Html.compare.js"));
    private static readonly Lazy<string> AnalyticsScriptText = new(() => Read("StrategyLab.Reporting.Html.analytics.js"));

    private static readonly Lazy<byte[]> ChartLibraryBytes = new(() => Utf8Of("StrategyLab.Reporting.Html.lightweight-charts.js", ChartLibraryText));

    /// <summary>The version of the vendored TradingView Lightweight Charts build.</summary>
    public const string ChartLibraryVersion = "5.2.1";

    /// <summary>TradingView Lightweight Charts™ (standalone production build), defines <c>window.LightweightCharts</c>.</summary>
    public static string ChartLibrary => ChartLibraryText.Value;

    /// <summary>
    /// <see cref="ChartLibrary"/> as UTF-8 bytes, checked by <see cref="SafeScript"/>: the stored bytes when they are
    /// already that text (no byte order mark, no CR, valid UTF-8), so a written page never decodes the library.
    /// </summary>
    public static ReadOnlySpan<byte> ChartLibraryUtf8 => ChartLibraryBytes.Value;

    /// <summary>The library's NOTICE (attribution), verbatim.</summary>
    public static string Notice => NoticeText.Value;

    /// <summary>The pages' stylesheet.</summary>
    public static string Style => StyleText.Value;

    /// <summary>The report page's script: the analytics (benchmark, rolling Sharpe, MAE/MFE scatter; first, so the equity chart can call them), then the charts and tables.</summary>
    public static string ReportScript => AnalyticsScriptText.Value + ReportScriptText.Value;

    /// <summary>The compare page's script.</summary>
    public static string CompareScript => CompareScriptText.Value;

    private static string Read(string name)
    {
        using var stream = typeof(ReportAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing from {typeof(ReportAssets).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);

        // One line-end convention whatever the checkout did, so the pages are the same bytes everywhere.
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static byte[] Utf8Of(string name, Lazy<string> text)
    {
        using var stream = typeof(ReportAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing from {typeof(ReportAssets).Assembly.GetName().Name}.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        if (bytes.AsSpan().StartsWith("\uFEFF"u8) || bytes.AsSpan().Contains((byte)'\r') || !System.Text.Unicode.Utf8.IsValid(bytes) || !IsSafeScript(bytes))
        {
            // Not the text as stored: encode what Read made of it (and let SafeScript say what is wrong with it).
            return System.Text.Encoding.UTF8.GetBytes(SafeScript(text.Value));
        }

        return bytes;
    }

    /// <summary>False when UTF-8 script text contains <c>&lt;/script</c> (any case) or <c>&lt;!--</c>.</summary>
    private static bool IsSafeScript(ReadOnlySpan<byte> script)
    {
        for (var at = script.IndexOf((byte)'<'); at >= 0; at = script.IndexOf((byte)'<'))
        {
            script = script[at..];
            if (script.StartsWith("<!--"u8) || (script.Length >= 8 && script[1] == '/' && System.Text.Ascii.EqualsIgnoreCase(script.Slice(2, 6), "script"u8)))
            {
                return false;
            }

            script = script[1..];
        }

        return true;
    }

    /// <summary>Throws when a script would end its <c>&lt;script&gt;</c> element early.</summary>
    public static string SafeScript(string script) =>
        script.Contains("</script", StringComparison.OrdinalIgnoreCase) || script.Contains("<!--", StringComparison.Ordinal)
            ? throw new InvalidOperationException("An inlined script contains '</script' or '<!--'.")
            : script;
}
