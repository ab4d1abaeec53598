namespace StrategyLab.Reporting.Html;

/// <summary>The files the pages inline: the vendored chart library, its notice, the stylesheet and the page scripts (embedded resources).</summary>
internal static class ReportAssets
{
    private static readonly Lazy<string> ChartLibraryText = new(() => Read("StrategyLab.Reporting.Html.lightweight-charts.js"));
    private static readonly Lazy<string> NoticeText = new(() => Read("StrategyLab.Reporting.Html.NOTICE"));
    private static readonly Lazy<string> StyleText = new(() => Read("StrategyLab.Reporting.Html.report.css"));
    private static readonly Lazy<string> ReportScriptText = new(() => Read("StrategyLab.Reporting.Html.report.js"));
    private static readonly Lazy<string> CompareScriptText = new(() => Read("StrategyLab.Reporting.Html.compare.js"));

    /// <summary>The version of the vendored TradingView Lightweight Charts build.</summary>
    public const string ChartLibraryVersion = "5.2.1";

    /// <summary>TradingView Lightweight Charts™ (standalone production build), defines <c>window.LightweightCharts</c>.</summary>
    public static string ChartLibrary => ChartLibraryText.Value;

    /// <summary>The library's NOTICE (attribution), verbatim.</summary>
    public static string Notice => NoticeText.Value;

    /// <summary>The pages' stylesheet.</summary>
    public static string Style => StyleText.Value;

    /// <summary>The report page's script.</summary>
    public static string ReportScript => ReportScriptText.Value;

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

    /// <summary>Throws when a script would end its <c>&lt;script&gt;</c> element early.</summary>
    public static string SafeScript(string script) =>
        script.Contains("</script", StringComparison.OrdinalIgnoreCase) || script.Contains("<!--", StringComparison.Ordinal)
            ? throw new InvalidOperationException("An inlined script contains '</script' or '<!--'.")
            : script;
}
