namespace Otklik.Core.Metrics;

/// <summary>Where the "customers served" denominator of the support index came from.</summary>
public enum CustomerCountSource
{
    /// <summary>Neither receipts nor a manual count were available.</summary>
    None,

    /// <summary>POS receipts.</summary>
    Receipts,

    /// <summary>A customer count entered by hand because there is no POS data.</summary>
    Manual,
}

/// <summary>Support index for a period.</summary>
/// <param name="NewPositiveReviews">New positive map reviews in the period.</param>
/// <param name="CustomersServed">The denominator used, or <see langword="null"/> when unknown.</param>
/// <param name="Source">Where <paramref name="CustomersServed"/> came from.</param>
/// <param name="Index">Reviews per customer served; <see langword="null"/> when the denominator is unknown or 0.</param>
public sealed record SupportIndexResult(long NewPositiveReviews, long? CustomersServed, CustomerCountSource Source, double? Index)
{
    /// <summary>The index per 1,000 customers, which reads better on screens.</summary>
    public double? PerThousandCustomers => Index * 1000;
}

/// <summary>Support index = new positive reviews on maps services / customers served in the period.</summary>
public static class SupportIndex
{
    /// <summary>Computes the support index.</summary>
    /// <param name="newPositiveReviews">New positive map reviews in the period.</param>
    /// <param name="receipts">POS receipts in the period, or <see langword="null"/> when there is no POS data.</param>
    /// <param name="manualCustomerCount">Customer count entered by hand; used only when <paramref name="receipts"/> is <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static SupportIndexResult Compute(long newPositiveReviews, long? receipts, long? manualCustomerCount = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newPositiveReviews);
        if (receipts is { } r)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(r, nameof(receipts));
        }

        if (manualCustomerCount is { } m)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(m, nameof(manualCustomerCount));
        }

        var (customers, source) = receipts is not null
            ? (receipts, CustomerCountSource.Receipts)
            : manualCustomerCount is not null
                ? (manualCustomerCount, CustomerCountSource.Manual)
                : ((long?)null, CustomerCountSource.None);
        double? index = customers is > 0 ? (double)newPositiveReviews / customers.Value : null;
        return new SupportIndexResult(newPositiveReviews, customers, source, index);
    }

    /// <summary>
    /// New positive reviews between two snapshots of a maps service's positive-review count.
    /// A drop (reviews removed by the service) counts as zero new reviews, never negative.
    /// </summary>
    /// <param name="positiveAtStart">Positive-review count at the start of the period.</param>
    /// <param name="positiveAtEnd">Positive-review count at the end of the period.</param>
    public static long NewReviewsBetween(long positiveAtStart, long positiveAtEnd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(positiveAtStart);
        ArgumentOutOfRangeException.ThrowIfNegative(positiveAtEnd);
        return Math.Max(0, positiveAtEnd - positiveAtStart);
    }
}
