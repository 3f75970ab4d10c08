using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Alerts;

/// <summary>
/// Walks unacknowledged alerts up their location's escalation chain. Safe on many nodes: a node claims a step with a
/// conditional update on the alert's level, and only the node whose update changed the row writes the notifications.
/// </summary>
public sealed class EscalationWorker(IServiceScopeFactory scopes, IOptions<AlertOptions> options, TimeProvider time, DeliverySignal signal,
    ILogger<EscalationWorker> log, Otklik.Web.Features.Cluster.IClusterLease? lease = null) : PeriodicWorker(time, log, lease)
{
    protected override TimeSpan Interval => options.Value.EscalationInterval;

    protected override string FailureMessage => "Escalating alerts failed";

    protected override Task RunRoundAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>Escalates every alert that is due now; returns how many steps this node sent.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var raiser = scope.ServiceProvider.GetRequiredService<AlertRaiser>();

        var due = await db.Alerts.AsNoTracking()
            .Where(a => a.NextEscalationAt != null && a.NextEscalationAt <= now && a.AcknowledgedAt == null && a.ResolvedAt == null)
            .OrderBy(a => a.NextEscalationAt).Take(200).ToListAsync(ct);
        var sent = 0;
        foreach (var alert in due)
        {
            try
            {
                if (await EscalateAsync(db, raiser, alert, now, ct)) sent++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Escalating alert {Alert} failed", alert.Id);
            }
            db.ChangeTracker.Clear();
        }
        if (sent > 0) signal.Wake();
        return sent;
    }

    private static async Task<bool> EscalateAsync(OtklikDb db, AlertRaiser raiser, Alert alert, DateTimeOffset now, CancellationToken ct)
    {
        var chain = await db.AlertSettings.AsNoTracking().Where(s => s.LocationId == alert.LocationId)
            .Select(s => s.Escalation).FirstOrDefaultAsync(ct) ?? [];
        var level = alert.EscalationLevel;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (level >= chain.Count)
        {
            // The chain was shortened since: nothing more to do.
            await db.Alerts.Where(a => a.Id == alert.Id && a.EscalationLevel == level)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.NextEscalationAt, (DateTimeOffset?)null), ct);
            await tx.CommitAsync(ct);
            return false;
        }
        DateTimeOffset? next = level + 1 < chain.Count ? now.AddMinutes(chain[level + 1].DelayMinutes) : null;
        var claimed = await db.Alerts
            .Where(a => a.Id == alert.Id && a.EscalationLevel == level && a.AcknowledgedAt == null && a.ResolvedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.EscalationLevel, level + 1).SetProperty(a => a.NextEscalationAt, next), ct);
        if (claimed != 1)
        {
            await tx.RollbackAsync(ct);
            return false;
        }

        alert.EscalationLevel = level + 1;
        var step = chain[level];
        var fact = (await AlertRaiser.FactsAsync(db, [alert], ct))[alert.Id];
        if (step.UserId is { } userId)
        {
            var email = await db.Users.AsNoTracking().Where(u => u.Id == userId && u.OrganizationId == alert.OrganizationId)
                .Select(u => u.Email).FirstOrDefaultAsync(ct);
            if (email is not null)
                db.NotificationDeliveries.Add(raiser.Delivery(alert, fact, "alert.escalated", null, ChannelKind.Email, email, now));
        }
        if (step.ChannelId is { } channelId)
        {
            var channel = await db.NotificationChannels.AsNoTracking()
                .FirstOrDefaultAsync(c => c.Id == channelId && c.OrganizationId == alert.OrganizationId && c.Enabled, ct);
            if (channel is not null)
                db.NotificationDeliveries.Add(raiser.Delivery(alert, fact, "alert.escalated", channel.Id, channel.Kind, null, now));
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
