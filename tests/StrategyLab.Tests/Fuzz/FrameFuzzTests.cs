using System.Text;
using CsCheck;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Finnhub;
using StrategyLab.Providers.Json;
using StrategyLab.Providers.Polygon;

namespace StrategyLab.Tests.Fuzz;

/// <summary>
/// Family 3: generated Finnhub and Polygon WebSocket text frames (valid JSON with wrong types, huge numbers, unknown
/// event types, truncated JSON, random bytes) fed to the frame parsers directly. A parser reports a bad frame or skips
/// a bad print; no exception ever escapes, and what it reports carries no raw control character.
/// </summary>
public sealed class FrameFuzzTests
{
    private const long BoundedCases = 5000;

    private static readonly string[] Values =
    [
        "0", "-1", "1", "100.25", "1e400", "-1e400", "1e-400", "1.7976931348623157e308", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "79228162514264337593543950336", "0.0000000000000000000000000001",
        "1704205800000", "1704205800", "1704205800000000", "1704205800000000000", "null", "true", "false", "[]", "{}", "[1,2]",
        "{\"a\":1}", "\"\"", "\"AAPL\"", "\"BINANCE:BTCUSDT\"", "\"100.25\"", "\"1e400\"", "\"abc\"", "\"\\u001b[31m\"",
        "\"\\u0000\"", "\"\\u0007bell\"", "\"\\ud800\"", "\"trade\"", "\"ping\"", "\"error\"", "\"news\"", "\"AM\"", "\"A\"",
        "\"T\"", "\"status\"", "\"Q\"", "\"auth_success\"", "\"auth_failed\"", "\"" + new string('x', 5000) + "\"",
        "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]",
    ];

    private static readonly string[] FinnhubKeys = ["type", "data", "msg", "s", "p", "t", "v", "c", "x"];
    private static readonly string[] PolygonKeys = ["ev", "sym", "s", "e", "o", "h", "l", "c", "v", "vw", "av", "op", "a", "z", "p", "t", "i", "x", "q", "status", "message"];

    private static Gen<string> Objects(string[] keys, Gen<string> value) =>
        Gen.Select(Gen.OneOfConst(keys).Array[0, 12], value.Array[12])
            .Select((k, v) => "{" + string.Join(',', k.Select((key, i) => $"\"{key}\":{v[i]}")) + "}");

    /// <summary>Finnhub-shaped frames: a type, and a data array of prints with random fields.</summary>
    private static readonly Gen<string> FinnhubFrames =
        Gen.Select(
            Gen.OneOfConst("\"trade\"", "\"ping\"", "\"error\"", "\"news\"", "1", "null", "[]", "\"\""),
            Objects(FinnhubKeys, Gen.OneOfConst(Values)).Array[0, 4],
            Gen.Bool)
        .Select((type, prints, dataFirst) => dataFirst
            ? $"{{\"data\":[{string.Join(',', prints)}],\"type\":{type}}}"
            : $"{{\"type\":{type},\"data\":[{string.Join(',', prints)}],\"msg\":\"m\"}}");

    /// <summary>Polygon-shaped frames: an array of events of random kinds with random fields.</summary>
    private static readonly Gen<string> PolygonFrames =
        Objects(PolygonKeys, Gen.OneOfConst(Values)).Array[0, 5].Select(events => "[" + string.Join(',', events) + "]");

    /// <summary>Damage to a frame: none, truncation, a flipped byte, random bytes, or wrapping.</summary>
    private static Gen<byte[]> Damaged(Gen<string> frames) =>
        Gen.Select(frames, Gen.Int[0, 9], Gen.Int[0, 100_000], Gen.Byte, Gen.Byte.Array[0, 64])
        .Select((frame, damage, at, b, noise) =>
        {
            var bytes = Encoding.UTF8.GetBytes(frame);
            switch (damage)
            {
                case 0: return bytes[..(at % (bytes.Length + 1))];
                case 1:
                    if (bytes.Length > 0)
                    {
                        bytes[at % bytes.Length] ^= (byte)(b | 1);
                    }

                    return bytes;
                case 2: return noise;
                case 3: return Encoding.UTF8.GetBytes("[" + frame + "]");
                case 4: return Encoding.UTF8.GetBytes(frame + frame);
                default: return bytes;
            }
        });

    [Fact]
    public void FinnhubFrames_NeverThrow()
    {
        var table = new ProviderSymbolTable();
        table.Add(Symbol.Equity("AAPL"));
        table.Add(Symbol.Crypto("BINANCE:BTCUSDT"));
        var findings = new FuzzFindings("finnhub frames");
        Damaged(FinnhubFrames).Sample(
            bytes =>
            {
                var trades = new List<FinnhubTrade>();
                try
                {
                    var frame = new FinnhubFrameParser(table).Parse(bytes, trades);
                    if (frame.Type == FinnhubFrameType.Malformed && trades.Count > 0)
                    {
                        findings.Add("malformed frame with prints", Encoding.UTF8.GetString(bytes), frame.ToString());
                    }

                    if (FuzzHarness.RawControlCharacter(frame.Problem + frame.Text) is { } c)
                    {
                        findings.Add($"raw control character U+{(int)c:X4} in the problem or text", Encoding.UTF8.GetString(bytes), frame.ToString());
                    }
                }
#pragma warning disable CA1031 // any exception is a finding
                catch (Exception e)
#pragma warning restore CA1031
                {
                    findings.Add(e.GetType().Name + ": " + e.Message, Encoding.UTF8.GetString(bytes), e.ToString());
                }

                findings.CountCase();
            },
            iter: FuzzHarness.Cases(BoundedCases),
            threads: 1);
        findings.AssertNone();
    }

    [Fact]
    public void PolygonFrames_NeverThrow()
    {
        var table = new ProviderSymbolTable();
        table.Add(Symbol.Equity("AAPL"));
        var findings = new FuzzFindings("polygon frames");
        Damaged(PolygonFrames).Sample(
            bytes =>
            {
                var events = new List<PolygonEvent>();
                try
                {
                    var frame = new PolygonFrameParser(table).Parse(bytes, events);
                    if (frame.Malformed && events.Count > 0)
                    {
                        findings.Add("malformed frame with events", Encoding.UTF8.GetString(bytes), frame.ToString());
                    }

                    var texts = frame.Problem + string.Concat(events.Select(e => e.Text + e.Message));
                    if (FuzzHarness.RawControlCharacter(texts) is { } c)
                    {
                        findings.Add($"raw control character U+{(int)c:X4} in the problem or an event's text", Encoding.UTF8.GetString(bytes), texts);
                    }
                }
#pragma warning disable CA1031 // any exception is a finding
                catch (Exception e)
#pragma warning restore CA1031
                {
                    findings.Add(e.GetType().Name + ": " + e.Message, Encoding.UTF8.GetString(bytes), e.ToString());
                }

                findings.CountCase();
            },
            iter: FuzzHarness.Cases(BoundedCases),
            threads: 1);
        findings.AssertNone();
    }
}
