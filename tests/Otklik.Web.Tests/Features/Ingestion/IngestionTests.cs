using System.Net;
using Microsoft.EntityFrameworkCore;
using MQTTnet;
using MQTTnet.Formatter;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Ingestion;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Ingestion;

public abstract class IngestionTests(OtklikApp app)
{
    private static TestDevice DeviceOf(OtklikApp app, Seed seed) => new(app, seed.Device.Device.Id, seed.Device.Token);

    private Task<List<ButtonPress>> PressesAsync(Seed seed) =>
        app.WithDbAsync(db => db.ButtonPresses.OrderBy(p => p.OccurredAt).ToListAsync(), seed.Org.Id);

    [Fact]
    public async Task HttpPress_IsStoredOnce_AttributedToTheDevicesLocationAndStaff()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        var id = Guid.NewGuid();

        var first = await (await device.PostAsync(TestDevice.Event(id, "red"))).ReadAsync<IngestResult>(HttpStatusCode.Accepted);
        var again = await (await device.PostAsync(TestDevice.Event(id, "red"))).ReadAsync<IngestResult>(HttpStatusCode.Accepted);

        Assert.Equal(new IngestResult(1, 0), first);
        Assert.Equal(new IngestResult(0, 1), again);
        var press = Assert.Single(await PressesAsync(seed));
        Assert.Equal((id, PressType.Red, seed.Location.Id, seed.Staff.Id, IngestChannel.Http), (press.EventId, press.Type, press.LocationId, press.StaffMemberId, press.Channel));
    }

    [Fact]
    public async Task APress_IsAttributedToTheEmployeeOnShift_WhenTheButtonHasNoOwner()
    {
        var seed = await Seed.CreateAsync(app);
        var device = new TestDevice(app, seed.OtherDevice.Device.Id, seed.OtherDevice.Token);
        // A shift of yesterday (never overlapping the seeded one of today), so both presses are in the past at any hour.
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)); // PostgreSQL keeps microseconds
        using var owner = seed.Org.Owner();
        (await owner.PostJsonAsync("/api/v1/shifts", new { staffMemberId = seed.OtherStaff.Id, locationId = seed.OtherLocation.Id, startsAt = now.AddHours(-30), endsAt = now.AddHours(-26) }))
            .EnsureSuccessStatusCode();
        var duringShift = now.AddHours(-28);
        var afterShift = now.AddHours(-25);

        (await device.PostAsync(TestDevice.Batch([TestDevice.Event(Guid.NewGuid(), "green", duringShift), TestDevice.Event(Guid.NewGuid(), "green", afterShift)])))
            .EnsureSuccessStatusCode();

        var presses = await app.WithDbAsync(db => db.ButtonPresses.Where(p => p.DeviceId == device.Id).ToListAsync(), seed.Org.Id);
        Assert.Equal(seed.OtherStaff.Id, presses.Single(p => p.OccurredAt == duringShift).StaffMemberId);
        Assert.Null(presses.Single(p => p.OccurredAt == afterShift).StaffMemberId);
    }

    [Fact]
    public async Task ABatch_WithDuplicatesInside_CountsEachIdOnce()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        var ids = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToList();
        var at = DateTimeOffset.UtcNow.AddMinutes(-30);
        var events = ids.Select((id, i) => TestDevice.Event(id, i % 3 == 0 ? "red" : "green", at.AddSeconds(i * 10))).ToList();

        var result = await (await device.PostAsync(TestDevice.Batch([.. events, .. events.Take(5)]))).ReadAsync<IngestResult>(HttpStatusCode.Accepted);

        Assert.Equal(new IngestResult(50, 5), result);
        Assert.Equal(ids.Order(), (await PressesAsync(seed)).Select(p => p.EventId).Order());
    }

    [Fact]
    public async Task RepeatedPresses_WithinTheWindow_AreKeptButSuppressed()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        // A child hammers red: 10 presses 0.5 s apart, then a real press 20 s later.
        var hammer = Enumerable.Range(0, 10).Select(i => TestDevice.Event(Guid.NewGuid(), "red", at.AddMilliseconds(i * 500)));
        (await device.PostAsync(TestDevice.Batch(hammer))).EnsureSuccessStatusCode();
        (await device.PostAsync(TestDevice.Event(Guid.NewGuid(), "green", at.AddSeconds(25)))).EnsureSuccessStatusCode();

        var presses = await PressesAsync(seed);

        Assert.Equal(11, presses.Count);
        Assert.Equal([false, .. Enumerable.Repeat(true, 9), false], presses.Select(p => p.Suppressed));
    }

    [Fact]
    public async Task BadEvents_Get400NamingEachOne_AndNothingOfTheRequestIsStored()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        var good = TestDevice.Event(Guid.NewGuid(), "green");

        var response = await device.PostAsync(TestDevice.Batch([good, """{"id":"nope","type":"purple","at":"2026-01-01"}""", good, TestDevice.Event(Guid.NewGuid(), "red", DateTimeOffset.UtcNow.AddDays(2))]));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["events[1].at", "events[1].id", "events[1].type", "events[3].at"], problem.ErrorFields().Order(StringComparer.Ordinal));
        Assert.Empty(await PressesAsync(seed));
    }

    [Fact]
    public async Task WrongTokens_AnotherDevicesId_AndOversizeBodies_AreRefused()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        var wrongToken = new TestDevice(app, device.Id, "otd_wrong");
        var otherDevicesToken = new TestDevice(app, seed.OtherDevice.Device.Id, seed.Device.Token);
        using var noAuth = app.Anonymous();

        await (await wrongToken.PostAsync(TestDevice.Event(Guid.NewGuid(), "red"))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await otherDevicesToken.PostAsync(TestDevice.Event(Guid.NewGuid(), "red"))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await noAuth.PostAsync($"/api/v1/devices/{device.Id}/events", new StringContent(TestDevice.Event(Guid.NewGuid(), "red")))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await device.PostAsync("{\"events\":[" + new string(' ', 600_000) + "]}")).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(await PressesAsync(seed));
    }

    [Fact]
    public async Task MqttPress_IsStored_AndTheSameIdOverHttpIsADuplicate()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        var id = Guid.NewGuid();
        using var mqtt = await device.ConnectMqttAsync();

        var puback = await TestDevice.PublishAsync(mqtt, device.Id, "events", TestDevice.Event(id, "green"));
        var overHttp = await (await device.PostAsync(TestDevice.Event(id, "green"))).ReadAsync<IngestResult>(HttpStatusCode.Accepted);
        var againOverMqtt = await TestDevice.PublishAsync(mqtt, device.Id, "events", TestDevice.Event(id, "green"));

        Assert.True(puback.IsSuccess, puback.ReasonCode.ToString());
        Assert.True(againOverMqtt.IsSuccess);
        Assert.Equal(new IngestResult(0, 1), overHttp);
        var press = Assert.Single(await PressesAsync(seed));
        Assert.Equal((id, IngestChannel.Mqtt), (press.EventId, press.Channel));
    }

    [Fact]
    public async Task Mqtt_PubAckComesOnlyAfterTheEventIsStored()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        using var mqtt = await device.ConnectMqttAsync(version: MqttProtocolVersion.V311);
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();

        foreach (var id in ids)
        {
            var ack = await TestDevice.PublishAsync(mqtt, device.Id, "events", TestDevice.Event(id, "green"));
            Assert.True(ack.IsSuccess);
            // Checked right after each PUBACK, before anything else happens.
            Assert.True(await app.WithDbAsync(db => db.ButtonPresses.AnyAsync(p => p.EventId == id)), $"Acknowledged {id} is not stored");
        }
    }

    [Fact]
    public async Task Mqtt_BadCredentials_AreRefusedAtConnect()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);

        var (c1, wrongPassword) = await device.TryConnectMqttAsync(password: "otd_wrong");
        var (c2, wrongId) = await new TestDevice(app, seed.OtherDevice.Device.Id, seed.Device.Token).TryConnectMqttAsync();
        var (c3, right) = await device.TryConnectMqttAsync();
        using (c1) using (c2) using (c3)
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, wrongPassword.ResultCode);
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, wrongId.ResultCode);
            Assert.False(c1.IsConnected);
            Assert.Equal(MqttClientConnectResultCode.Success, right.ResultCode);
        }
    }

    [Fact]
    public async Task Mqtt_PublishingToAnotherDevicesTopic_IsRefused_AndStoresNothing()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        using var mqtt = await device.ConnectMqttAsync();

        var result = await TestDevice.PublishAsync(mqtt, seed.OtherDevice.Device.Id, "events", TestDevice.Event(Guid.NewGuid(), "red"));

        Assert.False(result.IsSuccess);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        Assert.Empty(await PressesAsync(seed));
    }

    [Fact]
    public async Task Mqtt311_PublishingToAnotherDevicesTopic_ClosesTheConnection_WithoutAPubAck()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        using var mqtt = await device.ConnectMqttAsync(version: MqttProtocolVersion.V311);

        await Assert.ThrowsAnyAsync<Exception>(() => TestDevice.PublishAsync(mqtt, seed.OtherDevice.Device.Id, "events", TestDevice.Event(Guid.NewGuid(), "red")));

        Assert.False(mqtt.IsConnected);
        Assert.Empty(await PressesAsync(seed));
    }

    [Fact]
    public async Task Mqtt_BadPayload_IsRefusedWithPayloadFormatInvalid()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        using var mqtt = await device.ConnectMqttAsync();

        var result = await TestDevice.PublishAsync(mqtt, device.Id, "events", """{"id":"x","type":"blue"}""");

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, result.ReasonCode);
        Assert.Empty(await PressesAsync(seed));
    }

    [Fact]
    public async Task Mqtt_StatusAndHttpHeartbeat_UpdateTheDeviceList()
    {
        var seed = await Seed.CreateAsync(app);
        var device = DeviceOf(app, seed);
        using var mqtt = await device.ConnectMqttAsync();
        var config = new TaskCompletionSource<string>();
        mqtt.ApplicationMessageReceivedAsync += e => { config.TrySetResult(e.ApplicationMessage.ConvertPayloadToString()); return Task.CompletedTask; };
        await mqtt.SubscribeAsync($"otklik/devices/{device.Id}/config");

        Assert.True((await TestDevice.PublishAsync(mqtt, device.Id, "status", """{"battery":42,"signal":77,"firmware":"btn/2.1"}""")).IsSuccess);
        var afterStatus = await app.WithDbAsync(db => db.Devices.SingleAsync(d => d.Id == device.Id), seed.Org.Id);
        using var http = new TestDevice(app, seed.OtherDevice.Device.Id, seed.OtherDevice.Token).Http();
        var heartbeat = await http.PostJsonAsync($"/api/v1/devices/{seed.OtherDevice.Device.Id}/heartbeat", new { firmware = "otklik-bridge/1.0", queueLength = 12, clockOffsetMs = -1500 });
        var bridge = await app.WithDbAsync(db => db.Devices.SingleAsync(d => d.Id == seed.OtherDevice.Device.Id), seed.Org.Id);

        Assert.Equal((42, 77, "btn/2.1"), (afterStatus.BatteryPercent, afterStatus.SignalPercent, afterStatus.Firmware));
        Assert.NotNull(afterStatus.LastSeenAt);
        Assert.Contains("suppressWindowSeconds", await config.Task.WaitAsync(TimeSpan.FromSeconds(10)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, heartbeat.StatusCode);
        Assert.Equal(("otklik-bridge/1.0", 12, -1500L), (bridge.Firmware, bridge.QueueLength, bridge.ClockOffsetMs));
    }

    [Fact]
    public async Task Pairing_TradesTheCodeForNewCredentials_Once()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var code = await (await owner.PostAsync($"/api/v1/devices/{seed.OtherDevice.Device.Id}/pairing-code", null)).ReadAsync<Otklik.Web.Features.Devices.PairingCodeDto>();
        using var bridge = app.Anonymous();

        var paired = await (await bridge.PostJsonAsync("/api/v1/devices/pair", new { code = code.Code.ToLowerInvariant() })).ReadAsync<PairedDevice>();
        var reused = await bridge.PostJsonAsync("/api/v1/devices/pair", new { code = code.Code });
        var press = await new TestDevice(app, paired.DeviceId, paired.Token).PostAsync(TestDevice.Event(Guid.NewGuid(), "green"));
        var oldToken = await new TestDevice(app, seed.OtherDevice.Device.Id, seed.OtherDevice.Token).PostAsync(TestDevice.Event(Guid.NewGuid(), "green"));

        Assert.Equal(seed.OtherDevice.Device.Id, paired.DeviceId);
        await reused.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Accepted, press.StatusCode);
        await oldToken.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}

public sealed class IngestionSqliteTests(SqliteApp app) : IngestionTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class IngestionPostgresTests(PostgresApp app) : IngestionTests(app), IClassFixture<PostgresApp>;
