using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Protocol;
using Otklik.Devices.Simulator.Simulation;
using Otklik.Devices.Simulator.Tests.Fakes;
using Otklik.Devices.Simulator.Transport;

namespace Otklik.Devices.Simulator.Tests.Simulation;

public sealed class ButtonSimulatorTests : IAsyncLifetime
{
    private FakeOtklikServer _server = null!;
    private FakeBroker _broker = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("otklik-sim-").FullName;

    public async Task InitializeAsync()
    {
        _server = await FakeOtklikServer.StartAsync();
        _broker = await FakeBroker.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private SimulationOptions Options(SimTransport transport) => new()
    {
        Transport = transport,
        Server = _server.Address,
        Mqtt = new MqttEndpoint("127.0.0.1", _broker.Port),
        Rate = 0,
        Concurrency = 16,
        Seed = 12345,
        DuplicateShare = 0,
        Retry = TestDevices.FastRetry,
        StatusEvery = TimeSpan.Zero,
    };

    private async Task<SimulationSummary> RunAsync(SimulationOptions options, IReadOnlyList<DeviceCredentials> devices, CancellationToken ct = default)
    {
        await using var simulator = new ButtonSimulator(options, devices);
        return await simulator.RunAsync(ct);
    }

    private HashSet<Guid> AckedLog(string path) => [.. File.ReadAllLines(path).Select(Guid.Parse)];

    [Fact]
    public async Task Http_NPresses_GiveNDistinctIdsAllAcknowledgedAndLogged()
    {
        var devices = TestDevices.Register(5, _server);
        var log = Path.Combine(_dir, "acked.txt");

        var summary = await RunAsync(Options(SimTransport.Http) with { Count = 400, AckedLogPath = log }, devices);

        Assert.Equal((400L, 400L, 0L, 0L), (summary.Sent, summary.Acknowledged, summary.Failed, summary.Unresolved));
        Assert.Equal(400, _server.Stored.Count);
        Assert.Equal(_server.Stored.Keys.ToHashSet(), AckedLog(log));
        Assert.Equal(summary.Red, _server.Stored.Values.Count(e => e.Type == "red"));
        Assert.Equal(400L, summary.ServerAccepted);
        Assert.Equal(400L, summary.LatencyMs.Count);
        Assert.True(summary.LatencyMs.P50 <= summary.LatencyMs.P95 && summary.LatencyMs.P95 <= summary.LatencyMs.P99);
        Assert.All(_server.Stored.Values, e => Assert.Contains(devices, d => d.Id == e.DeviceId));
    }

    [Fact]
    public async Task Http_RedShareOverARun_IsNearTheAskedShare()
    {
        var devices = TestDevices.Register(3, _server);

        var summary = await RunAsync(Options(SimTransport.Http) with { Count = 2000, RedShare = 0.3, Concurrency = 32 }, devices);

        var share = (double)summary.Red / summary.Acknowledged;
        Assert.InRange(share, 0.3 - 4 * Math.Sqrt(0.3 * 0.7 / 2000), 0.3 + 4 * Math.Sqrt(0.3 * 0.7 / 2000));
    }

    [Fact]
    public async Task Http_ServerFailsEveryFifthRequest_RetriesLoseAndInventNothing()
    {
        var devices = TestDevices.Register(4, _server);
        _server.FailEvery(5);
        var log = Path.Combine(_dir, "acked.txt");

        var summary = await RunAsync(Options(SimTransport.Http) with { Count = 300, AckedLogPath = log }, devices);

        Assert.Equal((300L, 300L), (summary.Sent, summary.Acknowledged));
        Assert.True(summary.Retries > 0);
        Assert.Equal(summary.Retries, summary.RetryReasons["http-503"]);
        var failedIds = _server.Attempts.Where(a => a.Status == 503).SelectMany(a => a.Ids).ToHashSet();
        Assert.Subset(_server.Stored.Keys.ToHashSet(), failedIds);
        Assert.Equal(_server.Stored.Keys.ToHashSet(), AckedLog(log));
    }

    [Fact]
    public async Task Http_Duplicates_ResendAcknowledgedIdsAndTheServerReportsThem()
    {
        var devices = TestDevices.Register(3, _server);
        var acked = new HashSet<Guid>();
        var resent = new List<Guid>();
        var resentBeforeAck = new List<Guid>();
        var options = Options(SimTransport.Http) with
        {
            Count = 300,
            Concurrency = 1,
            DuplicateShare = 0.2,
            OnSendCompleted = r =>
            {
                lock (acked)
                {
                    if (r.IsDuplicate)
                    {
                        if (!acked.Contains(r.Events[0].Id)) resentBeforeAck.Add(r.Events[0].Id);
                        resent.Add(r.Events[0].Id);
                    }
                    else if (r.Result.IsAcknowledged)
                    {
                        acked.UnionWith(r.Events.Select(e => e.Id));
                    }
                }
            },
        };

        var summary = await RunAsync(options, devices);

        Assert.Equal(300, _server.Stored.Count);
        Assert.Empty(resentBeforeAck);
        Assert.InRange(summary.DuplicateSends, 30, 90);
        Assert.Equal(summary.DuplicateSends, resent.Count);
        Assert.Equal(summary.DuplicateSends, summary.ServerDuplicates);
        Assert.Equal(summary.DuplicateSends, _server.DuplicatesReported);
        Assert.Equal(summary.DuplicateSends, summary.DuplicatesAcknowledged);
    }

    [Fact]
    public async Task Http_Batch_SendsBatchesFromOneDevice()
    {
        var devices = TestDevices.Register(2, _server);

        var summary = await RunAsync(Options(SimTransport.Http) with { Count = 205, Batch = 10 }, devices);

        Assert.Equal(205L, summary.Acknowledged);
        Assert.Equal(205, _server.Stored.Count);
        Assert.Equal(21, _server.Attempts.Count);
        Assert.Equal(20, _server.Attempts.Count(a => a.Ids.Count == 10));
        Assert.All(_server.Attempts, a => Assert.All(a.Ids, id => Assert.Equal(a.DeviceId, _server.Stored[id].DeviceId)));
    }

    [Fact]
    public async Task Http_BadEvents_CountAsErrorsNotRetried()
    {
        var devices = TestDevices.Register(2, _server);
        _server.Reject = e => e.GetProperty("type").GetString() == "red";

        var summary = await RunAsync(Options(SimTransport.Http) with { Count = 200, RedShare = 0.25 }, devices);

        var rejected = _server.Attempts.Count(a => a.Status == 400);
        Assert.True(rejected > 0);
        Assert.Equal(rejected, summary.Failed);
        Assert.Equal(rejected, summary.Errors["http-400"]);
        Assert.Equal(0L, summary.Retries);
        Assert.Equal(200L - rejected, summary.Acknowledged);
    }

    [Fact]
    public async Task Mqtt_NPresses_ArriveAsNDistinctIdsWithStatusFromEachDevice()
    {
        var devices = TestDevices.Register(4, broker: _broker);
        var log = Path.Combine(_dir, "acked.txt");

        var summary = await RunAsync(Options(SimTransport.Mqtt) with { Count = 300, AckedLogPath = log }, devices);

        Assert.Equal((300L, 300L), (summary.Sent, summary.Acknowledged));
        var ids = _broker.Events.SelectMany(e => e.Ids).ToList();
        Assert.Equal(300, ids.Count);
        Assert.Equal(ids.ToHashSet(), AckedLog(log));
        Assert.All(_broker.Events, e => Assert.Equal($"otklik/devices/{e.ClientId}/events", e.Topic));
        Assert.Equal(devices.Select(d => d.Id).Order(), _broker.Statuses.Select(s => s.ClientId).Distinct().Order());
    }

    [Fact]
    public async Task Mixed_DuplicatesMayCrossTransports_AndEveryIdIsOneOfTheAcknowledged()
    {
        var devices = TestDevices.Register(4, _server, _broker);
        var log = Path.Combine(_dir, "acked.txt");

        var summary = await RunAsync(Options(SimTransport.Mixed) with { Count = 400, DuplicateShare = 0.25, Concurrency = 4, AckedLogPath = log }, devices);

        var acked = AckedLog(log);
        Assert.Equal(400, acked.Count);
        var overHttp = _server.Attempts.Where(a => a.Status == 202).SelectMany(a => a.Ids).ToList();
        var overMqtt = _broker.Events.SelectMany(e => e.Ids).ToList();
        Assert.Equal(acked, overHttp.Concat(overMqtt).ToHashSet());
        Assert.Equal(400 + summary.DuplicateSends, overHttp.Count + overMqtt.Count);
        Assert.True(summary.DuplicateSends > 0);
        // Some ids went out over both transports: a press first sent by MQTT and re-sent by HTTP or the other way round.
        Assert.NotEmpty(overHttp.Intersect(overMqtt));
        // Even-numbered devices press over MQTT, odd over HTTP (duplicates aside).
        var mqttDevices = _broker.Events.Select(e => e.ClientId).ToHashSet();
        var httpDevices = _server.Attempts.Select(a => a.DeviceId).ToHashSet();
        Assert.Contains(devices[0].Id, mqttDevices);
        Assert.Contains(devices[1].Id, httpDevices);
    }

    [Fact]
    public async Task Burst_AddsRedPressesOnOneDevice_WithinTheCount()
    {
        var devices = TestDevices.Register(3, _server);
        var options = Options(SimTransport.Http) with
        {
            Count = 300,
            RedShare = 0,
            Burst = true,
            BurstChance = 0.05,
            BurstSpan = TimeSpan.FromMilliseconds(20),
        };

        var summary = await RunAsync(options, devices);

        Assert.Equal(300L, summary.Acknowledged);
        Assert.True(summary.BurstPresses >= 10);
        Assert.Equal(summary.BurstPresses, summary.Red);
        Assert.Equal(summary.BurstPresses, _server.Stored.Values.Count(e => e.Type == "red"));
    }

    [Fact]
    public async Task Cancel_StopsPressing_DrainsAndSummarizes()
    {
        var devices = TestDevices.Register(2, _server);
        using var cts = new CancellationTokenSource();
        long seen = 0;
        var log = Path.Combine(_dir, "acked.txt");
        var options = Options(SimTransport.Http) with
        {
            Count = 1_000_000,
            AckedLogPath = log,
            OnSendCompleted = _ =>
            {
                if (Interlocked.Increment(ref seen) == 50) cts.Cancel();
            },
        };

        var summary = await RunAsync(options, devices, cts.Token);

        Assert.InRange(summary.Acknowledged, 50, 1000);
        Assert.Equal(summary.Sent, summary.Acknowledged + summary.Failed + summary.Unresolved);
        Assert.Subset(_server.Stored.Keys.ToHashSet(), AckedLog(log));
    }

    [Fact]
    public async Task Duration_EndsTheRun()
    {
        var devices = TestDevices.Register(2, _server);

        var summary = await RunAsync(Options(SimTransport.Http) with { Rate = 200, Duration = TimeSpan.FromMilliseconds(300) }, devices);

        Assert.True(summary.Sent > 0);
        Assert.Equal(summary.Sent, summary.Acknowledged);
    }

    [Fact]
    public async Task InjectedClients_AreUsedAndLeftOpen()
    {
        var device = TestDevices.Register(1, _server)[0];
        using var http = HttpDeviceClient.CreateHttpClient(4);
        var client = new HttpDeviceClient(http, _server.Address, device, TestDevices.FastRetry);
        var options = new SimulationOptions { Transport = SimTransport.Http, Rate = 0, Count = 20, DuplicateShare = 0 };

        await using (var simulator = new ButtonSimulator(options, [new SimulatedDevice(device, client, null)]))
        {
            Assert.Equal(20L, (await simulator.RunAsync()).Acknowledged);
        }

        Assert.True((await client.SendAsync([ButtonEvent.New(ButtonColor.Green, DateTimeOffset.Now)])).IsAcknowledged);
        Assert.Equal(21, _server.Stored.Count);
    }
}
