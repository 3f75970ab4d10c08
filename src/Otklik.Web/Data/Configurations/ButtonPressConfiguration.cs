using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Locations;

namespace Otklik.Web.Data.Configurations;

internal sealed class ButtonPressConfiguration : IEntityTypeConfiguration<ButtonPress>
{
    public void Configure(EntityTypeBuilder<ButtonPress> b)
    {
        b.HasIndex(p => new { p.DeviceId, p.EventId }).IsUnique();
        b.HasIndex(p => new { p.DeviceId, p.OccurredAt });
        b.HasIndex(p => new { p.LocationId, p.OccurredAt });
        b.HasIndex(p => new { p.OrganizationId, p.OccurredAt });
        b.Property(p => p.Type).HasConversion<string>().HasMaxLength(16);
        b.Property(p => p.Channel).HasConversion<string>().HasMaxLength(16);
        b.HasOne<Location>().WithMany().HasForeignKey(p => p.LocationId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Device>().WithMany().HasForeignKey(p => p.DeviceId).OnDelete(DeleteBehavior.Restrict);
    }
}
