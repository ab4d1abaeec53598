using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Accounting;

/// <summary>
/// Cash, positions and PnL, changed only by fills, price marks and corporate actions (splits, cash dividends). Equity is <c>cash + Σ quantity × last price</c>,
/// kept up to date incrementally (exact <see cref="decimal"/> arithmetic, so the incremental value equals a
/// from-scratch sum). Also cuts fills into round trips.
/// </summary>
public sealed class Portfolio
{
    // By the symbol's dense id: a fill and every buying-power check look positions up.
    private readonly SymbolTable<Position> _positions = new();

    // One open-trip record per symbol, reused from one round trip to the next (only the closed RoundTrip is new).
    private readonly SymbolTable<OpenTrip> _openTrips = new();
    private readonly List<Position> _positionList = [];
    private int _openPositionCount;

    /// <summary>Creates a portfolio holding <paramref name="initialCash"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Initial cash is not positive, or leverage is below 1.</exception>
    public Portfolio(decimal initialCash, AccountType accountType = AccountType.Cash, decimal marginLeverage = 2m)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCash);
        ArgumentOutOfRangeException.ThrowIfLessThan(marginLeverage, 1m);
        InitialCash = initialCash;
        Cash = initialCash;
        AccountType = accountType;
        MarginLeverage = marginLeverage;
    }

    /// <summary>Called when a round trip completes.</summary>
    public event Action<RoundTrip>? RoundTripClosed;

    /// <summary>Cash at the start.</summary>
    public decimal InitialCash { get; }

    /// <summary>Cash now (short sale proceeds included).</summary>
    public decimal Cash { get; private set; }

    /// <summary>Σ quantity × last price over all positions (shorts count negative).</summary>
    public decimal PositionsValue { get; private set; }

    /// <summary>Cash + positions value.</summary>
    public decimal Equity => ExactDecimal.Add(Cash, PositionsValue); // read on every cycle: inlined when the scales match

    /// <summary>Cash or margin.</summary>
    public AccountType AccountType { get; }

    /// <summary>Leverage of a margin account.</summary>
    public decimal MarginLeverage { get; }

    /// <summary>Commissions paid so far.</summary>
    public decimal TotalFees { get; private set; }

    /// <summary>Realized PnL so far, gross of commissions.</summary>
    public decimal RealizedPnl { get; private set; }

    /// <summary>Net dividends so far: received on longs less paid on shorts (in cash, not in <see cref="RealizedPnl"/>).</summary>
    public decimal Dividends { get; private set; }

    /// <summary>Number of fills applied.</summary>
    public int FillCount { get; private set; }

    /// <summary>Number of symbols with a non-zero position.</summary>
    public int OpenPositionCount => _openPositionCount;

    /// <summary>Every position ever held (open or flat), in the order first seen.</summary>
    public IReadOnlyList<Position> Positions => _positionList;

    /// <summary>Σ |quantity × last price|.</summary>
    public decimal GrossExposure
    {
        get
        {
            var sum = 0m;
            foreach (var p in _positionList)
            {
                sum += Math.Abs(p.MarketValue);
            }

            return sum;
        }
    }

    /// <summary>
    /// What can still be spent on new exposure: cash for a cash account; equity × leverage − gross exposure for a
    /// margin account. <paramref name="reserved"/> (open orders' estimated cost) is subtracted.
    /// </summary>
    public decimal BuyingPower(decimal reserved = 0m) => AccountType == AccountType.Cash
        ? Cash - reserved
        : (Equity * MarginLeverage) - GrossExposure - reserved;

    /// <summary>How many position objects exist (<see cref="Positions"/>' count without the interface call): the engine
    /// checks it on every bar of a symbol that has none yet.</summary>
    internal int PositionObjectCount => _positionList.Count;

    /// <summary>The position in <paramref name="symbol"/>, or null if it was never held.</summary>
    public Position? GetPosition(Symbol symbol) => _positions.Get(symbol);

    /// <summary>Signed quantity held in <paramref name="symbol"/> (0 when none).</summary>
    public decimal QuantityOf(Symbol symbol) => _positions.Get(symbol) is { } p ? p.Quantity : 0m;

    /// <summary>Marks the position in <paramref name="symbol"/> (if any) at <paramref name="price"/>.</summary>
    public void Mark(Symbol symbol, decimal price, DateTime timeUtc)
    {
        if (_positions.Get(symbol) is { } p)
        {
            Mark(p, price, timeUtc);
        }
    }

    /// <summary>Marks <paramref name="position"/> (one of this portfolio's) at <paramref name="price"/>: the engine's per-bar path.</summary>
    internal void Mark(Position position, decimal price, DateTime timeUtc)
    {
        if (!DecimalCompare.IsZero(position.Quantity) && !DecimalCompare.Equal(position.LastPrice, price))
        {
            // Integer arithmetic when the operands are small, with the decimal result bit for bit.
            PositionsValue = ExactDecimal.AddProductOfDifference(PositionsValue, position.Quantity, price, position.LastPrice);
        }

        position.LastPrice = price;
        position.LastPriceTimeUtc = timeUtc;
    }

    /// <summary>Applies an execution: cash, position, average price, realized PnL, fees, round trips.</summary>
    public void ApplyFill(in Fill fill)
    {
        if (_positions.Get(fill.Symbol) is not { } p)
        {
            p = new Position(fill.Symbol) { LastPrice = fill.Price, LastPriceTimeUtc = fill.TimeUtc };
            _positions.Set(fill.Symbol, p);
            _positionList.Add(p);
        }

        // A fill is the newest trade price known: mark the holding there before changing it.
        Mark(p, fill.Price, fill.TimeUtc);
        var q = fill.SignedQuantity;
        var oldQty = p.Quantity;
        // Exact additions inlined in the usual cases (one scale; a zero commission), the same bits as the operators.
        Cash = ExactDecimal.Subtract(Cash, ExactDecimal.Add(q * fill.Price, fill.Commission));
        TotalFees = ExactDecimal.Add(TotalFees, fill.Commission);
        p.Fees = ExactDecimal.Add(p.Fees, fill.Commission);
        FillCount++;

        decimal realized = 0;
        var newQty = oldQty + q;
        if (oldQty == 0 || Math.Sign(oldQty) == Math.Sign(q))
        {
            // Opening or adding: the average moves toward the fill price.
            p.AveragePrice = DecimalCompare.IsPlainZero(p.AveragePrice) && DecimalCompare.IsPlainZero(oldQty)
                ? ExactDivision.FirstFillAverage(fill.Price, Math.Abs(newQty)) // opening from flat: the same bits as below
                : ExactDivision.Divide((p.AveragePrice * Math.Abs(oldQty)) + (fill.Price * Math.Abs(q)), Math.Abs(newQty), fill.Price);
        }
        else
        {
            var closing = Math.Min(Math.Abs(q), Math.Abs(oldQty));
            realized = closing * (fill.Price - p.AveragePrice) * Math.Sign(oldQty);
            if (newQty == 0)
            {
                p.AveragePrice = 0;
            }
            else if (Math.Sign(newQty) != Math.Sign(oldQty))
            {
                p.AveragePrice = fill.Price; // flipped: the remainder opened at this fill
            }
        }

        p.RealizedPnl = ExactDecimal.Add(p.RealizedPnl, realized);
        RealizedPnl = ExactDecimal.Add(RealizedPnl, realized);
        PositionsValue = ExactDecimal.Add(PositionsValue, q * p.LastPrice);
        p.Quantity = newQty;
        if (oldQty == 0 && newQty != 0)
        {
            _openPositionCount++;
        }
        else if (oldQty != 0 && newQty == 0)
        {
            _openPositionCount--;
        }

        TrackRoundTrip(fill, oldQty, newQty, realized);
    }

    /// <summary>
    /// Applies a split of <paramref name="ratio"/> new shares per old share to the position in <paramref name="symbol"/>:
    /// quantity × ratio, average and last price ÷ ratio, cash unchanged, and the open round trip rescaled the same way
    /// (so its entry and exit prices stay comparable). A US-equity position keeps whole shares: the fraction is paid out
    /// in cash at the post-split last price (realized as an exit of that fraction).
    /// </summary>
    /// <returns>The signed quantity before and after, and the cash paid for a fraction (0 when none).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not positive.</exception>
    public (decimal Before, decimal After, decimal CashInLieu) ApplySplit(Symbol symbol, decimal ratio, DateTime timeUtc)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratio);
        if (_positions.Get(symbol) is not { } p)
        {
            return (0m, 0m, 0m);
        }

        var before = p.Quantity;
        var scaled = before * ratio;
        var after = symbol.AssetClass == AssetClass.UsEquity ? decimal.Truncate(scaled) : scaled;
        var fraction = scaled - after;
        var lastPrice = p.LastPrice / ratio;
        var average = p.AveragePrice / ratio;
        PositionsValue += (after * lastPrice) - (before * p.LastPrice);
        p.Quantity = after;
        p.LastPrice = lastPrice;
        p.LastPriceTimeUtc = timeUtc;
        p.AveragePrice = after == 0 ? 0 : average;
        if (before == 0)
        {
            return (0m, 0m, 0m);
        }

        var trip = _openTrips.Get(symbol)!;
        trip.Scale(ratio);
        var cash = fraction * lastPrice;
        if (fraction != 0)
        {
            var realized = Math.Abs(fraction) * (lastPrice - average) * Math.Sign(before);
            Cash += cash;
            p.RealizedPnl += realized;
            RealizedPnl += realized;
            trip.AddExit(lastPrice, Math.Abs(fraction), 0m, realized);
            if (after == 0)
            {
                _openPositionCount--;
                RoundTripClosed?.Invoke(trip.Close(symbol, timeUtc, "split_cash_in_lieu"));
            }
        }

        return (before, after, cash);
    }

    /// <summary>
    /// Applies a cash dividend of <paramref name="perShare"/>: a long receives quantity × amount, a short pays it.
    /// The cash goes to <see cref="Cash"/> and <see cref="Dividends"/>, not to realized or round-trip PnL.
    /// </summary>
    /// <returns>The cash credited (negative when debited; 0 when flat).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The amount is negative.</exception>
    public decimal ApplyDividend(Symbol symbol, decimal perShare)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perShare);
        if (_positions.Get(symbol) is not { } p || p.Quantity == 0)
        {
            return 0m;
        }

        var amount = p.Quantity * perShare;
        Cash += amount;
        Dividends += amount;
        p.Dividends += amount;
        return amount;
    }

    private void TrackRoundTrip(in Fill fill, decimal oldQty, decimal newQty, decimal realized)
    {
        var symbol = fill.Symbol;
        var q = fill.SignedQuantity;
        if (oldQty == 0)
        {
            StartTrip(fill, Math.Abs(q), fill.Commission);
            return;
        }

        var trip = _openTrips.Get(symbol)!;
        if (Math.Sign(oldQty) == Math.Sign(q))
        {
            trip.AddEntry(fill.Price, Math.Abs(q), fill.Commission);
            return;
        }

        var closing = Math.Min(Math.Abs(q), Math.Abs(oldQty));
        var commissionShare = ExactDivision.Divide(fill.Commission * closing, Math.Abs(q), fill.Commission);
        trip.AddExit(fill.Price, closing, commissionShare, realized);
        if (newQty == 0 || Math.Sign(newQty) != Math.Sign(oldQty))
        {
            RoundTripClosed?.Invoke(trip.Close(symbol, fill.TimeUtc, fill.Tag ?? "exit"));
            if (newQty != 0)
            {
                StartTrip(fill, Math.Abs(newQty), fill.Commission - commissionShare);
            }
        }
    }

    private void StartTrip(in Fill fill, decimal quantity, decimal commission)
    {
        if (_openTrips.Get(fill.Symbol) is not { } trip)
        {
            trip = new OpenTrip();
            _openTrips.Set(fill.Symbol, trip);
        }

        trip.Start(fill, quantity, commission);
    }

    /// <summary>The round trip under way in one symbol; restarted in place when the next one opens.</summary>
    private sealed class OpenTrip
    {
        private decimal _entryValue;
        private decimal _exitValue;

        // The first entry and exit prices: the average prices of a trip of one entry and one exit, known without dividing.
        private decimal _firstEntryPrice;
        private decimal _firstExitPrice;

        public TradeDirection Direction { get; private set; }

        public DateTime EntryTimeUtc { get; private set; }

        public decimal EntryQuantity { get; private set; }

        public decimal ExitQuantity { get; private set; }

        public decimal Pnl { get; private set; }

        public decimal Commission { get; private set; }

        public void Start(in Fill fill, decimal quantity, decimal commission)
        {
            Direction = fill.Side == OrderSide.Buy ? TradeDirection.Long : TradeDirection.Short;
            EntryTimeUtc = fill.TimeUtc;
            _entryValue = 0m;
            _exitValue = 0m;
            _firstEntryPrice = fill.Price;
            EntryQuantity = 0m;
            ExitQuantity = 0m;
            Pnl = 0m;
            Commission = 0m;
            AddEntry(fill.Price, quantity, commission);
        }

        public void AddEntry(decimal price, decimal quantity, decimal commission)
        {
            _entryValue += price * quantity;
            EntryQuantity += quantity;
            Commission += commission;
        }

        public void AddExit(decimal price, decimal quantity, decimal commission, decimal realized)
        {
            if (ExitQuantity == 0)
            {
                _firstExitPrice = price;
            }

            _exitValue += price * quantity;
            ExitQuantity += quantity;
            Commission += commission;
            Pnl += realized;
        }

        /// <summary>A split: the same trip in new shares (values unchanged, so average prices ÷ ratio).</summary>
        public void Scale(decimal ratio)
        {
            EntryQuantity *= ratio;
            ExitQuantity *= ratio;
        }

        public RoundTrip Close(Symbol symbol, DateTime exitTimeUtc, string reason) => new(
            symbol,
            Direction,
            EntryQuantity,
            EntryTimeUtc,
            ExactDivision.Divide(_entryValue, EntryQuantity, _firstEntryPrice),
            exitTimeUtc,
            ExitQuantity == 0 ? 0 : ExactDivision.Divide(_exitValue, ExitQuantity, _firstExitPrice),
            Pnl,
            Commission,
            reason);
    }
}
