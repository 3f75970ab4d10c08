using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Features.Surveys;
using Otklik.Web.Features.Testimonials;

namespace Otklik.Web.Data.Configurations;

internal sealed class SurveyConfiguration : IEntityTypeConfiguration<Survey>
{
    public void Configure(EntityTypeBuilder<Survey> b)
    {
        b.Property(s => s.Name).HasMaxLength(Limits.Name);
        b.Property(s => s.Slug).HasMaxLength(Limits.Slug);
        b.HasIndex(s => s.Slug).IsUnique();
        b.Property(s => s.KeyKind).HasConversion<string>().HasMaxLength(16);
        b.Property(s => s.KeyTextRu).HasMaxLength(Limits.Text);
        b.Property(s => s.KeyTextEn).HasMaxLength(Limits.Text);
        b.HasIndex(s => new { s.OrganizationId, s.CreatedAt });
        b.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<NotificationChannel>().WithMany().HasForeignKey(s => s.InvitationChannelId).OnDelete(DeleteBehavior.SetNull);
        b.HasMany(s => s.Questions).WithOne().HasForeignKey(q => q.SurveyId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(s => s.Locations).WithOne().HasForeignKey(l => l.SurveyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SurveyQuestionConfiguration : IEntityTypeConfiguration<SurveyQuestion>
{
    public void Configure(EntityTypeBuilder<SurveyQuestion> b)
    {
        b.Property(q => q.TextRu).HasMaxLength(Limits.Text);
        b.Property(q => q.TextEn).HasMaxLength(Limits.Text);
        b.Property(q => q.Dimension).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(q => new { q.SurveyId, q.SortOrder });
        b.HasOne<Reason>().WithMany().HasForeignKey(q => q.ReasonId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveyLocationConfiguration : IEntityTypeConfiguration<SurveyLocation>
{
    public void Configure(EntityTypeBuilder<SurveyLocation> b)
    {
        b.HasKey(l => new { l.SurveyId, l.LocationId });
        b.HasIndex(l => l.LocationId);
        b.HasOne<Location>().WithMany().HasForeignKey(l => l.LocationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SurveyResponseConfiguration : IEntityTypeConfiguration<SurveyResponse>
{
    public void Configure(EntityTypeBuilder<SurveyResponse> b)
    {
        b.Property(r => r.Channel).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.Comment).HasMaxLength(Limits.LongText);
        b.Property(r => r.UserAgentHash).HasMaxLength(64);
        b.HasIndex(r => new { r.SurveyId, r.CreatedAt });
        b.HasIndex(r => new { r.LocationId, r.CreatedAt });
        b.HasOne<Survey>().WithMany().HasForeignKey(r => r.SurveyId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Location>().WithMany().HasForeignKey(r => r.LocationId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(r => r.Answers).WithOne().HasForeignKey(a => a.ResponseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SurveyAnswerConfiguration : IEntityTypeConfiguration<SurveyAnswer>
{
    public void Configure(EntityTypeBuilder<SurveyAnswer> b)
    {
        b.HasKey(a => new { a.ResponseId, a.QuestionId });
        b.HasOne<SurveyQuestion>().WithMany().HasForeignKey(a => a.QuestionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveyInvitationConfiguration : IEntityTypeConfiguration<SurveyInvitation>
{
    public void Configure(EntityTypeBuilder<SurveyInvitation> b)
    {
        b.Property(i => i.ContactEmail).HasMaxLength(Limits.Email);
        b.Property(i => i.ContactPhone).HasMaxLength(Limits.Phone);
        b.Property(i => i.Token).HasMaxLength(64);
        b.Property(i => i.LinkBase).HasMaxLength(Limits.Url);
        b.Property(i => i.SkippedReason).HasMaxLength(Limits.Text);
        b.HasIndex(i => i.Token).IsUnique();
        b.HasIndex(i => i.DueAt);
        b.HasOne<Survey>().WithMany().HasForeignKey(i => i.SurveyId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Location>().WithMany().HasForeignKey(i => i.LocationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class TestimonialConfiguration : IEntityTypeConfiguration<Testimonial>
{
    public void Configure(EntityTypeBuilder<Testimonial> b)
    {
        b.Property(t => t.Id).ValueGeneratedNever();
        b.Property(t => t.Text).HasMaxLength(Limits.LongText);
        b.Property(t => t.AuthorName).HasMaxLength(Limits.Name);
        b.HasIndex(t => new { t.OrganizationId, t.ApprovedAt });
        b.HasIndex(t => new { t.LocationId, t.ApprovedAt });
        // Erasing the feedback (a person's data request) removes its publication too.
        b.HasOne<Otklik.Web.Features.Feedback.Feedback>().WithOne().HasForeignKey<Testimonial>(t => t.Id).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Location>().WithMany().HasForeignKey(t => t.LocationId).OnDelete(DeleteBehavior.Restrict);
    }
}
