using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Reasons;

namespace Otklik.Web.Data.Configurations;

internal sealed class ReasonConfiguration : IEntityTypeConfiguration<Reason>
{
    public void Configure(EntityTypeBuilder<Reason> b)
    {
        b.Property(r => r.NameRu).HasMaxLength(Limits.Name);
        b.Property(r => r.NameEn).HasMaxLength(Limits.Name);
        b.Property(r => r.ResponsibleRole).HasMaxLength(Limits.Name);
        b.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.Dimension).HasConversion<string>().HasMaxLength(16);
        b.Ignore(r => r.IsArchived);
        b.HasIndex(r => new { r.OrganizationId, r.Kind, r.ParentId, r.SortOrder });
        b.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Reason>().WithMany().HasForeignKey(r => r.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FeedbackConfiguration : IEntityTypeConfiguration<Feedback>
{
    public void Configure(EntityTypeBuilder<Feedback> b)
    {
        b.ToTable("Feedback");
        b.Property(f => f.Channel).HasConversion<string>().HasMaxLength(16);
        b.Property(f => f.Sentiment).HasConversion<string>().HasMaxLength(16);
        b.Property(f => f.Text).HasMaxLength(Limits.LongText);
        b.Property(f => f.ContactName).HasMaxLength(Limits.Name);
        b.Property(f => f.ContactPhone).HasMaxLength(Limits.Phone);
        b.Property(f => f.ContactEmail).HasMaxLength(Limits.Email);
        b.Property(f => f.UserAgentHash).HasMaxLength(64);
        b.Property(f => f.Author).HasMaxLength(Limits.Url);
        b.HasIndex(f => f.ImportJobId);
        b.HasIndex(f => new { f.OrganizationId, f.CreatedAt });
        b.HasIndex(f => new { f.LocationId, f.CreatedAt });
        b.HasOne<Location>().WithMany().HasForeignKey(f => f.LocationId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(f => f.Reasons).WithOne().HasForeignKey(r => r.FeedbackId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(f => f.Attachments).WithOne().HasForeignKey(a => a.FeedbackId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FeedbackReasonConfiguration : IEntityTypeConfiguration<FeedbackReason>
{
    public void Configure(EntityTypeBuilder<FeedbackReason> b)
    {
        b.HasKey(r => new { r.FeedbackId, r.ReasonId });
        b.HasIndex(r => new { r.ReasonId, r.FeedbackId });
        b.HasOne<Reason>().WithMany().HasForeignKey(r => r.ReasonId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FeedbackAttachmentConfiguration : IEntityTypeConfiguration<FeedbackAttachment>
{
    public void Configure(EntityTypeBuilder<FeedbackAttachment> b)
    {
        b.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(a => a.ContentType).HasMaxLength(64);
        b.Property(a => a.StorageKey).HasMaxLength(Limits.Name);
    }
}
