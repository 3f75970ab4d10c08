using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Imports;
using Otklik.Web.Features.Organizations;

namespace Otklik.Web.Data.Configurations;

internal sealed class ImportJobConfiguration : IEntityTypeConfiguration<ImportJob>
{
    public void Configure(EntityTypeBuilder<ImportJob> b)
    {
        b.Property(j => j.Kind).HasMaxLength(32);
        b.Property(j => j.FileName).HasMaxLength(Limits.Name);
        b.Property(j => j.Format).HasMaxLength(8);
        b.Property(j => j.Encoding).HasMaxLength(16);
        b.Property(j => j.Language).HasMaxLength(8);
        b.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(j => j.Error).HasMaxLength(Limits.LongText);
        b.Ignore(j => j.IsActive);
        b.HasIndex(j => new { j.OrganizationId, j.CreatedAt });
        b.HasOne<Organization>().WithMany().HasForeignKey(j => j.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ImportRowErrorConfiguration : IEntityTypeConfiguration<ImportRowError>
{
    public void Configure(EntityTypeBuilder<ImportRowError> b)
    {
        b.HasKey(e => new { e.ImportJobId, e.RowNumber });
        b.Property(e => e.Message).HasMaxLength(Limits.LongText);
        b.HasOne<ImportJob>().WithMany().HasForeignKey(e => e.ImportJobId).OnDelete(DeleteBehavior.Cascade);
    }
}
