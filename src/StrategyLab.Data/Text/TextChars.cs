using System.Runtime.CompilerServices;

namespace StrategyLab.Data.Text;

/// <summary>
/// Code units of text as UTF-16 (<see cref="char"/>) or UTF-8 (<see cref="byte"/>), so one parser serves both: the
/// JIT compiles each instantiation separately and folds the type test away, so neither pays for the other.
/// </summary>
internal static class TextChars
{
    /// <summary>The code unit's value (for ASCII, the character's code).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Code<TChar>(TChar unit)
        where TChar : unmanaged =>
        typeof(TChar) == typeof(byte) ? Unsafe.BitCast<TChar, byte>(unit)
        : typeof(TChar) == typeof(char) ? Unsafe.BitCast<TChar, char>(unit)
        : throw new NotSupportedException("Text is UTF-16 chars or UTF-8 bytes.");

    /// <summary>The code unit of an ASCII character.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TChar Of<TChar>(char ascii)
        where TChar : unmanaged =>
        typeof(TChar) == typeof(byte) ? Unsafe.BitCast<byte, TChar>((byte)ascii)
        : typeof(TChar) == typeof(char) ? Unsafe.BitCast<char, TChar>(ascii)
        : throw new NotSupportedException("Text is UTF-16 chars or UTF-8 bytes.");

    /// <summary>
    /// The text as a string: UTF-16 as it is; UTF-8 decoded (the byte parser hands over only ASCII, where this is
    /// byte-for-char).
    /// </summary>
    public static string ToText<TChar>(ReadOnlySpan<TChar> text)
        where TChar : unmanaged =>
        typeof(TChar) == typeof(char)
            ? new string(System.Runtime.InteropServices.MemoryMarshal.Cast<TChar, char>(text))
            : System.Text.Encoding.UTF8.GetString(System.Runtime.InteropServices.MemoryMarshal.Cast<TChar, byte>(text));
}
