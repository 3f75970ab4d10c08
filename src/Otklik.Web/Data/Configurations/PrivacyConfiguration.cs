using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Privacy;

namespace Otklik.Web.Data.Configurations;

internal sealed class ConsentTextVersionConfiguration : IEntityTypeConfiguration<ConsentTextVersion>
{
    public void Configure(EntityTypeBuilder<ConsentTextVersion> b)
    {
        b.HasKey(c => new { c.OrganizationId, c.Version });
        b.Property(c => c.Text).HasMaxLength(Limits.LongText);
        b.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RetentionPolicyConfiguration : IEntityTypeConfiguration<RetentionPolicy>
{
    public void Configure(EntityTypeBuilder<RetentionPolicy> b)
    {
        b.HasKey(p => p.OrganizationId);
        b.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RetentionRunConfiguration : IEntityTypeConfiguration<RetentionRun>
{
    public void Configure(EntityTypeBuilder<RetentionRun> b)
    {
        b.HasIndex(r => new { r.OrganizationId, r.At });
        b.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
