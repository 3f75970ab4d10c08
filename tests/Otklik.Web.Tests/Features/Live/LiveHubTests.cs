using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using Otklik.Web.Features.Live;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Live;

public abstract class LiveHubTests(OtklikApp app)
{
    private async Task<(HubConnection Hub, ConcurrentQueue<PressRecorded> Presses)> ConnectAsync(string apiKey)
    {
        var presses = new ConcurrentQueue<PressRecorded>();
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseAddress, LiveHub.Path), o => o.Headers["X-Api-Key"] = apiKey)
            .Build();
        hub.On<List<PressRecorded>>("presses", batch => { foreach (var p in batch) presses.Enqueue(p); });
        await hub.StartAsync();
        return (hub, presses);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!condition()) await Task.Delay(20, timeout.Token);
    }

    [Fact]
    public async Task HubClients_ReceiveOnlyTheirOwnOrganizationsAndLocationsPresses()
    {
        var a = await Seed.CreateAsync(app);
        var b = await Seed.CreateAsync(app);
        var managerOfA = await app.NewApiKeyAsync(a.Org.Id, OtklikRole.LocationManager, a.Location.Id);
        var (hubA, pressesA) = await ConnectAsync(a.Org.OwnerKey);
        var (hubB, pressesB) = await ConnectAsync(b.Org.OwnerKey);
        var (hubManager, pressesManager) = await ConnectAsync(managerOfA);
        await using var _ = hubA;
        await using var __ = hubB;
        await using var ___ = hubManager;

        // A press at each of A's locations, then one at B.
        (await new TestDevice(app, a.Device.Device.Id, a.Device.Token).PostAsync(TestDevice.Event(Guid.NewGuid(), "red"))).EnsureSuccessStatusCode();
        (await new TestDevice(app, a.OtherDevice.Device.Id, a.OtherDevice.Token).PostAsync(TestDevice.Event(Guid.NewGuid(), "green"))).EnsureSuccessStatusCode();
        (await new TestDevice(app, b.Device.Device.Id, b.Device.Token).PostAsync(TestDevice.Event(Guid.NewGuid(), "green"))).EnsureSuccessStatusCode();
        await WaitForAsync(() => pressesA.Count >= 2 && !pressesB.IsEmpty && !pressesManager.IsEmpty);
        // B's own press arrived after A's were published, so anything of A's meant for B would be there by now.

        Assert.Equal([a.Device.Device.Id, a.OtherDevice.Device.Id], pressesA.Select(p => p.DeviceId).Order());
        Assert.All(pressesB, p => Assert.Equal(b.Org.Id, p.OrganizationId));
        Assert.All(pressesManager, p => Assert.Equal(a.Location.Id, p.LocationId));
    }

    [Fact]
    public async Task Hub_RefusesAnonymousClients()
    {
        var hub = new HubConnectionBuilder().WithUrl(new Uri(app.BaseAddress, LiveHub.Path)).Build();
        await using var _ = hub;
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
    }
}

public sealed class LiveHubSqliteTests(SqliteApp app) : LiveHubTests(app), IClassFixture<SqliteApp>;
