using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Organizations;

namespace Otklik.Web.Data.Configurations;

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> b)
    {
        b.Property(o => o.Name).HasMaxLength(Limits.Name);
        b.Property(o => o.TimeZone).HasMaxLength(64);
        b.Property(o => o.Language).HasMaxLength(8);
        b.Property(o => o.FeedbackConsentText).HasMaxLength(Limits.LongText);
    }
}
