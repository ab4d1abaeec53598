using System.Reflection;
using System.Runtime.CompilerServices;

namespace StrategyLab.Core.Domain;

/// <summary>
/// Stores a <see cref="Bar"/> into an array slot (the engine's per-bar history append) as one reference and one block
/// of plain bytes. A plain assignment of the 128-byte struct, which holds one reference, compiles to a write-barrier
/// call for the reference and a <c>rep movsq</c> for the rest, whose start-up cost made it the costliest part of the
/// per-bar price update; the block copy of the rest is a few vector moves.
/// </summary>
/// <remarks>
/// Taken only when <see cref="SymbolFirst"/> verified at start-up that the symbol is the struct's only field the GC
/// tracks and sits at its start (the runtime puts references first); otherwise a plain assignment.
/// </remarks>
internal static class BarCopy
{
    /// <summary>True when the symbol is the bar's only reference and its first 8 bytes: the split copy is valid.</summary>
    internal static readonly bool SymbolFirst = LayoutAllows();

    /// <summary><c>destination = source</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref Bar destination, in Bar source)
    {
        if (SymbolFirst)
        {
            // The reference through the GC's write barrier, then the plain bytes after it. A history slot nearly
            // always holds this symbol already (a symbol's history only ever holds its bars): writing the same
            // reference again changes nothing the GC tracks, so the barrier's call is skipped then.
            ref var symbol = ref Unsafe.As<Bar, Symbol>(ref destination);
            if (!ReferenceEquals(symbol, source.Symbol))
            {
                symbol = source.Symbol;
            }

            Unsafe.CopyBlockUnaligned(
                ref Unsafe.AddByteOffset(ref Unsafe.As<Bar, byte>(ref destination), IntPtr.Size),
                ref Unsafe.AddByteOffset(ref Unsafe.As<Bar, byte>(ref Unsafe.AsRef(in source)), IntPtr.Size),
                (uint)(Unsafe.SizeOf<Bar>() - IntPtr.Size));
        }
        else
        {
            destination = source;
        }
    }

    private static bool LayoutAllows()
    {
        FieldInfo? symbolField = null;
        foreach (var field in typeof(Bar).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            var t = field.FieldType;
            if (t == typeof(Symbol) && symbolField is null)
            {
                symbolField = field;
            }
            else if (t != typeof(DateTime) && t != typeof(decimal) && t != typeof(int) && t != typeof(bool) && t != typeof(long) && t != typeof(double))
            {
                return false; // a field that is or may hold a reference, or one not known here
            }
        }

        if (symbolField is null || Unsafe.SizeOf<Bar>() <= IntPtr.Size)
        {
            return false;
        }

        // Where the reference sits: a bar holding a symbol made without its constructor (no symbol id is taken), its
        // first 8 bytes read as a number and compared with the reference's value (read as numbers, never as a reference).
        var probe = (Symbol)RuntimeHelpers.GetUninitializedObject(typeof(Symbol));
        object boxed = default(Bar);
        symbolField.SetValue(boxed, probe);
        var bar = (Bar)boxed;
        return Unsafe.As<Bar, nint>(ref bar) == Unsafe.As<Symbol, nint>(ref probe) && ReferenceEquals(bar.Symbol, probe);
    }
}
