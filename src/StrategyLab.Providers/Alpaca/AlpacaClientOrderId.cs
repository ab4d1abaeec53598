using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StrategyLab.Providers.Alpaca;

/// <summary>
/// Builds deterministic <c>client_order_id</c>s: the same run and intent always give the same id, so an order resent after
/// a timeout or a restart is refused by Alpaca as a duplicate instead of being placed twice.
/// </summary>
/// <remarks>
/// Form: <c>sl-{run}-{sequence}</c>, where <c>{run}</c> is the run id reduced to <c>[A-Za-z0-9]</c> and cut to fit (a
/// hash suffix keeps two long run ids that share a prefix apart) and <c>{sequence}</c> the intent's number in the run. At
/// most <see cref="MaxLength"/> characters (Alpaca allows 128; 48 keeps room for the <c>-tp</c>/<c>-sl</c> suffixes of
/// emulated legs and for brokers with shorter limits). Only letters, digits and <c>-</c>.
/// </remarks>
public static class AlpacaClientOrderId
{
    /// <summary>The longest id built.</summary>
    public const int MaxLength = 48;

    private const string Prefix = "sl-";

    /// <summary>The id of intent number <paramref name="intentSequence"/> of run <paramref name="runId"/>.</summary>
    /// <exception cref="ArgumentException">The run id has no letter or digit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The sequence is negative.</exception>
    public static string For(string runId, long intentSequence)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(intentSequence);
        var clean = new string([.. runId.Where(char.IsAsciiLetterOrDigit)]);
        if (clean.Length == 0)
        {
            throw new ArgumentException("The run id must contain at least one ASCII letter or digit.", nameof(runId));
        }

        var sequence = intentSequence.ToString(CultureInfo.InvariantCulture);
        var room = MaxLength - Prefix.Length - 1 - sequence.Length;
        if (clean.Length > room)
        {
            // Keep the start (readable) and a hash of the whole run id (distinct).
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(runId)))[..8];
            clean = clean[..(room - hash.Length)] + hash;
        }

        return Prefix + clean + "-" + sequence;
    }

    /// <summary>True for an id this builder could have made (prefix, allowed characters, length).</summary>
    public static bool IsValid(string? clientOrderId) =>
        clientOrderId is { Length: > 0 and <= MaxLength }
        && clientOrderId.StartsWith(Prefix, StringComparison.Ordinal)
        && clientOrderId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
