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

/// <summary>Change of the support index between two periods, with a noise flag.</summary>
/// <param name="Kind">Which periods were compared.</param>
/// <param name="Current">The later period.</param>
/// <param name="Previous">The earlier period.</param>
/// <param name="Change">Current − previous index, in reviews per customer (0.002 = +2 per 1,000 customers); <see langword="null"/> when either
/// period's customers are unknown or 0.</param>
/// <param name="Z">The rate-comparison z statistic (see <see cref="SupportIndex.Compare"/>); <see langword="null"/> when it cannot be computed.</param>
/// <param name="IsWithinNoise">True when the change is not significant at 95 % (|z| &lt; 1.96), or when there is not enough data to tell.</param>
public sealed record SupportIndexTrend(TrendKind Kind, SupportIndexResult Current, SupportIndexResult Previous, double? Change, double? Z, bool IsWithinNoise)
{
    /// <summary>The change per 1,000 customers, as the index is shown on screens.</summary>
    public double? ChangePerThousandCustomers => Change * 1000;
}

/// <summary>Support index = new positive reviews on maps services / customers served in the period.</summary>
public static class SupportIndex
{
    /// <summary>Compares the last week with the week before.</summary>
    /// <param name="thisWeek">This week's support index.</param>
    /// <param name="previousWeek">The previous week's support index.</param>
    public static SupportIndexTrend WeekOverWeek(SupportIndexResult thisWeek, SupportIndexResult previousWeek) =>
        Compare(TrendKind.WeekOverWeek, thisWeek, previousWeek);

    /// <summary>Compares a period with the same period one year earlier.</summary>
    /// <param name="thisPeriod">This period's support index.</param>
    /// <param name="samePeriodLastYear">The same period a year earlier.</param>
    public static SupportIndexTrend YearOverYear(SupportIndexResult thisPeriod, SupportIndexResult samePeriodLastYear) =>
        Compare(TrendKind.YearOverYear, thisPeriod, samePeriodLastYear);

    /// <summary>Compares the support index of two periods: the change and whether it is within noise.</summary>
    /// <remarks>
    /// <para>
    /// New positive reviews x are counted against customers served n, and the index is the rate r = x / n. The flag is a two-sided
    /// z-test of two Poisson rates at 95 % with the pooled rate under the null hypothesis:
    /// r = (x₁ + x₂) / (n₁ + n₂), SE = sqrt(r (1/n₁ + 1/n₂)), z = (x₁/n₁ − x₂/n₂) / SE; within noise when |z| &lt; 1.96.
    /// With equal customer counts this is z = (x₁ − x₂) / sqrt(x₁ + x₂).
    /// </para>
    /// <para>
    /// This is <see cref="Trends.Compare"/>'s two-proportion test without its (1 − p) factor. The proportion test does not fit as
    /// is: a review is not the outcome of one served customer (reviewers need not appear among the receipts, and with few
    /// receipts or a low manual count the reviews may outnumber the customers, which a proportion cannot). Reviews are rare
    /// events counted over an exposure, which is the Poisson model; at the usual rates of a few per 1,000 customers (1 − p) ≈ 1
    /// and both tests agree to within a fraction of a percent, the rate test being the slightly more cautious one.
    /// </para>
    /// <para>
    /// When either period's customers are unknown or 0 the change is unknown (<see langword="null"/>) and flagged as noise; when
    /// neither period has a new review both indexes are 0 and the change is 0, within noise. The normal approximation is rough
    /// for a handful of reviews; the flag is a guide for screens, not a publication test.
    /// </para>
    /// </remarks>
    /// <param name="kind">Label of the comparison.</param>
    /// <param name="current">The later period.</param>
    /// <param name="previous">The earlier period.</param>
    public static SupportIndexTrend Compare(TrendKind kind, SupportIndexResult current, SupportIndexResult previous)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(previous);
        var n1 = current.CustomersServed ?? 0;
        var n2 = previous.CustomersServed ?? 0;
        if (n1 <= 0 || n2 <= 0)
        {
            return new SupportIndexTrend(kind, current, previous, null, null, true);
        }

        var (x1, x2) = (current.NewPositiveReviews, previous.NewPositiveReviews);
        var change = ((double)x1 / n1) - ((double)x2 / n2);
        var pooled = (double)(x1 + x2) / (n1 + n2);
        var se = Math.Sqrt(pooled * ((1.0 / n1) + (1.0 / n2)));
        if (se == 0)
        {
            return new SupportIndexTrend(kind, current, previous, change, null, true);
        }

        var z = change / se;
        return new SupportIndexTrend(kind, current, previous, change, z, Math.Abs(z) < Nps.Z95);
    }

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
