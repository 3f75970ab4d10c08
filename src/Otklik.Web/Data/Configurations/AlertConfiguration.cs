using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Locations;

namespace Otklik.Web.Data.Configurations;

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> b)
    {
        b.Property(a => a.Kind).HasConversion<string>().HasMaxLength(32);
        b.Property(a => a.Title).HasMaxLength(Limits.Text);
        b.Property(a => a.AcknowledgedBy).HasMaxLength(Limits.Name);
        b.Property(a => a.OpenKey).HasMaxLength(100);
        // A press raises at most one alert; a condition has at most one unresolved alert per location (NULLs never collide).
        b.HasIndex(a => a.PressId).IsUnique();
        b.HasIndex(a => a.FeedbackId).IsUnique();
        b.HasIndex(a => new { a.LocationId, a.OpenKey }).IsUnique();
        b.HasIndex(a => new { a.OrganizationId, a.LocationId, a.RaisedAt });
        b.HasIndex(a => a.NextEscalationAt);
        b.HasOne<Location>().WithMany().HasForeignKey(a => a.LocationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<ButtonPress>().WithMany().HasForeignKey(a => a.PressId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Otklik.Web.Features.Feedback.Feedback>().WithMany().HasForeignKey(a => a.FeedbackId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AlertSettingsConfiguration : IEntityTypeConfiguration<AlertSettings>
{
    public void Configure(EntityTypeBuilder<AlertSettings> b)
    {
        b.HasKey(s => s.LocationId);
        b.HasOne<Location>().WithOne().HasForeignKey<AlertSettings>(s => s.LocationId).OnDelete(DeleteBehavior.Cascade);
        // Edited as a whole, a JSON text column on both providers.
        b.Property(s => s.Escalation)
            .HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                v => JsonSerializer.Deserialize<List<EscalationStep>>(v, JsonSerializerOptions.Default) ?? new List<EscalationStep>())
            .Metadata.SetValueComparer(new ValueComparer<List<EscalationStep>>(
                (a, c) => a!.SequenceEqual(c!),
                v => v.Aggregate(0, (h, x) => HashCode.Combine(h, x.GetHashCode())),
                v => v.ToList()));
    }
}

internal sealed class NotificationChannelConfiguration : IEntityTypeConfiguration<NotificationChannel>
{
    public void Configure(EntityTypeBuilder<NotificationChannel> b)
    {
        b.Property(c => c.Name).HasMaxLength(Limits.Name);
        b.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.Target).HasMaxLength(Limits.Url);
        b.Property(c => c.Secret).HasMaxLength(Limits.Text);
        b.HasIndex(c => new { c.OrganizationId, c.LocationId });
        b.HasOne<Location>().WithMany().HasForeignKey(c => c.LocationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> b)
    {
        b.Property(d => d.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(d => d.Address).HasMaxLength(Limits.Email);
        b.Property(d => d.Event).HasMaxLength(32);
        b.Property(d => d.Subject).HasMaxLength(Limits.Text);
        b.Property(d => d.LastError).HasMaxLength(Limits.Text);
        b.HasIndex(d => new { d.Status, d.NextAttemptAt });
        b.HasIndex(d => d.AlertId);
        b.HasIndex(d => new { d.LocationId, d.CreatedAt });
        b.HasOne<Location>().WithMany().HasForeignKey(d => d.LocationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Alert>().WithMany().HasForeignKey(d => d.AlertId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<NotificationChannel>().WithMany().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class DeliveryAttemptConfiguration : IEntityTypeConfiguration<DeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<DeliveryAttempt> b)
    {
        b.Property(a => a.Error).HasMaxLength(Limits.Text);
        b.HasIndex(a => a.DeliveryId);
        b.HasOne<NotificationDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}
