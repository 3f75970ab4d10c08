using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Live;

/// <summary>
/// Live events for clients outside Blazor (wall screens, integrations, benchmarks): <c>/hubs/live</c>.
/// A member of an organization receives its events; a location manager only those of their locations.
/// Messages: <c>presses</c>, <c>deviceSeen</c>, <c>alertRaised</c>, <c>alertAcknowledged</c>.
/// </summary>
[Authorize(Policy = Policies.Read)]
public sealed class LiveHub(TenantResolver resolver, TenantContext tenant) : Hub
{
    public const string Path = "/hubs/live";

    public static string OrganizationGroup(Guid org) => $"org:{org}";
    public static string LocationGroup(Guid location) => $"loc:{location}";

    public override async Task OnConnectedAsync()
    {
        await resolver.ApplyAsync(Context.User!, Context.ConnectionAborted);
        if (!tenant.IsSet)
        {
            Context.Abort();
            return;
        }
        if (tenant.LocationScope is null)
            await Groups.AddToGroupAsync(Context.ConnectionId, OrganizationGroup(tenant.OrganizationId), Context.ConnectionAborted);
        else
            foreach (var location in tenant.LocationScope)
                await Groups.AddToGroupAsync(Context.ConnectionId, LocationGroup(location), Context.ConnectionAborted);
        await base.OnConnectedAsync();
    }
}

/// <summary>Forwards this node's live events to the hub's groups (with a backplane, to clients on every node).</summary>
public sealed class LiveHubForwarder(LiveNotifier live, IHubContext<LiveHub> hub) : IHostedService
{
    private readonly List<IDisposable> _subscriptions = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Events relayed from other nodes are already on the SignalR backplane (sent by their own node).
        _subscriptions.Add(live.OnPresses(async presses =>
        {
            if (LiveNotifier.IsFromPeer) return;
            foreach (var group in presses.GroupBy(p => (p.OrganizationId, p.LocationId)))
                await Clients(group.Key.OrganizationId, group.Key.LocationId).SendAsync("presses", group.ToList(), CancellationToken.None);
        }));
        _subscriptions.Add(live.OnDeviceSeen(e => LiveNotifier.IsFromPeer ? Task.CompletedTask : Clients(e.OrganizationId, e.LocationId).SendAsync("deviceSeen", e, CancellationToken.None)));
        _subscriptions.Add(live.OnAlertRaised(e => LiveNotifier.IsFromPeer ? Task.CompletedTask : Clients(e.OrganizationId, e.LocationId).SendAsync("alertRaised", e, CancellationToken.None)));
        _subscriptions.Add(live.OnAlertAcknowledged(e => LiveNotifier.IsFromPeer ? Task.CompletedTask : Clients(e.OrganizationId, e.LocationId).SendAsync("alertAcknowledged", e, CancellationToken.None)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var s in _subscriptions) s.Dispose();
        _subscriptions.Clear();
        return Task.CompletedTask;
    }

    private IClientProxy Clients(Guid org, Guid location) =>
        hub.Clients.Groups(LiveHub.OrganizationGroup(org), LiveHub.LocationGroup(location));
}
