using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Live;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Cases;

/// <summary>
/// Raises one "case overdue" alert per open case past its deadline; from there the alert takes the location's channels and
/// escalation chain like a red press. A node claims a case with a conditional update, so many nodes raise it once.
/// </summary>
public sealed class CaseOverdueWorker(IServiceScopeFactory scopes, IOptions<AlertOptions> options, TimeProvider time, DeliverySignal signal,
    LiveNotifier live, ILogger<CaseOverdueWorker> log, Otklik.Web.Features.Cluster.IClusterLease? lease = null) : PeriodicWorker(time, log, lease)
{
    protected override TimeSpan Interval => options.Value.EscalationInterval;

    protected override string FailureMessage => "Raising overdue case alerts failed";

    protected override Task RunRoundAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>Raises alerts for every case overdue now; returns how many this node raised.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var raiser = scope.ServiceProvider.GetRequiredService<AlertRaiser>();
        var due = await db.Cases.AsNoTracking().Overdue(now).Where(c => c.OverdueAlertedAt == null).OrderBy(c => c.DueAt).Take(200).ToListAsync(ct);
        var raised = new List<Alert>();
        foreach (var c in due)
        {
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var claimed = await db.Cases.Where(x => x.Id == c.Id && x.OverdueAlertedAt == null && x.Version == c.Version)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.OverdueAlertedAt, now), ct);
                if (claimed != 1)
                {
                    await tx.RollbackAsync(ct);
                    continue;
                }
                // An earlier overdue alert of this case (before it was requalified) is done with.
                await db.Alerts.Where(a => a.OpenKey == CaseService.OverdueKey(c.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.OpenKey, (string?)null).SetProperty(a => a.ResolvedAt, now), ct);
                var alert = new Alert
                {
                    OrganizationId = c.OrganizationId, LocationId = c.LocationId, Kind = AlertKind.CaseOverdue, Title = "",
                    StaffMemberId = c.StaffMemberId, OpenKey = CaseService.OverdueKey(c.Id),
                };
                await raiser.AddAsync(db, [alert], now, ct, new Dictionary<Guid, string> { [alert.Id] = c.Summary });
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                raised.Add(alert);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Raising the overdue alert of case {Case} failed", c.Id);
            }
            db.ChangeTracker.Clear();
        }
        if (raised.Count > 0)
        {
            signal.Wake();
            await AlertPublisher.PublishRaisedAsync(db, live, raised, ct);
        }
        return raised.Count;
    }
}
