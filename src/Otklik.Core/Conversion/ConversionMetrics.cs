namespace Otklik.Core.Conversion;

/// <summary>Counts for one scope and period, as they come from the visitor counter, POS and staff phones.</summary>
/// <param name="Visitors">Visitors counted at the door.</param>
/// <param name="Receipts">POS receipts.</param>
/// <param name="Revenue">Sum of receipts.</param>
/// <param name="Items">Items sold across receipts.</param>
/// <param name="SalesAttempts">Visitors a salesperson actually approached.</param>
public readonly record struct SalesCounts(long Visitors, long Receipts, decimal Revenue, long Items, long SalesAttempts)
{
    /// <summary>Adds two sets of counts (same metric, larger scope).</summary>
    /// <param name="other">Counts to add.</param>
    public SalesCounts Add(SalesCounts other) => new(
        checked(Visitors + other.Visitors),
        checked(Receipts + other.Receipts),
        Revenue + other.Revenue,
        checked(Items + other.Items),
        checked(SalesAttempts + other.SalesAttempts));
}

/// <summary>Conversion metrics; each ratio is <see langword="null"/> when its denominator is 0.</summary>
/// <param name="Counts">The inputs.</param>
/// <param name="Conversion">receipts / visitors.</param>
/// <param name="AverageCheck">revenue / receipts.</param>
/// <param name="ItemsPerReceipt">items / receipts.</param>
/// <param name="Coverage">sales attempts / visitors.</param>
public sealed record ConversionResult(SalesCounts Counts, double? Conversion, decimal? AverageCheck, double? ItemsPerReceipt, double? Coverage);

/// <summary>Conversion = receipts / visitors, average check, items per receipt and coverage.</summary>
/// <remarks>
/// Conversion and coverage are not capped at 1: more receipts than counted visitors usually means a broken
/// counter, and hiding that would hide the problem.
/// </remarks>
public static class ConversionMetrics
{
    /// <summary>Computes the conversion metrics.</summary>
    /// <param name="counts">Counts for the scope and period.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or revenue is negative.</exception>
    public static ConversionResult Compute(SalesCounts counts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(counts.Visitors, nameof(counts));
        ArgumentOutOfRangeException.ThrowIfNegative(counts.Receipts, nameof(counts));
        ArgumentOutOfRangeException.ThrowIfNegative(counts.Revenue, nameof(counts));
        ArgumentOutOfRangeException.ThrowIfNegative(counts.Items, nameof(counts));
        ArgumentOutOfRangeException.ThrowIfNegative(counts.SalesAttempts, nameof(counts));
        return new ConversionResult(
            counts,
            counts.Visitors == 0 ? null : (double)counts.Receipts / counts.Visitors,
            counts.Receipts == 0 ? null : counts.Revenue / counts.Receipts,
            counts.Receipts == 0 ? null : (double)counts.Items / counts.Receipts,
            counts.Visitors == 0 ? null : (double)counts.SalesAttempts / counts.Visitors);
    }
}
