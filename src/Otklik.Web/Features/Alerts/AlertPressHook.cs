using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Ingestion;
using Otklik.Web.Features.Live;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Alerts;

/// <summary>
/// A counted red press raises an alert in the transaction that stores the press: it exists exactly when the press does,
/// on whichever node took it, and its outbox rows are as durable as the press.
/// </summary>
public sealed class AlertPressHook(AlertRaiser raiser, TimeProvider time) : IPressCommitHook
{
    public async Task OnPressesAsync(OtklikDb db, IReadOnlyList<ButtonPress> stored, CancellationToken ct)
    {
        var red = stored.Where(p => p.Type == PressType.Red && !p.Suppressed).ToList();
        if (red.Count == 0) return;
        var locationIds = red.Select(p => p.LocationId).Distinct().ToList();
        var disabled = await db.AlertSettings.IgnoreQueryFilters().AsNoTracking()
            .Where(s => locationIds.Contains(s.LocationId) && !s.RedPressEnabled).Select(s => s.LocationId).ToListAsync(ct);
        var alerts = red.Where(p => !disabled.Contains(p.LocationId)).Select(p => new Alert
        {
            OrganizationId = p.OrganizationId, LocationId = p.LocationId, Kind = AlertKind.RedPress, Title = "",
            DeviceId = p.DeviceId, PressId = p.Id, StaffMemberId = p.StaffMemberId,
        }).ToList();
        if (alerts.Count == 0) return;
        await raiser.AddAsync(db, alerts, time.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
    }
}

/// <summary>
/// After presses commit, tells live screens about the alerts they raised and wakes the delivery worker, so a red press
/// reaches people within a second rather than at the next poll.
/// </summary>
public sealed class AlertPublisher(IServiceScopeFactory scopes, LiveNotifier live, DeliverySignal signal, ILogger<AlertPublisher> log) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = live.OnPresses(OnPressesAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private async Task OnPressesAsync(IReadOnlyList<PressRecorded> presses)
    {
        // The node that stored the presses publishes their alerts (once for the cluster).
        if (LiveNotifier.IsFromPeer) return;
        var red = presses.Where(p => p.Type == PressType.Red && !p.Suppressed).Select(p => p.PressId).ToList();
        if (red.Count == 0) return;
        signal.Wake();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
            var alerts = await db.Alerts.AsNoTracking().Where(a => a.PressId != null && red.Contains(a.PressId.Value)).ToListAsync();
            await PublishRaisedAsync(db, live, alerts, CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Publishing raised alerts failed");
        }
    }

    public static async Task PublishRaisedAsync(OtklikDb db, LiveNotifier live, IReadOnlyCollection<Alert> alerts, CancellationToken ct)
    {
        if (alerts.Count == 0) return;
        var facts = await AlertRaiser.FactsAsync(db, alerts, ct);
        foreach (var alert in alerts) await live.PublishAsync(AlertRaiser.ToRaised(alert, facts[alert.Id]));
    }
}

/// <summary>Wakes the delivery worker when there is new work, instead of waiting for its next poll.</summary>
public sealed class DeliverySignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { }
    }

    public Task WaitAsync(CancellationToken ct) => _signal.WaitAsync(ct);
}
