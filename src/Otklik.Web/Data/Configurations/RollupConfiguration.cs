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
        b.HasKey(r => new { r.OrganizationId, r.LocationId, r.HourStartUtc, r.StaffKey, r.Channel });
        b.HasIndex(r => new { r.OrganizationId, r.HourStartUtc });
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
        b.HasKey(r => new { r.OrganizationId, r.LocationId, r.DayStartUtc, r.StaffKey, r.Channel });
        b.HasIndex(r => new { r.OrganizationId, r.DayStartUtc });
        HourlyRollupConfiguration.Counts(b);
    }
}
