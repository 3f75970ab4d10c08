using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Staff;

namespace Otklik.Web.Data.Configurations;

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> b)
    {
        b.Property(d => d.Name).HasMaxLength(Limits.Name);
        b.Property(d => d.Kind).HasConversion<string>().HasMaxLength(32);
        b.Property(d => d.TokenHash).HasMaxLength(64);
        b.HasIndex(d => d.TokenHash).IsUnique();
        b.Property(d => d.PairingCodeHash).HasMaxLength(64);
        b.HasIndex(d => d.PairingCodeHash);
        b.Property(d => d.Firmware).HasMaxLength(Limits.Name);
        b.Property(d => d.LastError).HasMaxLength(Limits.Text);
        b.HasIndex(d => new { d.OrganizationId, d.LocationId });
        b.HasOne<Location>().WithMany().HasForeignKey(d => d.LocationId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<StaffMember>().WithMany().HasForeignKey(d => d.StaffMemberId).OnDelete(DeleteBehavior.SetNull);
    }
}
