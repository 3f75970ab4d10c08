using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Digests;
using Otklik.Web.Features.Users;

namespace Otklik.Web.Data.Configurations;

internal sealed class DigestSubscriptionConfiguration : IEntityTypeConfiguration<DigestSubscription>
{
    public void Configure(EntityTypeBuilder<DigestSubscription> b)
    {
        b.Property(s => s.Frequency).HasConversion<string>().HasMaxLength(16);
        b.Property(s => s.Email).HasMaxLength(Limits.Email);
        b.HasIndex(s => s.UserId).IsUnique();
        b.HasIndex(s => new { s.OrganizationId, s.Frequency });
        b.HasOne<AppUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DigestDeliveryConfiguration : IEntityTypeConfiguration<DigestDelivery>
{
    public void Configure(EntityTypeBuilder<DigestDelivery> b)
    {
        b.Property(d => d.Frequency).HasConversion<string>().HasMaxLength(16);
        b.Property(d => d.Email).HasMaxLength(Limits.Email);
        b.Property(d => d.Error).HasMaxLength(Limits.Text);
        // The claim: one row per person, frequency and period, whichever node inserts it first.
        b.HasIndex(d => new { d.UserId, d.Frequency, d.PeriodStart }).IsUnique();
        b.HasOne<AppUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
