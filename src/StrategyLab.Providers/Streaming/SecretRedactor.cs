using System.Net;
using System.Text;

namespace StrategyLab.Providers.Streaming;

/// <summary>
/// Replaces known secrets (API keys) by <see cref="Mask"/> in any text: log messages, exception texts, URLs and
/// text received from a server. The raw secret and its URL-encoded forms are replaced, ignoring case, where they
/// stand as a whole token: as a value (<c>"api_key": "KEY"</c>), a header (<c>X-Finnhub-Token: KEY</c>) or a query
/// parameter (<c>?token=KEY&amp;…</c>), not inside a longer word, so that a short key (<c>x</c>) does not blank out
/// every <c>x</c> of a log.
/// </summary>
/// <remarks>Every text a provider logs or puts in an exception or event goes through <see cref="Redact(string?)"/> first.</remarks>
public sealed class SecretRedactor
{
    /// <summary>What a secret is replaced by.</summary>
    public const string Mask = "***";

    private readonly string[] _variants;

    /// <summary>Creates a redactor for the given secrets; null or empty ones are ignored.</summary>
    public SecretRedactor(params IEnumerable<string?> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var variants = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret))
            {
                continue;
            }

            variants.Add(secret);
            variants.Add(Uri.EscapeDataString(secret));
            variants.Add(WebUtility.UrlEncode(secret));
        }

        // Longest first, so a secret that contains another is replaced whole.
        _variants = [.. variants.OrderByDescending(v => v.Length).ThenBy(v => v, StringComparer.Ordinal)];
    }

    /// <summary>A redactor that knows no secret (returns texts unchanged).</summary>
    public static SecretRedactor None { get; } = new();

    /// <summary>The text with every known secret replaced by <see cref="Mask"/>; an empty string for null.</summary>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        foreach (var secret in _variants)
        {
            if (text.Contains(secret, StringComparison.OrdinalIgnoreCase))
            {
                text = ReplaceWholeTokens(text, secret);
            }
        }

        return text;
    }

    /// <summary>
    /// True for a character that continues a token (letters, digits, <c>_</c>, <c>-</c>): a secret next to one is part
    /// of a longer word, not the secret. Anything else (space, quotes, <c>=</c>, <c>&amp;</c>, <c>:</c>, <c>/</c>,
    /// <c>.</c>, the text's ends) delimits it.
    /// </summary>
    public static bool IsTokenChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-';

    private static string ReplaceWholeTokens(string text, string secret)
    {
        StringBuilder? sb = null;
        var copied = 0;
        for (var at = text.IndexOf(secret, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(secret, at, StringComparison.OrdinalIgnoreCase))
        {
            var end = at + secret.Length;
            var whole = (at == 0 || !IsTokenChar(text[at - 1])) && (end == text.Length || !IsTokenChar(text[end]));
            if (!whole)
            {
                at++;
                continue;
            }

            sb ??= new StringBuilder(text.Length);
            sb.Append(text, copied, at - copied).Append(Mask);
            copied = end;
            at = end;
        }

        return sb is null ? text : sb.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>The URL as text with every known secret replaced (e.g. a <c>token</c> query parameter).</summary>
    public string Redact(Uri? uri) => uri is null ? string.Empty : Redact(uri.OriginalString);

    /// <summary>
    /// A one-line description of an exception and its inner exceptions (<c>Type: message ← Inner: message</c>),
    /// redacted. Use it instead of passing the exception itself to a logger, whose output could not be redacted.
    /// </summary>
    public string Describe(Exception? exception)
    {
        if (exception is null)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (sb.Length > 0)
            {
                sb.Append(" <- ");
            }

            sb.Append(e.GetType().Name).Append(": ").Append(e.Message);
        }

        return Redact(sb.ToString());
    }

    /// <summary>
    /// A short printable excerpt of UTF-8 bytes received from a server (at most <paramref name="maxChars"/> characters,
    /// control characters shown as <c>?</c>), redacted; for logging a frame that could not be read.
    /// </summary>
    public string Excerpt(ReadOnlySpan<byte> utf8, int maxChars = 120)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChars);

        // Decode a little more than shown so a secret cut at the edge is still recognised, then redact, then cut.
        var take = Math.Min(utf8.Length, (maxChars * 4) + 256);
        var text = Encoding.UTF8.GetString(utf8[..take]);
        var redacted = Redact(text);
        var shown = Math.Min(redacted.Length, maxChars);
        var sb = new StringBuilder(shown + 3);
        for (var i = 0; i < shown; i++)
        {
            var c = redacted[i];
            sb.Append(char.IsControl(c) ? '?' : c);
        }

        if (redacted.Length > shown || take < utf8.Length)
        {
            sb.Append("...");
        }

        return sb.ToString();
    }
}
