namespace Otklik.Core.Metrics;

/// <summary>A proportion: successes out of trials (e.g. green presses out of all presses).</summary>
/// <param name="Successes">Count of the event of interest.</param>
/// <param name="Trials">Count of all observations.</param>
public readonly record struct Proportion(long Successes, long Trials)
{
    /// <summary>Successes / trials, or <see langword="null"/> when there are no trials.</summary>
    public double? Value => Trials == 0 ? null : (double)Successes / Trials;

    internal void Validate(string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Successes, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Successes, Trials, name);
    }
}

/// <summary>Which two periods a trend compares.</summary>
public enum TrendKind
{
    /// <summary>This week against the previous week.</summary>
    WeekOverWeek,

    /// <summary>This period against the same period a year earlier.</summary>
    YearOverYear,

    /// <summary>This period against the previous period of the same length (the digests' comparison).</summary>
    PreviousPeriod,
}

/// <summary>Change of a proportion metric between two periods.</summary>
/// <param name="Kind">Which periods were compared.</param>
/// <param name="Current">The later period.</param>
/// <param name="Previous">The earlier period.</param>
/// <param name="Change">Current − previous, as a difference of proportions (0.05 = +5 percentage points); <see langword="null"/> when either period has no data.</param>
/// <param name="Z">Two-proportion z statistic; <see langword="null"/> when it cannot be computed.</param>
/// <param name="IsWithinNoise">True when the change is not significant at 95 % (|z| &lt; 1.96), or when there is not enough data to tell.</param>
public sealed record TrendResult(TrendKind Kind, Proportion Current, Proportion Previous, double? Change, double? Z, bool IsWithinNoise);

/// <summary>Week-over-week and year-over-year changes of proportion metrics, with a noise flag.</summary>
/// <remarks>
/// The noise flag is a two-sided two-proportion z-test at 95 %:
/// pooled p = (x₁ + x₂) / (n₁ + n₂), SE = sqrt(p (1 − p) (1/n₁ + 1/n₂)), z = (p₁ − p₂) / SE.
/// The change is flagged as within noise when |z| &lt; 1.96. When either period is empty the change is unknown
/// and flagged as noise; when the pooled proportion is 0 or 1 both periods are identical and the change is 0.
/// The normal approximation is rough for very small samples; the flag is a guide for screens, not a publication test.
/// </remarks>
public static class Trends
{
    /// <summary>Compares this week with the previous week.</summary>
    /// <param name="thisWeek">This week's proportion.</param>
    /// <param name="previousWeek">The previous week's proportion.</param>
    public static TrendResult WeekOverWeek(Proportion thisWeek, Proportion previousWeek) =>
        Compare(TrendKind.WeekOverWeek, thisWeek, previousWeek);

    /// <summary>Compares a period with the same period one year earlier.</summary>
    /// <param name="thisPeriod">This period's proportion.</param>
    /// <param name="samePeriodLastYear">The same period a year earlier.</param>
    public static TrendResult YearOverYear(Proportion thisPeriod, Proportion samePeriodLastYear) =>
        Compare(TrendKind.YearOverYear, thisPeriod, samePeriodLastYear);

    /// <summary>Compares two proportions with a two-proportion z-test at 95 %.</summary>
    /// <param name="kind">Label of the comparison.</param>
    /// <param name="current">The later period.</param>
    /// <param name="previous">The earlier period.</param>
    /// <exception cref="ArgumentOutOfRangeException">A proportion has negative counts or more successes than trials.</exception>
    public static TrendResult Compare(TrendKind kind, Proportion current, Proportion previous)
    {
        current.Validate(nameof(current));
        previous.Validate(nameof(previous));
        if (current.Trials == 0 || previous.Trials == 0)
        {
            return new TrendResult(kind, current, previous, null, null, true);
        }

        var p1 = current.Value!.Value;
        var p2 = previous.Value!.Value;
        var change = p1 - p2;
        var pooled = (double)(current.Successes + previous.Successes) / (current.Trials + previous.Trials);
        var se = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / current.Trials) + (1.0 / previous.Trials)));
        if (se == 0)
        {
            return new TrendResult(kind, current, previous, change, null, true);
        }

        var z = change / se;
        return new TrendResult(kind, current, previous, change, z, Math.Abs(z) < Nps.Z95);
    }
}
