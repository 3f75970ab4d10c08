using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Staff;

namespace Otklik.Web.Data.Configurations;

internal sealed class StaffMemberConfiguration : IEntityTypeConfiguration<StaffMember>
{
    public void Configure(EntityTypeBuilder<StaffMember> b)
    {
        b.Property(s => s.Name).HasMaxLength(Limits.Name);
        b.Property(s => s.Position).HasMaxLength(Limits.Name);
        b.Property(s => s.ExternalId).HasMaxLength(Limits.Name);
        b.HasIndex(s => new { s.OrganizationId, s.LocationId });
        b.HasOne<Location>().WithMany().HasForeignKey(s => s.LocationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ShiftConfiguration : IEntityTypeConfiguration<Shift>
{
    public void Configure(EntityTypeBuilder<Shift> b)
    {
        b.HasIndex(s => new { s.LocationId, s.StartsAt });
        b.HasIndex(s => new { s.StaffMemberId, s.StartsAt });
        b.HasOne<Location>().WithMany().HasForeignKey(s => s.LocationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<StaffMember>().WithMany().HasForeignKey(s => s.StaffMemberId).OnDelete(DeleteBehavior.Cascade);
    }
}
