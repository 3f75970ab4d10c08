using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Protocol;
using Npgsql;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Locations;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Durability;

/// <summary>
/// The promise: an acknowledged press (HTTP 202 or MQTT PUBACK) survives a crash a moment later, and is stored once.
/// Otklik runs as its own process; devices press over HTTP and MQTT; the process is SIGKILLed mid-stream and restarted;
/// every acknowledged id must be in the database exactly once.
/// </summary>
public abstract class CrashDurabilityTests
{
    protected abstract Task<(OtklikProcess Process, Func<Task<List<Guid>>> StoredEventIds)> StartAsync();

    [Fact]
    public async Task AcknowledgedPresses_SurviveSigkill_AndAreStoredOnce()
    {
        var (otklik, stored) = await StartAsync();
        await using var _ = otklik;
        var devices = await CreateDevicesAsync(otklik, 4);
        var acknowledged = new ConcurrentBag<Guid>();
        var sent = new ConcurrentDictionary<Guid, (DeviceWithToken Device, string Body)>();

        // Stream presses until well past the kill, from HTTP and MQTT devices at once.
        using var stop = new CancellationTokenSource();
        var streams = devices.Select((d, i) => i % 2 == 0
            ? HttpStreamAsync(otklik, d, acknowledged, sent, stop.Token)
            : MqttStreamAsync(otklik, d, acknowledged, sent, stop.Token)).ToList();
        while (acknowledged.Count < 300) await Task.Delay(20);
        await otklik.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(streams);
        var ackedBeforeKill = acknowledged.ToHashSet();

        await otklik.StartAsync();
        // Devices send again what was never acknowledged (as real devices retry), and the acknowledged ones again too.
        using (var http = otklik.Client(null))
            foreach (var (id, (device, body)) in sent)
                await SendAsync(http, device, body);

        var ids = await stored();
        Assert.True(ackedBeforeKill.Count >= 300);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var missing = ackedBeforeKill.Except(ids).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged presses were lost in the crash");
        Assert.Equal(sent.Keys.Order(), ids.Order());
    }

    private static async Task<List<DeviceWithToken>> CreateDevicesAsync(OtklikProcess otklik, int count)
    {
        using var http = otklik.Client();
        var location = await (await http.PostAsJsonAsync("/api/v1/locations", new { name = "Crash test " + Guid.NewGuid().ToString("N")[..6] }, HttpAssertions.Json))
            .ReadAsync<LocationDto>(HttpStatusCode.Created);
        var devices = new List<DeviceWithToken>();
        for (var i = 0; i < count; i++)
            devices.Add(await (await http.PostAsJsonAsync("/api/v1/devices", new { name = $"Button {i}", kind = "ButtonSmart", locationId = location.Id }, HttpAssertions.Json))
                .ReadAsync<DeviceWithToken>(HttpStatusCode.Created));
        return devices;
    }

    private static string NewEvent(out Guid id)
    {
        id = Guid.NewGuid();
        return TestDevice.Event(id, Random.Shared.Next(5) == 0 ? "red" : "green", DateTimeOffset.UtcNow.AddMinutes(-Random.Shared.Next(60)));
    }

    private static async Task<bool> SendAsync(HttpClient http, DeviceWithToken device, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/devices/{device.Device.Id}/events")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", device.Token);
        using var response = await http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.Accepted;
    }

    private static async Task HttpStreamAsync(OtklikProcess otklik, DeviceWithToken device, ConcurrentBag<Guid> acked,
        ConcurrentDictionary<Guid, (DeviceWithToken, string)> sent, CancellationToken stop)
    {
        using var http = otklik.Client(null);
        while (!stop.IsCancellationRequested)
        {
            var body = NewEvent(out var id);
            sent[id] = (device, body);
            try
            {
                if (await SendAsync(http, device, body)) acked.Add(id);
            }
            catch (HttpRequestException) { await Task.Delay(10, CancellationToken.None); }
            catch (TaskCanceledException) { }
        }
    }

    private static async Task MqttStreamAsync(OtklikProcess otklik, DeviceWithToken device, ConcurrentBag<Guid> acked,
        ConcurrentDictionary<Guid, (DeviceWithToken, string)> sent, CancellationToken stop)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", otklik.MqttPort)
            .WithClientId(device.Device.Id.ToString()).WithCredentials(device.Device.Id.ToString(), device.Token).Build(), CancellationToken.None);
        while (!stop.IsCancellationRequested && client.IsConnected)
        {
            var body = NewEvent(out var id);
            sent[id] = (device, body);
            try
            {
                var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"otklik/devices/{device.Device.Id}/events")
                    .WithPayload(body).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), CancellationToken.None);
                if (result.IsSuccess) acked.Add(id);
            }
            catch (Exception) { break; }
        }
    }
}

public sealed class CrashDurabilitySqliteTests : CrashDurabilityTests, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("otklik-crash-").FullName;

    protected override Task<(OtklikProcess, Func<Task<List<Guid>>>)> StartAsync() => Start();

    private async Task<(OtklikProcess, Func<Task<List<Guid>>>)> Start()
    {
        var file = Path.Combine(_folder, "otklik.db");
        var process = OtklikProcess.Sqlite(file);
        await process.StartAsync();
        return (process, async () =>
        {
            await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
            await conn.OpenAsync();
            await using var cmd = new SqliteCommand("SELECT EventId FROM ButtonPresses", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            var ids = new List<Guid>();
            while (await reader.ReadAsync()) ids.Add(Guid.Parse(reader.GetString(0)));
            return ids;
        });
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}

[Trait("Database", "Postgres")]
public sealed class CrashDurabilityPostgresTests : CrashDurabilityTests
{
    protected override async Task<(OtklikProcess, Func<Task<List<Guid>>>)> StartAsync()
    {
        var connectionString = await OtklikProcess.NewPostgresDatabaseAsync();
        var process = OtklikProcess.Postgres(connectionString);
        await process.StartAsync();
        return (process, async () =>
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT \"EventId\" FROM \"ButtonPresses\"", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            var ids = new List<Guid>();
            while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
            return ids;
        });
    }
}
