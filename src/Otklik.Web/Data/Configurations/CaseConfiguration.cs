using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Features.Staff;

namespace Otklik.Web.Data.Configurations;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> b)
    {
        b.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.Qualification).HasConversion<string>().HasMaxLength(32);
        b.Property(c => c.Summary).HasMaxLength(Limits.Text);
        b.Property(c => c.Resolution).HasMaxLength(Limits.LongText);
        b.Property(c => c.FollowUpToken).HasMaxLength(64);
        b.Property(c => c.Version).IsConcurrencyToken();
        b.Ignore(c => c.ExcludedFromStaffMetrics);
        // One case per feedback and per press; NULLs never collide.
        b.HasIndex(c => c.FeedbackId).IsUnique();
        b.HasIndex(c => c.PressId).IsUnique();
        b.HasIndex(c => c.FollowUpToken).IsUnique();
        b.HasIndex(c => new { c.OrganizationId, c.Status, c.DueAt });
        b.HasIndex(c => new { c.OrganizationId, c.CreatedAt });
        b.HasOne<Location>().WithMany().HasForeignKey(c => c.LocationId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Features.Feedback.Feedback>().WithMany().HasForeignKey(c => c.FeedbackId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ButtonPress>().WithMany().HasForeignKey(c => c.PressId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Reason>().WithMany().HasForeignKey(c => c.RootCauseId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<StaffMember>().WithMany().HasForeignKey(c => c.StaffMemberId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class CaseEventConfiguration : IEntityTypeConfiguration<CaseEvent>
{
    public void Configure(EntityTypeBuilder<CaseEvent> b)
    {
        b.Property(e => e.Kind).HasConversion<string>().HasMaxLength(32);
        b.Property(e => e.FromStatus).HasConversion<string>().HasMaxLength(16);
        b.Property(e => e.ToStatus).HasConversion<string>().HasMaxLength(16);
        b.Property(e => e.CompensationKind).HasConversion<string>().HasMaxLength(16);
        b.Property(e => e.Channel).HasConversion<string>().HasMaxLength(16);
        b.Property(e => e.By).HasMaxLength(Limits.Name);
        b.Property(e => e.Text).HasMaxLength(Limits.LongText);
        b.Property(e => e.Amount).HasPrecision(18, 2);
        b.HasIndex(e => new { e.CaseId, e.At });
        b.HasOne<Case>().WithMany().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CaseShareConfiguration : IEntityTypeConfiguration<CaseShare>
{
    public void Configure(EntityTypeBuilder<CaseShare> b)
    {
        b.Property(s => s.Agreement).HasMaxLength(Limits.LongText);
        b.HasIndex(s => new { s.StaffMemberId, s.SharedAt });
        b.HasIndex(s => new { s.CaseId, s.StaffMemberId }).IsUnique();
        b.HasOne<Case>().WithMany().HasForeignKey(s => s.CaseId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<StaffMember>().WithMany().HasForeignKey(s => s.StaffMemberId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class StaffLinkConfiguration : IEntityTypeConfiguration<StaffLink>
{
    public void Configure(EntityTypeBuilder<StaffLink> b)
    {
        b.HasKey(l => l.StaffMemberId);
        b.Property(l => l.Token).HasMaxLength(64);
        b.HasIndex(l => l.Token).IsUnique();
        b.HasOne<StaffMember>().WithOne().HasForeignKey<StaffLink>(l => l.StaffMemberId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CaseSettingsConfiguration : IEntityTypeConfiguration<CaseSettings>
{
    public void Configure(EntityTypeBuilder<CaseSettings> b)
    {
        b.HasKey(s => s.OrganizationId);
        b.Property(s => s.MessagingWebhookUrl).HasMaxLength(Limits.Url);
        b.Property(s => s.MessagingWebhookSecret).HasMaxLength(Limits.Text);
        b.Ignore(s => s.Sla);
        b.HasOne<Organization>().WithOne().HasForeignKey<CaseSettings>(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ResponseTemplateConfiguration : IEntityTypeConfiguration<ResponseTemplate>
{
    public void Configure(EntityTypeBuilder<ResponseTemplate> b)
    {
        b.Property(t => t.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(t => t.Language).HasMaxLength(8);
        b.Property(t => t.Subject).HasMaxLength(Limits.Text);
        b.Property(t => t.Body).HasMaxLength(Limits.LongText);
        b.HasIndex(t => new { t.OrganizationId, t.Kind, t.Language }).IsUnique();
        b.HasOne<Organization>().WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
