using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Live;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Alerts;

/// <summary>Open alerts and one-click acknowledgement for the current tenant (a location manager sees only their locations).</summary>
public sealed class AlertInbox(IDbContextFactory<OtklikDb> contexts, TenantContext tenant, LiveNotifier live, TimeProvider time) : IAlertInbox
{
    public async Task<IReadOnlyList<OpenAlert>> OpenAsync(Guid? locationId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Alerts.AsNoTracking().Where(a => a.AcknowledgedAt == null && a.ResolvedAt == null);
        if (locationId is { } l) query = query.Where(a => a.LocationId == l);
        var alerts = await query.OrderByDescending(a => a.RaisedAt).ThenByDescending(a => a.Id).Take(200).ToListAsync(ct);
        var facts = await AlertRaiser.FactsAsync(db, alerts, ct);
        return alerts.Select(a => new OpenAlert(a.Id, a.LocationId, a.Kind.ToString(), a.Title, facts[a.Id].Staff, facts[a.Id].Device, a.RaisedAt)).ToList();
    }

    public async Task<bool> AcknowledgeAsync(Guid alertId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await AcknowledgeAsync(db, tenant, live, time.GetUtcNow(), alertId, ct) is not null;
    }

    /// <summary>
    /// Acknowledges once: the conditional update lets exactly one of several clicks (or nodes) win; the others are no-ops.
    /// A red press or red share alert is handled once acknowledged; a device alert stays open until the device recovers.
    /// Returns the event published, or null when nothing changed.
    /// </summary>
    public static async Task<AlertAcknowledged?> AcknowledgeAsync(OtklikDb db, TenantContext tenant, LiveNotifier live, DateTimeOffset now, Guid alertId, CancellationToken ct)
    {
        var by = await WhoAsync(db, tenant, ct);
        var changed = await db.Alerts
            .Where(a => a.Id == alertId && a.AcknowledgedAt == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.AcknowledgedAt, now)
                .SetProperty(a => a.AcknowledgedBy, by)
                .SetProperty(a => a.AcknowledgedByUserId, tenant.UserId)
                .SetProperty(a => a.NextEscalationAt, (DateTimeOffset?)null)
                .SetProperty(a => a.ResolvedAt, a => a.Kind == AlertKind.RedPress || a.Kind == AlertKind.RedShare ? now : a.ResolvedAt)
                .SetProperty(a => a.OpenKey, a => a.Kind == AlertKind.RedPress || a.Kind == AlertKind.RedShare ? null : a.OpenKey), ct);
        if (changed == 0) return null;
        var alert = await db.Alerts.AsNoTracking().Where(a => a.Id == alertId).Select(a => new { a.OrganizationId, a.LocationId }).FirstAsync(ct);
        var acknowledged = new AlertAcknowledged(alert.OrganizationId, alert.LocationId, alertId, by, now);
        await live.PublishAsync(acknowledged);
        return acknowledged;
    }

    private static async Task<string?> WhoAsync(OtklikDb db, TenantContext tenant, CancellationToken ct)
    {
        if (tenant.UserId is { } userId)
            return await db.Users.AsNoTracking().Where(u => u.Id == userId && u.OrganizationId == tenant.OrganizationId)
                .Select(u => u.DisplayName ?? u.Email).FirstOrDefaultAsync(ct);
        if (tenant.ApiKeyId is { } keyId)
            return await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId).Select(k => k.Name).FirstOrDefaultAsync(ct);
        return null;
    }
}
