using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Bonus;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Reviews;

namespace Otklik.Web.Data.Configurations;

internal sealed class ReviewSnapshotConfiguration : IEntityTypeConfiguration<ReviewSnapshot>
{
    public void Configure(EntityTypeBuilder<ReviewSnapshot> b)
    {
        b.Property(s => s.Service).HasConversion<string>().HasMaxLength(16);
        b.Property(s => s.Origin).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(s => new { s.LocationId, s.Service, s.TakenAt });
        b.HasIndex(s => s.ImportJobId);
        b.Ignore(s => s.HasHistogram);
        b.HasOne<Location>().WithMany().HasForeignKey(s => s.LocationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CustomerCountConfiguration : IEntityTypeConfiguration<CustomerCount>
{
    public void Configure(EntityTypeBuilder<CustomerCount> b)
    {
        b.HasIndex(c => new { c.LocationId, c.From });
        b.HasOne<Location>().WithMany().HasForeignKey(c => c.LocationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ReviewSettingsConfiguration : IEntityTypeConfiguration<ReviewSettings>
{
    public void Configure(EntityTypeBuilder<ReviewSettings> b)
    {
        b.HasKey(s => s.OrganizationId);
        b.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReviewSourceConfiguration : IEntityTypeConfiguration<ReviewSource>
{
    public void Configure(EntityTypeBuilder<ReviewSource> b)
    {
        b.Property(s => s.Service).HasConversion<string>().HasMaxLength(16);
        b.Property(s => s.Url).HasMaxLength(Limits.Url);
        b.Property(s => s.TotalPath).HasMaxLength(Limits.Name);
        b.Property(s => s.PositivePath).HasMaxLength(Limits.Name);
        b.Property(s => s.HistogramPath).HasMaxLength(Limits.Name);
        b.Property(s => s.AveragePath).HasMaxLength(Limits.Name);
        b.Property(s => s.LastError).HasMaxLength(Limits.Text);
        b.HasIndex(s => new { s.LocationId, s.Service });
        b.HasOne<Location>().WithMany().HasForeignKey(s => s.LocationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class BonusSettingsConfiguration : IEntityTypeConfiguration<BonusSettings>
{
    public void Configure(EntityTypeBuilder<BonusSettings> b)
    {
        b.HasKey(s => s.OrganizationId);
        b.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.Property(s => s.RuleJson).HasMaxLength(Limits.LongText);
    }
}
