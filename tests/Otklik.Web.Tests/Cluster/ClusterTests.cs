using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Protocol;
using Npgsql;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Locations;
using Otklik.Web.Tests.Browser;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Cluster;

/// <summary>
/// Issue 9: two Otklik nodes as real processes on one PostgreSQL, one Redis and one Mosquitto with dynamic security,
/// all started by <c>deploy/local-cluster.sh infra</c> (PostgreSQL, Redis and Mosquitto from Debian packages).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "otklik-cluster-test-" + Guid.NewGuid().ToString("N")[..8]);
    public Dictionary<string, string> Settings { get; } = new();
    public OtklikProcess A { get; private set; } = default!;
    public OtklikProcess B { get; private set; } = default!;
    public string ConnectionString => Settings["Otklik__Database__ConnectionString"];
    public string MqttHost => Settings["Otklik__Mqtt__Host"];
    public int MqttPort => int.Parse(Settings["Otklik__Mqtt__Port"], System.Globalization.CultureInfo.InvariantCulture);
    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await ScriptAsync("infra");
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(_dir, "env")))
        {
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            Settings[line[..eq]] = line[(eq + 1)..].Trim('\'');
        }
        A = Node("a");
        await A.StartAsync();
        B = Node("b");
        await B.StartAsync();

        Assertions.SetDefaultExpectTimeout(20_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("OTKLIK_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A node with the cluster's settings; its MQTT client id is stable, so a restart resumes its broker session.</summary>
    public OtklikProcess Node(string name)
    {
        var node = OtklikProcess.Postgres(ConnectionString);
        foreach (var (key, value) in Settings) node.With(key, value);
        return node.With("Otklik__Mqtt__ClientId", "otklik-test-" + name)
            .With("Otklik__StaticWebAssets", "true")
            .With("Otklik__Alerts__EscalationInterval", "00:00:01");
    }

    public async Task<IPage> PageAsync(OtklikProcess node)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = node.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "en-US" });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        await ScriptAsync("stop");
    }

    private async Task ScriptAsync(string command)
    {
        var root = AppContext.BaseDirectory;
        var dir = new DirectoryInfo(root);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Otklik.slnx"))) dir = dir.Parent;
        var info = new ProcessStartInfo("bash", [Path.Combine(dir!.FullName, "deploy", "local-cluster.sh"), command, _dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"local-cluster.sh {command} failed:\n{await output}\n{await error}");
    }
}

[Trait("Database", "Postgres")]
public sealed class ClusterTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private const string AdminEmail = "admin@durability.test";
    private const string AdminPassword = "Durability-test-1";

    private async Task<(LocationDto Location, List<DeviceWithToken> Devices)> LocationAsync(int devices)
    {
        using var http = cluster.A.Client();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Cluster " + Guid.NewGuid().ToString("N")[..6] }))
            .ReadAsync<LocationDto>(HttpStatusCode.Created);
        var list = new List<DeviceWithToken>();
        for (var i = 0; i < devices; i++)
            list.Add(await (await http.PostJsonAsync("/api/v1/devices", new { name = $"Button {i}", kind = "ButtonSmart", locationId = location.Id }))
                .ReadAsync<DeviceWithToken>(HttpStatusCode.Created));
        return (location, list);
    }

    /// <summary>A device of the broker: its own account (written by Otklik into dynamic security), MQTT 5, QoS 1.</summary>
    private async Task<IMqttClient> ConnectAsync(DeviceWithToken device)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(cluster.MqttHost, cluster.MqttPort)
            .WithClientId(device.Device.Id.ToString()).WithCredentials(device.Device.Id.ToString(), device.Token)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private static async Task<bool> PublishAsync(IMqttClient client, DeviceWithToken device, Guid id, string type)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"otklik/devices/{device.Device.Id}/events")
            .WithPayload(TestDevice.Event(id, type)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return result.IsSuccess;
    }

    private async Task<List<Guid>> StoredAsync(Guid locationId)
    {
        await using var conn = new NpgsqlConnection(cluster.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT \"EventId\" FROM \"ButtonPresses\" WHERE \"LocationId\" = @l", conn);
        cmd.Parameters.AddWithValue("l", locationId);
        await using var reader = await cmd.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    private async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] args)
    {
        await using var conn = new NpgsqlConnection(cluster.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Not reached: " + what);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task PressesThroughTheBroker_AreStoredOnce_AndAlertsCrossNodes()
    {
        var (location, devices) = await LocationAsync(5);
        var door = devices[4];
        devices = devices[..4];
        foreach (var node in new[] { cluster.A, cluster.B })
        {
            using var http = node.Client(null);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        }

        // Screens on both nodes, signed in through their own node (the cookie's key ring is shared).
        var onB = await cluster.PageAsync(cluster.B);
        var onA = await cluster.PageAsync(cluster.A);
        foreach (var page in new[] { onB, onA })
        {
            await page.SignInAsync(AdminEmail, AdminPassword, returnTo: $"/live/{location.Id}");
            await Expect(page.Locator("#live-title")).ToHaveTextAsync(location.Name);
        }

        // 400 green presses through Mosquitto: the shared subscription spreads them, each stored once.
        var sent = new ConcurrentBag<Guid>();
        await Task.WhenAll(devices.Select(async device =>
        {
            using var client = await ConnectAsync(device);
            for (var i = 0; i < 100; i++)
            {
                var id = Guid.NewGuid();
                Assert.True(await PublishAsync(client, device, id, "green"));
                sent.Add(id);
            }
        }));
        await EventuallyAsync(async () => (await StoredAsync(location.Id)).Count >= sent.Count, "every press stored");
        var stored = await StoredAsync(location.Id);
        Assert.Equal(sent.Order(), stored.Order());
        // Both screens count what either node stored (repeats within a device's suppression window do not count).
        var counted = await ScalarAsync<long>("SELECT count(*) FROM \"ButtonPresses\" WHERE \"LocationId\" = @l AND NOT \"Suppressed\"", ("l", location.Id));
        foreach (var page in new[] { onB, onA })
            await Expect(page.GetByTestId("green-count")).ToHaveTextAsync(counted.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // A red press ingested by node A (over its HTTP API, from a button that has not pressed within the suppression
        // window) raises one alert, shown on node B's screen.
        var red = door;
        using (var http = cluster.A.Client(null))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/devices/{red.Device.Id}/events")
            {
                Content = new StringContent(TestDevice.Event(Guid.NewGuid(), "red"), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", red.Token);
            Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(request)).StatusCode);
        }
        foreach (var page in new[] { onB, onA })
            await Expect(page.GetByTestId("live-alert")).ToHaveCountAsync(1);
        await onB.ScreenshotAsync("cluster-alert-on-node-b");

        // Acknowledged on node B: node A's screen clears, and the database holds one acknowledged alert.
        await onB.GetByTestId("acknowledge-alert").ClickAsync();
        await Expect(onA.GetByTestId("live-alert")).ToHaveCountAsync(0);
        await Expect(onB.GetByTestId("live-alert")).ToHaveCountAsync(0);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM \"Alerts\" WHERE \"LocationId\" = @l AND \"AcknowledgedAt\" IS NOT NULL", ("l", location.Id)));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM \"Alerts\" WHERE \"LocationId\" = @l AND \"AcknowledgedAt\" IS NULL", ("l", location.Id)));
    }

    [Fact]
    public async Task AnEscalationDueWhileBothNodesRun_FiresOnce()
    {
        var (location, devices) = await LocationAsync(1);
        using var http = cluster.A.Client();
        var channel = await (await http.PostJsonAsync($"/api/v1/locations/{location.Id}/notification-channels",
            new { name = "Duty manager", kind = "Email", target = "duty@example.test", notifyOnRaise = false }))
            .ReadAsync<ChannelCreated>(HttpStatusCode.Created);
        (await http.PutJsonAsync($"/api/v1/locations/{location.Id}/alert-settings",
            new { escalation = new[] { new { channelId = channel.Channel.Id, delayMinutes = 0 } } })).EnsureSuccessStatusCode();

        using (var client = await ConnectAsync(devices[0]))
            Assert.True(await PublishAsync(client, devices[0], Guid.NewGuid(), "red"));

        // Both nodes run the escalation round every second; the one holding the lease escalates, once.
        await EventuallyAsync(async () => await ScalarAsync<long>(
            "SELECT count(*) FROM \"Alerts\" WHERE \"LocationId\" = @l AND \"EscalationLevel\" = 1 AND \"NextEscalationAt\" IS NULL", ("l", location.Id)) == 1,
            "the alert escalated");
        // Several more rounds on both nodes change nothing.
        var leases = await ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted");
        Assert.True(leases >= 1, "a node holds the escalation lease");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1L, await ScalarAsync<long>(
            "SELECT count(*) FROM \"NotificationDeliveries\" WHERE \"LocationId\" = @l AND \"Event\" = 'alert.escalated'", ("l", location.Id)));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM \"Alerts\" WHERE \"LocationId\" = @l", ("l", location.Id)));
    }

    [Fact]
    public async Task DeviceStatusThroughTheBroker_IsRecorded_AndTheDeviceGetsItsRetainedConfig()
    {
        var (_, devices) = await LocationAsync(1);
        var device = devices[0];
        using var client = await ConnectAsync(device);
        var config = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            config.TrySetResult(e.ApplicationMessage.ConvertPayloadToString());
            return Task.CompletedTask;
        };
        await client.SubscribeAsync($"otklik/devices/{device.Device.Id}/config", MqttQualityOfServiceLevel.AtLeastOnce);

        var published = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"otklik/devices/{device.Device.Id}/status")
            .WithPayload("""{"battery":42,"signal":77,"firmware":"1.4.2"}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.True(published.IsSuccess);
        await EventuallyAsync(async () => await ScalarAsync<int>("SELECT coalesce(\"BatteryPercent\", -1) FROM \"Devices\" WHERE \"Id\" = @d", ("d", device.Device.Id)) == 42,
            "the status stored", 30);
        using var json = System.Text.Json.JsonDocument.Parse(await config.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(device.Device.Id, json.RootElement.GetProperty("deviceId").GetGuid());
        Assert.True(json.RootElement.GetProperty("maxBatch").GetInt32() > 0);
    }

    [Fact]
    public async Task NodeKilledMidStream_EveryAcknowledgedPressIsStoredOnce()
    {
        const int total = 10_000;
        var (location, devices) = await LocationAsync(20);
        var acknowledged = new ConcurrentBag<Guid>();
        var next = 0;
        var streams = devices.Select(async device =>
        {
            using var client = await ConnectAsync(device);
            while (Interlocked.Increment(ref next) <= total)
            {
                var id = Guid.NewGuid();
                if (await PublishAsync(client, device, id, "green")) acknowledged.Add(id);
            }
        }).ToList();

        // SIGKILL node A once a fifth of the stream is stored; node B keeps taking the shared subscription's messages.
        await EventuallyAsync(async () => await ScalarAsync<long>(
            "SELECT count(*) FROM \"ButtonPresses\" WHERE \"LocationId\" = @l", ("l", location.Id)) >= total / 5, "a fifth stored", 120);
        await cluster.A.KillAsync();
        await Task.WhenAll(streams);
        Assert.Equal(total, acknowledged.Count);

        // Node A stays dead: node B finds A's session without its lease, drains what the broker held for A, and ends it.
        await EventuallyAsync(async () => (await StoredAsync(location.Id)).Count >= total, "every acknowledged press stored by node B", 180);
        var stored = await StoredAsync(location.Id);
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Empty(acknowledged.Except(stored));
        Assert.Equal(total, stored.Count);
        await EventuallyAsync(async () => await ScalarAsync<long>(
            "SELECT count(*) FROM \"MqttNodeSessions\" WHERE \"ClientId\" = @c", ("c", "otklik-test-a")) == 0, "node A's session drained and forgotten", 60);
        // The broker had kept messages for the dead node (in flight when it died, and queued after): node B stored them.
        const string drainedLine = @"Drained the MQTT session otklik-test-a: (\d+) messages";
        await EventuallyAsync(() => Task.FromResult(System.Text.RegularExpressions.Regex.IsMatch(cluster.B.Log, drainedLine)), "node B's log shows the drain", 10);
        var drained = System.Text.RegularExpressions.Regex.Match(cluster.B.Log, drainedLine);
        Assert.True(int.Parse(drained.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, "node A's session held messages when it died");

        // Node A comes back under its client id, joins the shared subscription again, and takes its share of new presses.
        await cluster.A.StartAsync();
        await EventuallyAsync(async () => await ScalarAsync<long>(
            "SELECT count(*) FROM \"MqttNodeSessions\" WHERE \"ClientId\" = @c", ("c", "otklik-test-a")) == 1, "node A registered again", 60);
    }
}
