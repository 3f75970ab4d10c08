using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Organizations;

namespace Otklik.Web.Data.Configurations;

internal sealed class LocationConfiguration : IEntityTypeConfiguration<Location>
{
    public void Configure(EntityTypeBuilder<Location> b)
    {
        b.Property(l => l.Name).HasMaxLength(Limits.Name);
        b.Property(l => l.Slug).HasMaxLength(Limits.Slug);
        b.HasIndex(l => l.Slug).IsUnique();
        b.HasIndex(l => new { l.OrganizationId, l.Name });
        b.Property(l => l.Address).HasMaxLength(Limits.Text);
        b.Property(l => l.TimeZone).HasMaxLength(64);
        b.Property(l => l.YandexMapsUrl).HasMaxLength(Limits.Url);
        b.Property(l => l.TwoGisUrl).HasMaxLength(Limits.Url);
        b.Property(l => l.GoogleMapsUrl).HasMaxLength(Limits.Url);
        b.HasOne<Organization>().WithMany().HasForeignKey(l => l.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<LocationGroup>().WithMany().HasForeignKey(l => l.GroupId).OnDelete(DeleteBehavior.SetNull);
        // A small list edited as a whole: a JSON text column works the same on both providers.
        b.Property(l => l.OpeningHours)
            .HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                v => JsonSerializer.Deserialize<List<OpeningHours>>(v, JsonSerializerOptions.Default) ?? new List<OpeningHours>())
            .Metadata.SetValueComparer(new ValueComparer<List<OpeningHours>>(
                (a, c) => a!.SequenceEqual(c!),
                v => v.Aggregate(0, (h, x) => HashCode.Combine(h, x.GetHashCode())),
                v => v.ToList()));
    }
}

internal sealed class LocationGroupConfiguration : IEntityTypeConfiguration<LocationGroup>
{
    public void Configure(EntityTypeBuilder<LocationGroup> b)
    {
        b.Property(g => g.Name).HasMaxLength(Limits.Name);
        b.HasOne<Organization>().WithMany().HasForeignKey(g => g.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<LocationGroup>().WithMany().HasForeignKey(g => g.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}
