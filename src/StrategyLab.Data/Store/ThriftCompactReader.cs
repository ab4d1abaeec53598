using System.Text;

namespace StrategyLab.Data.Store;

/// <summary>
/// A reader of the Thrift compact protocol, the encoding of Parquet's footer and page headers: just what
/// <see cref="StoreFileFooter"/> and <see cref="PlainInt64Pages"/> need (field headers, integers, strings, lists, and
/// skipping whatever they do not read). Bytes that are not valid compact Thrift (cut short, nested too deep, an
/// unknown type) throw <see cref="InvalidDataException"/>, which its callers take as "not understood".
/// </summary>
internal ref struct ThriftCompactReader(ReadOnlySpan<byte> bytes)
{
    /// <summary>Compact-protocol type codes of a field or list element.</summary>
    public const byte BoolTrue = 1, BoolFalse = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12;

    // Deeper nesting than any Parquet structure needs: a damaged header cannot recurse without bound.
    private const int MaxDepth = 16;

    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private short _lastFieldId;

    /// <summary>Bytes read so far.</summary>
    public int Position { get; private set; }

    /// <summary>
    /// The next field of the current struct: its id and type; false at the struct's end (STOP). Call
    /// <see cref="BeginStruct"/>/<see cref="EndStruct"/> around a nested struct so field ids are counted per struct.
    /// </summary>
    public bool NextField(out short id, out byte type)
    {
        var header = ReadByte();
        type = (byte)(header & 0x0F);
        if (header == 0)
        {
            id = 0;
            return false;
        }

        if (type == 0)
        {
            throw new InvalidDataException("a field of no type"); // only a whole zero byte ends a struct
        }

        var delta = header >> 4;
        id = delta != 0 ? (short)(_lastFieldId + delta) : ReadZigZag() is var explicitId && explicitId is >= short.MinValue and <= short.MaxValue
            ? (short)explicitId
            : throw new InvalidDataException("a field id out of range");
        _lastFieldId = id;
        return true;
    }

    /// <summary>Enters a nested struct; returns the enclosing struct's last field id, to give back to <see cref="EndStruct"/>.</summary>
    public short BeginStruct()
    {
        var outer = _lastFieldId;
        _lastFieldId = 0;
        return outer;
    }

    /// <summary>Leaves a nested struct (after its STOP).</summary>
    public void EndStruct(short outer) => _lastFieldId = outer;

    /// <summary>An I16, I32 or I64 value (zigzag varint), checked against the field's type.</summary>
    public long ReadInteger(byte type) =>
        type is I16 or I32 or I64 ? ReadZigZag() : throw new InvalidDataException("an integer was expected");

    /// <summary>An I32 value (a Parquet enum or count), checked against the field's type and range.</summary>
    public int ReadInt32(byte type) =>
        type == I32 && ReadZigZag() is var v && v is >= int.MinValue and <= int.MaxValue ? (int)v : throw new InvalidDataException("an i32 was expected");

    /// <summary>An I8 value (a Thrift <c>byte</c>: a one-byte two's-complement integer), checked against the field's type.</summary>
    public int ReadI8(byte type) => type == Byte ? (sbyte)ReadByte() : throw new InvalidDataException("an i8 was expected");

    /// <summary>A BINARY field as UTF-8 text.</summary>
    public string ReadString(byte type)
    {
        if (type != Binary)
        {
            throw new InvalidDataException("a string was expected");
        }

        return Encoding.UTF8.GetString(ReadBytes());
    }

    /// <summary>A list's header: its element type and count.</summary>
    public int ReadListHeader(byte type, out byte elementType)
    {
        if (type is not (List or Set))
        {
            throw new InvalidDataException("a list was expected");
        }

        var header = ReadByte();
        elementType = (byte)(header & 0x0F);
        var count = header >> 4;
        var size = count == 15 ? ReadVarint() : (ulong)count;

        // Every element takes at least a byte: a larger count is damage, not a list.
        return size <= (ulong)(_bytes.Length - Position) ? (int)size : throw new InvalidDataException("a list longer than its bytes");
    }

    /// <summary>Skips a value of <paramref name="type"/> (a field this reader does not use).</summary>
    public void Skip(byte type) => Skip(type, 0);

    private void Skip(byte type, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException("nested too deep");
        }

        switch (type)
        {
            case BoolTrue or BoolFalse:
                break; // a field's boolean is in its header
            case Byte:
                ReadByte();
                break;
            case I16 or I32 or I64:
                ReadVarint();
                break;
            case Double:
                Advance(8);
                break;
            case Binary:
                ReadBytes();
                break;
            case List or Set:
                SkipElements(ReadListHeader(type, out var element), element, depth);
                break;
            case Map:
                var entries = ReadVarint();
                if (entries > 0)
                {
                    var kinds = ReadByte();
                    for (ulong i = 0; i < entries; i++)
                    {
                        SkipElement((byte)(kinds >> 4), depth);
                        SkipElement((byte)(kinds & 0x0F), depth);
                    }
                }

                break;
            case Struct:
                var outer = BeginStruct();
                while (NextField(out _, out var fieldType))
                {
                    Skip(fieldType, depth + 1);
                }

                EndStruct(outer);
                break;
            default:
                throw new InvalidDataException("an unknown Thrift type");
        }
    }

    private void SkipElements(int count, byte type, int depth)
    {
        for (var i = 0; i < count; i++)
        {
            SkipElement(type, depth);
        }
    }

    /// <summary>A list, set or map element: a boolean there takes a byte of its own.</summary>
    private void SkipElement(byte type, int depth)
    {
        if (type is BoolTrue or BoolFalse)
        {
            ReadByte();
        }
        else
        {
            Skip(type, depth + 1);
        }
    }

    private ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_bytes.Length - Position))
        {
            throw new InvalidDataException("a string longer than its bytes");
        }

        var result = _bytes.Slice(Position, (int)length);
        Position += (int)length;
        return result;
    }

    private long ReadZigZag()
    {
        var v = ReadVarint();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    private ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("a varint longer than 10 bytes");
    }

    private byte ReadByte() =>
        Position < _bytes.Length ? _bytes[Position++] : throw new InvalidDataException("cut short");

    private void Advance(int count)
    {
        if (count > _bytes.Length - Position)
        {
            throw new InvalidDataException("cut short");
        }

        Position += count;
    }
}
