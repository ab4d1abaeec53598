using System.Reflection;
using System.Runtime.CompilerServices;
using StrategyLab.Core.Domain;

namespace StrategyLab.Tests.Core;

public class BarCopyTests
{
    [Fact]
    public void TheLayoutCheck_AllowsTheSplitCopy_OnThisRuntime()
    {
        // The engine's history relies on the fast path being taken; if the runtime laid Bar out otherwise it would fall
        // back to a plain assignment (still correct), and this test says so.
        Assert.True(BarCopy.SymbolFirst);
    }

    [Fact]
    public void TheFieldsReadOnEveryBar_ComeFirst_AndTheVwapLast()
    {
        // Bar's field order is chosen so that what the engine reads on every bar (symbol, times, open, high, low,
        // close) sits in its first 96 bytes; this fails if a field is added or moved so that it no longer does.
        Assert.Equal(128, Unsafe.SizeOf<Bar>());
        Assert.True(OffsetOf("<Close>k__BackingField") + 16 <= 96);
        Assert.True(OffsetOf("<End>k__BackingField") < OffsetOf("<Open>k__BackingField"));
        Assert.True(OffsetOf("<High>k__BackingField") + 16 <= 96);
        Assert.True(OffsetOf("<Low>k__BackingField") + 16 <= 96);
        Assert.Equal(112, OffsetOf("_vwap"));
    }

    /// <summary>The byte offset of a value field of <see cref="Bar"/>: set alone, where its first non-zero byte lands.</summary>
    private static int OffsetOf(string fieldName)
    {
        var field = typeof(Bar).GetField(fieldName, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!;
        object boxed = default(Bar);
        // Values whose first byte is not zero: a DateTime's ticks, a decimal's flags word (scale 1 in byte 2, so the
        // field starts 2 bytes earlier).
        field.SetValue(boxed, field.FieldType == typeof(DateTime) ? new DateTime(0x0123_4567_89AB) : (object)0.1m);
        var bar = (Bar)boxed;
        for (var i = 0; i < Unsafe.SizeOf<Bar>(); i++)
        {
            if (Unsafe.AddByteOffset(ref Unsafe.As<Bar, byte>(ref bar), i) != 0)
            {
                return field.FieldType == typeof(decimal) ? i - 2 : i;
            }
        }

        throw new InvalidOperationException($"{fieldName} not found.");
    }

    [Fact]
    public void Store_GivesAnEqualBar_EveryField()
    {
        var start = new DateTime(2024, 3, 4, 14, 30, 0, DateTimeKind.Utc);
        var sources = new[]
        {
            new Bar(Symbol.Equity("BCPA"), start, start.AddMinutes(1), 100.01m, 100.05m, 99.95m, 100.02m, 12_345m),
            new Bar(Symbol.Crypto("BTC/USD"), start, start.AddMinutes(5), 64000.12345678m, 64100m, 63900.5m, 64050.00000001m, 0.12345678m, tradeCount: 42, vwap: 64010.5m),
        };
        var slots = new Bar[3];
        for (var i = 0; i < sources.Length; i++)
        {
            BarCopy.Store(ref slots[i + 1], sources[i]);
            var copy = slots[i + 1];
            Assert.Same(sources[i].Symbol, copy.Symbol);
            Assert.Equal(sources[i].Start, copy.Start);
            Assert.Equal(sources[i].End, copy.End);
            Assert.Equal(decimal.GetBits(sources[i].Open), decimal.GetBits(copy.Open));
            Assert.Equal(decimal.GetBits(sources[i].High), decimal.GetBits(copy.High));
            Assert.Equal(decimal.GetBits(sources[i].Low), decimal.GetBits(copy.Low));
            Assert.Equal(decimal.GetBits(sources[i].Close), decimal.GetBits(copy.Close));
            Assert.Equal(decimal.GetBits(sources[i].Volume), decimal.GetBits(copy.Volume));
            Assert.Equal(sources[i].TradeCount, copy.TradeCount);
            Assert.Equal(sources[i].Vwap, copy.Vwap);
            Assert.Equal(sources[i], copy);
        }

        Assert.Null(slots[0].Symbol); // the neighbours are untouched
    }
}
