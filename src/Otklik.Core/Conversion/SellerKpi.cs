using Otklik.Core.Metrics;

namespace Otklik.Core.Conversion;

/// <summary>How a KPI value compares with the manager's threshold.</summary>
public enum KpiRating
{
    /// <summary>No value (nothing measured) or no threshold set.</summary>
    Unrated,

    /// <summary>Below the threshold.</summary>
    Below,

    /// <summary>At or above the threshold.</summary>
    Meets,
}

/// <summary>The lowest acceptable value of each KPI; <see langword="null"/> means "not judged".</summary>
/// <param name="MinConversion">Conversion, 0..1.</param>
/// <param name="MinAverageCheck">Average check, money.</param>
/// <param name="MinCoverage">Sales attempts per visitor, 0..1.</param>
/// <param name="MinQuality">Perceived consultation quality (green share), 0..1.</param>
/// <param name="MinFunnelEntries">Funnel entries recorded in the period.</param>
public sealed record KpiThresholds(double? MinConversion, decimal? MinAverageCheck, double? MinCoverage, double? MinQuality, long? MinFunnelEntries);

/// <summary>Result KPIs (conversion, average check) beside process KPIs (coverage, perceived quality, funnel entries) for one seller or scope.</summary>
/// <param name="Sales">Conversion, average check, items per receipt and coverage.</param>
/// <param name="Presses">Green share of the seller's presses: the perceived quality of consultations.</param>
/// <param name="FunnelEntries">Conversations the seller recorded on the funnel console.</param>
public sealed record SellerKpi(ConversionResult Sales, ButtonPressResult Presses, long FunnelEntries)
{
    /// <summary>Perceived consultation quality = green / (green + red), or <see langword="null"/> without presses.</summary>
    public double? Quality => Presses.GreenShare;
}

/// <summary>The seller KPI matrix: one definition of each KPI and of how it is judged against thresholds.</summary>
public static class SellerKpis
{
    /// <summary>Computes the KPIs of one row of the matrix.</summary>
    /// <param name="counts">Visitors (while the seller was on the floor), receipts, revenue, items and sales attempts.</param>
    /// <param name="green">Green presses attributed to the seller.</param>
    /// <param name="red">Red presses attributed to the seller.</param>
    /// <param name="funnelEntries">Funnel entries the seller recorded.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static SellerKpi Compute(SalesCounts counts, long green, long red, long funnelEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(funnelEntries);
        return new SellerKpi(ConversionMetrics.Compute(counts), ButtonPresses.Compute(green, red, counts.Receipts), funnelEntries);
    }

    /// <summary>Rates a value: <see cref="KpiRating.Unrated"/> without a value or threshold, else below or meets.</summary>
    /// <param name="value">The KPI's value.</param>
    /// <param name="threshold">Lowest acceptable value.</param>
    public static KpiRating Rate(double? value, double? threshold) =>
        value is { } v && threshold is { } t ? (v >= t ? KpiRating.Meets : KpiRating.Below) : KpiRating.Unrated;

    /// <inheritdoc cref="Rate(double?, double?)"/>
    public static KpiRating Rate(decimal? value, decimal? threshold) =>
        value is { } v && threshold is { } t ? (v >= t ? KpiRating.Meets : KpiRating.Below) : KpiRating.Unrated;
}
