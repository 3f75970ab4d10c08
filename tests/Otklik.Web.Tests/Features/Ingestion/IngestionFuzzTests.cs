using System.Globalization;
using System.Net;
using System.Text.Json;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using MQTTnet;
using Otklik.Web.Features.Ingestion;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Ingestion;

/// <summary>
/// Random and malformed bodies thrown at the HTTP endpoint and the MQTT topic: only 2xx/4xx (or a PUBACK with a reason),
/// never a 5xx or a dropped broker, and never a partial write — what is stored is exactly what was acknowledged.
/// </summary>
public abstract class IngestionFuzzTests(OtklikApp app)
{
    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.OneOfConst("\"green\"", "\"red\"", "\"Red\"", "\"blue\"", "null", "true", "[]", "{}", "\"\"", "0", "-1", "1e308", "\"00000000-0000-0000-0000-000000000000\""),
        Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture)),
        Gen.String.Select(s => JsonSerializer.Serialize(s)),
        Gen.Guid.Select(g => $"\"{g}\""),
        Gen.Int[-200, 200].Select(m => JsonSerializer.Serialize(DateTimeOffset.UtcNow.AddMinutes(m).ToString("O", CultureInfo.InvariantCulture))),
        Gen.Int[-200, 200].Select(m => JsonSerializer.Serialize(DateTime.UtcNow.AddMinutes(m).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))));

    private static readonly Gen<string> Key = Gen.OneOf(Gen.OneOfConst("id", "type", "at", "clockOffsetMs", "events", "ID"), Gen.String[0, 8]);

    /// <summary>An event-shaped object: mostly the right keys, with anything as values; sometimes a valid event.</summary>
    private static readonly Gen<string> EventObject = Gen.Frequency(
        (3, Gen.Select(Key, Value).Array[0, 6].Select(pairs => "{" + string.Join(',', pairs.Select(p => $"{JsonSerializer.Serialize(p.Item1)}:{p.Item2}")) + "}")),
        (2, Gen.Select(Gen.Guid, Gen.Bool, Gen.Int[-120, 3]).Select((id, red, minutes) => TestDevice.Event(id, red ? "red" : "green", DateTimeOffset.UtcNow.AddMinutes(minutes)))));

    private static readonly Gen<string> Body = Gen.Frequency(
        (4, EventObject),
        (4, EventObject.Array[0, 12].Select(events => "{\"events\":[" + string.Join(',', events) + "]}")),
        (1, Gen.String),
        (1, EventObject.Select(e => e[..(e.Length / 2)])),
        (1, Value),
        (1, EventObject.Array[1, 3].Select(e => "[" + string.Join(',', e) + "]")));

    /// <summary>The event ids in a body that was acknowledged (valid by definition).</summary>
    private static IEnumerable<Guid> IdsIn(string body) =>
        DeviceEventParser.Parse(System.Text.Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow).Events.Select(e => e.Id);

    [Fact]
    public async Task Http_RandomBodies_GetOnly202Or4xx_AndStoredEqualsAccepted()
    {
        var seed = await Seed.CreateAsync(app);
        var device = new TestDevice(app, seed.Device.Device.Id, seed.Device.Token);
        using var http = device.Http();
        var accepted = 0;
        var acceptedIds = new HashSet<Guid>();

        await Body.SampleAsync(async body =>
        {
            using var response = await http.PostAsync($"/api/v1/devices/{device.Id}/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            var code = (int)response.StatusCode;
            Assert.True(code is 202 or 400, $"{code} for {body}");
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted += (await response.ReadAsync<IngestResult>(HttpStatusCode.Accepted)).Accepted;
                acceptedIds.UnionWith(IdsIn(body));
            }
            else
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }, iter: 200, threads: 1);

        var stored = await app.WithDbAsync(db => db.ButtonPresses.Select(p => p.EventId).ToListAsync(), seed.Org.Id);
        Assert.Equal(accepted, stored.Count);
        Assert.Equal(acceptedIds.Order(), stored.Order());
        Assert.True(accepted > 0, "the generator should produce some valid events too");
    }

    [Fact]
    public async Task Mqtt_RandomPayloads_NeverBreakTheBroker_AndStoredEqualsAcknowledgedValidEvents()
    {
        var seed = await Seed.CreateAsync(app);
        var device = new TestDevice(app, seed.Device.Device.Id, seed.Device.Token);
        using var mqtt = await device.ConnectMqttAsync();
        var refused = 0;
        var acknowledgedIds = new HashSet<Guid>();

        await Body.SampleAsync(async body =>
        {
            var result = await TestDevice.PublishAsync(mqtt, device.Id, "events", body);
            Assert.True(result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.PayloadFormatInvalid, $"{result.ReasonCode} for {body}");
            if (result.IsSuccess) acknowledgedIds.UnionWith(IdsIn(body));
            else refused++;
            Assert.True(mqtt.IsConnected);
        }, iter: 150, threads: 1);

        // Every event of every acknowledged payload is stored, and nothing of a refused one.
        var stored = await app.WithDbAsync(db => db.ButtonPresses.Select(p => p.EventId).ToListAsync(), seed.Org.Id);
        Assert.True(refused > 0);
        Assert.NotEmpty(stored);
        Assert.Equal(acknowledgedIds.Order(), stored.Order());
    }
}

public sealed class IngestionFuzzSqliteTests(SqliteApp app) : IngestionFuzzTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class IngestionFuzzPostgresTests(PostgresApp app) : IngestionFuzzTests(app), IClassFixture<PostgresApp>;
