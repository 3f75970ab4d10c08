using System.Net;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Devices;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Devices;

public abstract class DevicesApiTests(OtklikApp app)
{
    [Fact]
    public async Task Create_ReturnsTheTokenOnce_AndStoresOnlyItsHash()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var created = await (await http.PostJsonAsync("/api/v1/devices", new { name = "Counter", kind = "VisitorCounter", locationId = seed.Location.Id }))
            .ReadAsync<DeviceWithToken>(HttpStatusCode.Created);
        var fetched = await (await http.GetAsync($"/api/v1/devices/{created.Device.Id}")).Content.ReadAsStringAsync();
        var stored = await app.WithDbAsync(db => db.Devices.SingleAsync(d => d.Id == created.Device.Id), seed.Org.Id);

        Assert.StartsWith(DevicesApi.TokenPrefix, created.Token, StringComparison.Ordinal);
        Assert.True(created.Token.Length >= 40);
        Assert.DoesNotContain(created.Token, fetched, StringComparison.Ordinal);
        Assert.Equal(Secrets.Hash(created.Token), stored.TokenHash);
        Assert.Equal(DeviceKind.VisitorCounter, stored.Kind);
    }

    [Fact]
    public async Task RotateToken_IssuesANewToken_AndForgetsTheOld()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var rotated = await (await http.PostAsync($"/api/v1/devices/{seed.Device.Device.Id}/token", null)).ReadAsync<DeviceWithToken>();
        var stored = await app.WithDbAsync(db => db.Devices.SingleAsync(d => d.Id == seed.Device.Device.Id), seed.Org.Id);

        Assert.NotEqual(seed.Device.Token, rotated.Token);
        Assert.Equal(Secrets.Hash(rotated.Token), stored.TokenHash);
    }

    [Fact]
    public async Task PairingCode_IsShortLived_AndStoredHashed()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var code = await (await http.PostAsync($"/api/v1/devices/{seed.OtherDevice.Device.Id}/pairing-code", null)).ReadAsync<PairingCodeDto>();
        var stored = await app.WithDbAsync(db => db.Devices.SingleAsync(d => d.Id == seed.OtherDevice.Device.Id), seed.Org.Id);

        Assert.Matches("^[A-Z2-9]{4}-[A-Z2-9]{4}$", code.Code);
        Assert.Equal(Secrets.Hash(code.Code), stored.PairingCodeHash);
        Assert.InRange(code.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(25), TimeSpan.FromMinutes(31));
    }

    [Fact]
    public async Task List_FiltersByLocationAndKind()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var atMain = await (await http.GetAsync($"/api/v1/devices?locationId={seed.Location.Id}")).ReadAsync<Page<DeviceDto>>();
        var starts = await (await http.GetAsync("/api/v1/devices?kind=ButtonStart")).ReadAsync<Page<DeviceDto>>();

        Assert.Equal([seed.Device.Device.Id], atMain.Items.Select(d => d.Id));
        Assert.Equal([seed.OtherDevice.Device.Id], starts.Items.Select(d => d.Id));
    }

    [Fact]
    public async Task Create_WithUnknownKindAndLocation_IsRefused_AndWritesNothing()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var badKind = await http.PostRawAsync("/api/v1/devices", $$"""{"name":"x","kind":"Toaster","locationId":"{{seed.Location.Id}}"}""");
        var badRefs = await http.PostJsonAsync("/api/v1/devices", new { name = "Button", kind = "ButtonSmart", locationId = Guid.NewGuid(), staffMemberId = Guid.NewGuid() });

        await badKind.AssertProblemAsync(HttpStatusCode.BadRequest);
        var fields = (await badRefs.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields();
        Assert.Equal(["locationid", "staffmemberid"], fields.Order(StringComparer.Ordinal));
        Assert.Equal(2, await app.WithDbAsync(db => db.Devices.CountAsync(), seed.Org.Id));
    }

    [Fact]
    public async Task AViewer_CanListDevices_ButNotCreateOrRotate()
    {
        var seed = await Seed.CreateAsync(app);
        using var viewer = app.WithKey(seed.ApiKey.Key);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/devices")).StatusCode);
        await (await viewer.PostJsonAsync("/api/v1/devices", new { name = "x", kind = "ButtonSmart", locationId = seed.Location.Id })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/api/v1/devices/{seed.Device.Device.Id}/token", null)).AssertProblemAsync(HttpStatusCode.Forbidden);
    }
}

public sealed class DevicesApiSqliteTests(SqliteApp app) : DevicesApiTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class DevicesApiPostgresTests(PostgresApp app) : DevicesApiTests(app), IClassFixture<PostgresApp>;
