using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.ApiKeys;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Users;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Security;

/// <summary>
/// One line of the audit log: who did or saw what, when. Append-only: the DbContext refuses to change or delete a line.
/// It names people and things by id; the page resolves names when it shows them, so an erased person's data is not
/// copied here.
/// </summary>
public sealed class AuditEntry : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>The signed-in user who acted, if any.</summary>
    public Guid? UserId { get; set; }
    /// <summary>The API key that acted, if any.</summary>
    public Guid? ApiKeyId { get; set; }
    /// <summary>A dotted name, see <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }
    public string? TargetType { get; set; }
    public Guid? TargetId { get; set; }
    /// <summary>A short, non-personal description (e.g. "role: Viewer → CxManager").</summary>
    public string? Detail { get; set; }
    /// <summary>The client's address, for sign-ins.</summary>
    public string? Address { get; set; }
}

public static class AuditActions
{
    public const string SignIn = "sign-in";
    public const string SignInFailed = "sign-in.failed";
    public const string LockedOut = "sign-in.locked-out";
    public const string SignOut = "sign-out";
    public const string SignOutEverywhere = "sign-out.everywhere";
    public const string UserCreated = "user.created";
    public const string UserChanged = "user.changed";
    public const string UserDeleted = "user.deleted";
    public const string PasswordChanged = "user.password-changed";
    public const string ScopeChanged = "user.scope-changed";
    public const string ApiKeyCreated = "api-key.created";
    public const string ApiKeyRevoked = "api-key.revoked";
    public const string ApiKeyUsed = "api-key.used";
    public const string ChannelCreated = "notification-channel.created";
    public const string ChannelDeleted = "notification-channel.deleted";
    public const string OrganizationChanged = "organization.changed";
    public const string ContactViewed = "contact.viewed";
    /// <summary>Where someone's digest goes (with their numbers and customers' complaints) was set or changed.</summary>
    public const string DigestAddressChanged = "digest.address-changed";

    public static readonly string[] All =
    [
        SignIn, SignInFailed, LockedOut, SignOut, SignOutEverywhere, UserCreated, UserChanged, UserDeleted, PasswordChanged, ScopeChanged,
        ApiKeyCreated, ApiKeyRevoked, ApiKeyUsed, ChannelCreated, ChannelDeleted, OrganizationChanged, ContactViewed, DigestAddressChanged,
        Privacy.PrivacyAudit.Viewed, Privacy.PrivacyAudit.Exported, Privacy.PrivacyAudit.Erased, Privacy.PrivacyAudit.RetentionApplied,
        Privacy.PrivacyAudit.RetentionChanged,
    ];
}

/// <summary>
/// Writes audit lines for changes to access-relevant rows as part of the same SaveChanges (so a change and its audit line
/// are committed together or not at all), whichever page or endpoint made the change.
/// </summary>
public static class AuditTrail
{
    /// <summary>Adds an explicit line (e.g. a sign-out) to be saved with the next SaveChanges.</summary>
    public static void Record(this OtklikDb db, string action, string? targetType = null, Guid? targetId = null, string? detail = null) =>
        db.Add(new AuditEntry
        {
            OrganizationId = db.Tenant.OrganizationId, At = DateTimeOffset.UtcNow, UserId = db.Tenant.UserId, ApiKeyId = db.Tenant.ApiKeyId,
            Action = action, TargetType = targetType, TargetId = targetId, Detail = detail,
        });

    /// <summary>Called by the DbContext before it saves.</summary>
    public static void Capture(ChangeTracker tracker, TenantContext tenant)
    {
        var lines = new List<AuditEntry>();
        foreach (var e in tracker.Entries())
        {
            if (e.Entity is AuditEntry)
            {
                if (e.State is EntityState.Modified or EntityState.Deleted)
                    throw new InvalidOperationException("The audit log is append-only.");
                continue;
            }
            if (e.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            var line = e.Entity switch
            {
                AppUser u => UserLine(e, u),
                AccessScope s => Line(AuditActions.ScopeChanged, "user", s.UserId ?? s.ApiKeyId, s.OrganizationId, null),
                ApiKey k when e.State == EntityState.Added => Line(AuditActions.ApiKeyCreated, "api-key", k.Id, k.OrganizationId, $"role: {k.Role}"),
                ApiKey k when Changed(e, nameof(ApiKey.RevokedAt)) && k.RevokedAt is not null => Line(AuditActions.ApiKeyRevoked, "api-key", k.Id, k.OrganizationId, null),
                ApiKey k when e.State == EntityState.Deleted => Line(AuditActions.ApiKeyRevoked, "api-key", k.Id, k.OrganizationId, null),
                NotificationChannel c when e.State == EntityState.Added => Line(AuditActions.ChannelCreated, "notification-channel", c.Id, c.OrganizationId, c.Kind.ToString()),
                NotificationChannel c when e.State == EntityState.Deleted => Line(AuditActions.ChannelDeleted, "notification-channel", c.Id, c.OrganizationId, c.Kind.ToString()),
                Organization o when e.State == EntityState.Modified => Line(AuditActions.OrganizationChanged, "organization", o.Id, o.Id, ChangedNames(e)),
                Digests.DigestSubscription d when (e.State == EntityState.Added && d.Email is not null) || Changed(e, nameof(Digests.DigestSubscription.Email)) =>
                    Line(AuditActions.DigestAddressChanged, "user", d.UserId, d.OrganizationId, d.Email is null ? "account e-mail" : "another address"),
                _ => null,
            };
            if (line is null) continue;
            // Scope rows come and go in sets; one line per target is enough.
            if (line.Action == AuditActions.ScopeChanged && lines.Any(l => l.Action == line.Action && l.TargetId == line.TargetId)) continue;
            line.UserId = tenant.UserId;
            line.ApiKeyId = tenant.ApiKeyId;
            if (line.OrganizationId == Guid.Empty) line.OrganizationId = tenant.OrganizationId; // a new row is stamped with its tenant after this
            lines.Add(line);
        }
        foreach (var line in lines) tracker.Context.Add(line);
    }

    private static AuditEntry? UserLine(EntityEntry e, AppUser u)
    {
        if (e.State == EntityState.Added) return Line(AuditActions.UserCreated, "user", u.Id, u.OrganizationId, $"role: {u.Role}");
        if (e.State == EntityState.Deleted) return Line(AuditActions.UserDeleted, "user", u.Id, u.OrganizationId, null);
        if (Changed(e, nameof(AppUser.PasswordHash))) return Line(AuditActions.PasswordChanged, "user", u.Id, u.OrganizationId, null);
        if (Changed(e, nameof(AppUser.Role)))
            return Line(AuditActions.UserChanged, "user", u.Id, u.OrganizationId, $"role: {e.Property(nameof(AppUser.Role)).OriginalValue} → {u.Role}");
        if (Changed(e, nameof(AppUser.Email))) return Line(AuditActions.UserChanged, "user", u.Id, u.OrganizationId, "e-mail");
        // Counters, stamps and lockout are recorded by the sign-in itself.
        return null;
    }

    private static bool Changed(EntityEntry e, string property) =>
        e.State == EntityState.Modified && e.Property(property) is { IsModified: true } p && !Equals(p.OriginalValue, p.CurrentValue);

    private static string ChangedNames(EntityEntry e) =>
        string.Join(", ", e.Properties.Where(p => p.IsModified && !Equals(p.OriginalValue, p.CurrentValue)).Select(p => p.Metadata.Name));

    private static AuditEntry Line(string action, string type, Guid? id, Guid org, string? detail) => new()
    {
        OrganizationId = org, At = DateTimeOffset.UtcNow, Action = action, TargetType = type, TargetId = id, Detail = detail,
    };
}
