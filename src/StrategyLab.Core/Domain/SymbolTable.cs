namespace StrategyLab.Core.Domain;

/// <summary>
/// A map from <see cref="Symbol"/> to a value, indexed by the symbol's dense <see cref="Symbol.Id"/>: one array read per
/// lookup, for per-bar hot paths. Not thread-safe.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
internal sealed class SymbolTable<T>
    where T : class
{
    private T?[] _items = new T?[16];

    /// <summary>The value of <paramref name="symbol"/>, or null.</summary>
    /// <remarks>Inlined even where a large caller has used up the JIT's inlining budget: it is one array read.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public T? Get(Symbol symbol)
    {
        var id = symbol.Id;
        return id < _items.Length ? _items[id] : null;
    }

    /// <summary>Sets the value of <paramref name="symbol"/>.</summary>
    public void Set(Symbol symbol, T value)
    {
        var id = symbol.Id;
        if (id >= _items.Length)
        {
            Array.Resize(ref _items, Math.Max(id + 1, _items.Length * 2));
        }

        _items[id] = value;
    }
}
