using System.Globalization;
using System.Text;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Execution;

namespace StrategyLab.Reporting;

/// <summary>
/// The one number, time and name format of every artifact (see docs/run-artifacts.md): numbers are plain decimals with
/// up to 10 decimal places, trailing zeros trimmed, no exponent, no thousands separator, <c>-0</c> written as <c>0</c>;
/// times are ISO-8601 with the exchange's offset and fractional seconds only when non-zero; names are lower snake case.
/// </summary>
internal static class ArtifactFormat
{
    /// <summary>The number format: rounds half away from zero at 10 decimals.</summary>
    public const string Number = "0.##########";

    /// <summary>The time format: <c>2013-10-07T09:46:00-04:00</c>, <c>…:00.5-04:00</c> with a fraction.</summary>
    public const string Time = "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz";

    /// <summary>Longest formatted number or time, in bytes (a decimal has at most 29 digits, sign and point).</summary>
    public const int MaxLength = 48;

    /// <summary>
    /// Writes <paramref name="value"/> in the <see cref="Number"/> format as ASCII (the same text as
    /// <c>value.ToString(Number, InvariantCulture)</c> with <c>-0</c> as <c>0</c>) straight from the decimal's digits;
    /// returns the bytes written. <paramref name="destination"/> needs <see cref="MaxLength"/> bytes.
    /// </summary>
    public static int Format(decimal value, Span<byte> destination) => DecimalText.Format(value, destination);

    /// <summary>
    /// Writes <paramref name="value"/> in the <see cref="Time"/> format as ASCII; returns the bytes written.
    /// <paramref name="destination"/> needs <see cref="MaxLength"/> bytes.
    /// </summary>
    public static int Format(DateTimeOffset value, Span<byte> destination) => TimeText.Format(value, destination);

    public static int Format(double value, Span<char> destination)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Artifacts hold finite numbers only.");
        }

        if (!value.TryFormat(destination, out var written, Number, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A double did not fit its formatting buffer.");
        }

        return NormalizeNegativeZero(destination, written);
    }

    public static string ToText(decimal value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        return Encoding.ASCII.GetString(buffer[..Format(value, buffer)]);
    }

    public static string ToText(double value)
    {
        // A finite double can have up to 309 integer digits.
        Span<char> buffer = stackalloc char[340];
        return new string(buffer[..Format(value, buffer)]);
    }

    public static string ToText(DateTimeOffset value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        return Encoding.ASCII.GetString(buffer[..Format(value, buffer)]);
    }

    public static string Name(OrderSide side) => side switch
    {
        OrderSide.Buy => "buy",
        OrderSide.Sell => "sell",
        _ => throw Unknown(side),
    };

    public static string Name(TradeDirection direction) => direction switch
    {
        TradeDirection.Long => "long",
        TradeDirection.Short => "short",
        _ => throw Unknown(direction),
    };

    public static string Name(OrderType type) => type switch
    {
        OrderType.Market => "market",
        OrderType.Limit => "limit",
        OrderType.Stop => "stop",
        OrderType.StopLimit => "stop_limit",
        OrderType.TrailingStop => "trailing_stop",
        _ => throw Unknown(type),
    };

    public static string Name(TimeInForce tif) => tif switch
    {
        TimeInForce.Day => "day",
        TimeInForce.Gtc => "gtc",
        _ => throw Unknown(tif),
    };

    public static string Name(OrderStatus status) => status switch
    {
        OrderStatus.Working => "working",
        OrderStatus.PartiallyFilled => "partially_filled",
        OrderStatus.Filled => "filled",
        OrderStatus.Canceled => "canceled",
        OrderStatus.Expired => "expired",
        OrderStatus.Rejected => "rejected",
        _ => throw Unknown(status),
    };

    /// <summary>The reject reason, or the empty string when the order was not rejected.</summary>
    public static string Name(RejectReason reason) => reason switch
    {
        RejectReason.None => "",
        RejectReason.InsufficientBuyingPower => "insufficient_buying_power",
        RejectReason.MarketClosed => "market_closed",
        RejectReason.UnknownSymbol => "unknown_symbol",
        RejectReason.BadQuantity => "bad_quantity",
        RejectReason.BadPrice => "bad_price",
        RejectReason.ShortSellingNotAllowed => "short_selling_not_allowed",
        RejectReason.NoMarketData => "no_market_data",
        RejectReason.DuplicateClientOrderId => "duplicate_client_order_id",
        RejectReason.StopAlreadyTriggered => "stop_already_triggered",
        RejectReason.BrokerRejected => "broker_rejected",
        RejectReason.TradingHalted => "trading_halted",
        _ => throw Unknown(reason),
    };

    /// <summary><see cref="Name(OrderSide)"/> as ASCII bytes: rows copy it, without a per-character check.</summary>
    public static ReadOnlySpan<byte> Utf8Name(OrderSide side) => Utf8Names<OrderSide>.Of(side);

    /// <summary><see cref="Name(TradeDirection)"/> as ASCII bytes.</summary>
    public static ReadOnlySpan<byte> Utf8Name(TradeDirection direction) => Utf8Names<TradeDirection>.Of(direction);

    /// <summary><see cref="Name(OrderType)"/> as ASCII bytes.</summary>
    public static ReadOnlySpan<byte> Utf8Name(OrderType type) => Utf8Names<OrderType>.Of(type);

    /// <summary><see cref="Name(TimeInForce)"/> as ASCII bytes.</summary>
    public static ReadOnlySpan<byte> Utf8Name(TimeInForce tif) => Utf8Names<TimeInForce>.Of(tif);

    /// <summary><see cref="Name(OrderStatus)"/> as ASCII bytes.</summary>
    public static ReadOnlySpan<byte> Utf8Name(OrderStatus status) => Utf8Names<OrderStatus>.Of(status);

    /// <summary><see cref="Name(RejectReason)"/> as ASCII bytes (empty when the order was not rejected).</summary>
    public static ReadOnlySpan<byte> Utf8Name(RejectReason reason) => Utf8Names<RejectReason>.Of(reason);

    public static string Name(RunMode mode) => mode switch
    {
        RunMode.Backtest => "backtest",
        RunMode.Replay => "replay",
        RunMode.Live => "live",
        _ => throw Unknown(mode),
    };

    private static int NormalizeNegativeZero(Span<char> text, int length)
    {
        // Rounding a tiny negative value to 10 decimals gives "-0"; a file should not say that.
        if (length == 2 && text[0] == '-' && text[1] == '0')
        {
            text[0] = '0';
            return 1;
        }

        return length;
    }

    private static ArgumentOutOfRangeException Unknown<T>(T value)
        where T : struct, Enum =>
        new(typeof(T).Name, value, $"No artifact name for {typeof(T).Name}.{value}.");

    /// <summary>
    /// The ASCII bytes of each value's <see cref="Name(OrderSide)"/>-style name, indexed by the value, made once from the
    /// string names so that every name is written in one place. The enums named here number their values 0, 1, 2…
    /// (checked when the table is made); a value without a name throws as its <c>Name</c> does.
    /// </summary>
    private static class Utf8Names<T>
        where T : struct, Enum
    {
        private static readonly byte[]?[] ByValue = Make();

        public static ReadOnlySpan<byte> Of(T value)
        {
            var i = System.Runtime.CompilerServices.Unsafe.As<T, int>(ref value);
            return (uint)i < (uint)ByValue.Length && ByValue[i] is { } bytes ? bytes : throw Unknown(value);
        }

        private static byte[]?[] Make()
        {
            var values = Enum.GetValues<T>();
            var table = new byte[]?[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var value = values[i];
                if (System.Runtime.CompilerServices.Unsafe.As<T, int>(ref value) != i)
                {
                    throw new InvalidOperationException($"{typeof(T).Name} does not number its values 0, 1, 2…");
                }

                table[i] = NameOf(value) is { } name ? Encoding.ASCII.GetBytes(name) : null;
            }

            return table;
        }

        private static string? NameOf(T value)
        {
            try
            {
                return value switch
                {
                    OrderSide v => Name(v),
                    TradeDirection v => Name(v),
                    OrderType v => Name(v),
                    TimeInForce v => Name(v),
                    OrderStatus v => Name(v),
                    RejectReason v => Name(v),
                    _ => throw new NotSupportedException(typeof(T).Name),
                };
            }
            catch (ArgumentOutOfRangeException)
            {
                return null; // no artifact name: Of throws for it, as Name does
            }
        }
    }
}
