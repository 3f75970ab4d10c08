using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Rollups;

namespace Otklik.Web.Data.Configurations;

internal sealed class HourlyRollupConfiguration : IEntityTypeConfiguration<HourlyRollup>
{
    public void Configure(EntityTypeBuilder<HourlyRollup> b)
    {
        // Column and table names are used by the raw upsert in RollupStore: keep them in step.
        b.ToTable(RollupStore.Table);
        // Keys lead with the location and the time (all tiers alike): reports read a set of locations over a range
        // (LocationId IN … AND time range), which SQLite cannot serve from an index led by OrganizationId, the tenant filter
        // being an OR with a parameter. The organization stays in the key (the upsert's conflict target names it) but last;
        // location ids are unique anyway. The time index serves rebuilds, which read or delete a range across locations.
        b.HasKey(r => new { r.LocationId, r.HourStartUtc, r.StaffKey, r.Channel, r.OrganizationId });
        b.HasIndex(r => r.HourStartUtc);
        Counts(b);
    }

    /// <summary>What every rollup tier shares: the channel key's length, money precision, computed properties left unmapped.</summary>
    public static void Counts<T>(EntityTypeBuilder<T> b) where T : RollupRow
    {
        b.Property(r => r.Channel).HasMaxLength(32);
        b.Property(r => r.Revenue).HasPrecision(18, 2);
        b.Ignore(r => r.StaffMemberId);
        b.Ignore(r => r.Counts);
    }
}

internal sealed class DailyRollupConfiguration : IEntityTypeConfiguration<DailyRollup>
{
    public void Configure(EntityTypeBuilder<DailyRollup> b)
    {
        // Column and table names are used by the raw upsert in RollupStore: keep them in step.
        b.ToTable(RollupStore.DailyTable);
        b.HasKey(r => new { r.LocationId, r.DayStartUtc, r.StaffKey, r.Channel, r.OrganizationId });
        b.HasIndex(r => r.DayStartUtc);
        HourlyRollupConfiguration.Counts(b);
    }
}

internal sealed class MonthlyRollupConfiguration : IEntityTypeConfiguration<MonthlyRollup>
{
    public void Configure(EntityTypeBuilder<MonthlyRollup> b)
    {
        // Column and table names are used by the raw upsert in RollupStore: keep them in step.
        b.ToTable(RollupStore.MonthlyTable);
        b.HasKey(r => new { r.LocationId, r.MonthStartUtc, r.StaffKey, r.Channel, r.OrganizationId });
        b.HasIndex(r => r.MonthStartUtc);
        HourlyRollupConfiguration.Counts(b);
    }
}

internal sealed class RunningRollupConfiguration : IEntityTypeConfiguration<RunningRollup>
{
    public void Configure(EntityTypeBuilder<RunningRollup> b)
    {
        // Column and table names are used by the raw SQL in RunningTotals: keep them in step. The key leads with the location
        // and the day: a report finds each location's last day before an instant with one index seek and reads that day's
        // rows (one per channel) next to each other.
        b.ToTable(RunningTotals.Table);
        b.HasKey(r => new { r.LocationId, r.DayStartUtc, r.Channel, r.OrganizationId });
        // An organization's rows of one day side by side: an overview reads a day of every location as one range of this index
        // (PostgreSQL: 650 pages instead of 4,300 for a thousand locations, read one seek each through the key).
        b.HasIndex(r => new { r.OrganizationId, r.DayStartUtc, r.LocationId, r.Channel });
        b.Ignore(r => r.StaffKey);
        HourlyRollupConfiguration.Counts(b);
    }
}

internal sealed class RollupStampConfiguration : IEntityTypeConfiguration<RollupStamp>
{
    // Named by the raw upsert in RunningTotalsCache.BumpAsync: keep them in step.
    public void Configure(EntityTypeBuilder<RollupStamp> b)
    {
        b.ToTable("RollupStamps");
        b.HasKey(s => s.OrganizationId);
    }
}
