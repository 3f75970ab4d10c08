using Otklik.Core.Rollups;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Rollups;

/// <summary>
/// Counts of one location, employee and channel over a span of time: the rows dashboards and the metrics API read instead of
/// raw events. Every count is a plain sum, so concurrent writers add with an upsert and never overwrite.
/// </summary>
public abstract class RollupRow : ILocationOwned
{
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    /// <summary>The employee, or <see cref="Guid.Empty"/> for "nobody known": a key column must not be NULL for the upsert to match.</summary>
    public Guid StaffKey { get; set; }
    /// <summary>Feedback channel ("QrPage", "Kiosk", …); empty for presses and sales counts.</summary>
    public string Channel { get; set; } = "";

    public long Green { get; set; }
    public long Red { get; set; }
    public long Suppressed { get; set; }
    public long Visitors { get; set; }
    public long Receipts { get; set; }
    public decimal Revenue { get; set; }
    public long Items { get; set; }
    public long SalesAttempts { get; set; }
    public long FeedbackPositive { get; set; }
    public long FeedbackNeutral { get; set; }
    public long FeedbackNegative { get; set; }

    public Guid? StaffMemberId => StaffKey == Guid.Empty ? null : StaffKey;

    public BucketCounts Counts => new(Green, Red, Suppressed, Visitors, Receipts, Revenue, Items, SalesAttempts, FeedbackPositive, FeedbackNeutral, FeedbackNegative);
}

/// <summary>
/// Counts of one UTC hour. Maintained in the transaction that stores each event (<see cref="RollupStore.AddAsync"/>) and
/// rebuildable from raw data (<see cref="RollupRebuilder"/>).
/// </summary>
public sealed class HourlyRollup : RollupRow
{
    public DateTimeOffset HourStartUtc { get; set; }
}

/// <summary>
/// Counts of one local day of its location (the time column holds the day's first whole UTC hour): the sum of that day's
/// <see cref="HourlyRollup"/> rows, maintained by the same upserts and rebuilt from them. Reports read a period's whole
/// months, then its whole days, then its edge hours, each from its own tier (<see cref="Rollup.Cover"/>).
/// </summary>
public sealed class DailyRollup : RollupRow
{
    public DateTimeOffset DayStartUtc { get; set; }
}

/// <summary>Counts of one local calendar month of its location: the sum of that month's <see cref="DailyRollup"/> rows, maintained by the same upserts and rebuilt from them.</summary>
public sealed class MonthlyRollup : RollupRow
{
    public DateTimeOffset MonthStartUtc { get; set; }
}

/// <summary>
/// Running totals of one location and channel through the end of one of the location's local days: everything counted on
/// that day and before, whoever served. A location has a row per channel (that had counted anything by then) on each day
/// that has daily rows, so the counts of any run of whole days are two rows' difference per location and channel,
/// however long the run (<see cref="RunningTotals"/>). <see cref="RollupRow.StaffKey"/> is not stored: always empty.
/// </summary>
public sealed class RunningRollup : RollupRow
{
    public DateTimeOffset DayStartUtc { get; set; }
}
