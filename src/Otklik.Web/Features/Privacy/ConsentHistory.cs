using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Otklik.Web.Data;
using Otklik.Web.Features.Organizations;

namespace Otklik.Web.Features.Privacy;

/// <summary>
/// Keeps every consent text an organization has used: whichever page or endpoint raises the version, the new text is
/// written in the same SaveChanges. A version without a row is Otklik's default text.
/// </summary>
public static class ConsentHistory
{
    public static void Capture(ChangeTracker tracker)
    {
        var added = new List<ConsentTextVersion>();
        foreach (var e in tracker.Entries<Organization>())
        {
            if (e.State != EntityState.Modified) continue;
            var version = e.Property(o => o.FeedbackConsentVersion);
            if (Equals(version.OriginalValue, version.CurrentValue)) continue;
            added.Add(new ConsentTextVersion
            {
                OrganizationId = e.Entity.Id, Version = e.Entity.FeedbackConsentVersion, Text = e.Entity.FeedbackConsentText, CreatedAt = DateTimeOffset.UtcNow,
            });
        }
        foreach (var row in added) tracker.Context.Add(row);
    }

    /// <summary>The versions of the organization's consent text, newest first; version 0 (the default) included when no row names it.</summary>
    public static async Task<List<ConsentTextVersion>> VersionsAsync(OtklikDb db, CancellationToken ct)
    {
        var rows = await db.ConsentTextVersions.AsNoTracking().OrderByDescending(v => v.Version).ToListAsync(ct);
        if (!rows.Any(r => r.Version == 0))
        {
            var created = await db.Organizations.AsNoTracking().Select(o => (DateTimeOffset?)o.CreatedAt).FirstOrDefaultAsync(ct);
            if (created is { } at) rows.Add(new ConsentTextVersion { OrganizationId = db.Tenant.OrganizationId, Version = 0, Text = null, CreatedAt = at });
        }
        return rows;
    }
}
