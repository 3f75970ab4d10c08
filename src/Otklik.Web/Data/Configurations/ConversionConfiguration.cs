using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Conversion;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Organizations;

namespace Otklik.Web.Data.Configurations;

internal sealed class VisitorCountConfiguration : IEntityTypeConfiguration<VisitorCount>
{
    public void Configure(EntityTypeBuilder<VisitorCount> b)
    {
        b.HasIndex(v => new { v.DeviceId, v.EventId }).IsUnique();
        b.HasIndex(v => new { v.LocationId, v.From });
        b.Property(v => v.ExternalId).HasMaxLength(Limits.Name);
        b.HasIndex(v => new { v.LocationId, v.ExternalId }).IsUnique();
        b.HasIndex(v => v.ImportJobId);
        b.Property(v => v.Channel).HasConversion<string>().HasMaxLength(16);
        b.HasOne<Location>().WithMany().HasForeignKey(v => v.LocationId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Device>().WithMany().HasForeignKey(v => v.DeviceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SalesAttemptConfiguration : IEntityTypeConfiguration<SalesAttempt>
{
    public void Configure(EntityTypeBuilder<SalesAttempt> b)
    {
        b.HasIndex(a => new { a.DeviceId, a.EventId }).IsUnique();
        b.HasIndex(a => new { a.LocationId, a.OccurredAt });
        b.Property(a => a.Source).HasConversion<string>().HasMaxLength(16);
        b.HasOne<Location>().WithMany().HasForeignKey(a => a.LocationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PosSaleConfiguration : IEntityTypeConfiguration<PosSale>
{
    public void Configure(EntityTypeBuilder<PosSale> b)
    {
        b.Property(s => s.ExternalId).HasMaxLength(Limits.Name);
        b.HasIndex(s => new { s.LocationId, s.ExternalId }).IsUnique();
        b.HasIndex(s => new { s.LocationId, s.From });
        b.HasIndex(s => s.ImportJobId);
        b.Ignore(s => s.Revenue);
        b.HasOne<Location>().WithMany().HasForeignKey(s => s.LocationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FunnelEntryConfiguration : IEntityTypeConfiguration<FunnelEntry>
{
    public void Configure(EntityTypeBuilder<FunnelEntry> b)
    {
        b.Property(f => f.Stage).HasMaxLength(Limits.Slug);
        b.Property(f => f.Reason).HasMaxLength(Limits.Slug);
        b.Property(f => f.Note).HasMaxLength(Limits.Text);
        b.Property(f => f.Mode).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(f => new { f.LocationId, f.OccurredAt });
        b.HasOne<Location>().WithMany().HasForeignKey(f => f.LocationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ConversionSettingsConfiguration : IEntityTypeConfiguration<ConversionSettings>
{
    public void Configure(EntityTypeBuilder<ConversionSettings> b)
    {
        b.HasKey(s => s.OrganizationId);
        b.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        Json(b.Property(s => s.Stages));
        Json(b.Property(s => s.Reasons));
    }

    // Small lists edited as a whole: a JSON text column works the same on both providers.
    private static void Json(PropertyBuilder<List<FunnelItem>> p) =>
        p.HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                v => JsonSerializer.Deserialize<List<FunnelItem>>(v, JsonSerializerOptions.Default) ?? new List<FunnelItem>())
            .Metadata.SetValueComparer(new ValueComparer<List<FunnelItem>>(
                (a, c) => a!.SequenceEqual(c!),
                v => v.Aggregate(0, (h, x) => HashCode.Combine(h, x.GetHashCode())),
                v => v.ToList()));
}
