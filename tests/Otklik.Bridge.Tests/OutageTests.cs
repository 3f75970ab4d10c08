using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Otklik.Bridge.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Otklik.Bridge.Tests;

/// <summary>The agent as a separate process, killed with SIGKILL while the server is away.</summary>
public sealed class OutageTests(ITestOutputHelper output)
{
    private const int PressCount = 10_000;
    private const int BatchSize = 100;

    [Fact]
    public async Task Outage_10000Presses_TwoHardKills_EveryPressArrivesExactlyOnceWithItsDevice()
    {
        using var dir = new TestDirectory();
        var serverPort = InputTests.FreePort();
        var httpPort = InputTests.FreePort();
        var devices = new Dictionary<string, (Guid Id, string Token)>
        {
            ["main"] = (Guid.NewGuid(), "main-token"),
            ["side"] = (Guid.NewGuid(), "side-token"),
        };
        var environment = new Dictionary<string, string>
        {
            ["Bridge__ServerUrl"] = $"http://127.0.0.1:{serverPort}",
            ["Bridge__DataDirectory"] = dir.Path,
            ["Bridge__Http__Enabled"] = "true",
            ["Bridge__Http__Port"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Bridge__Sender__InitialBackoff"] = "00:00:00.100",
            ["Bridge__Sender__MaxBackoff"] = "00:00:00.500",
            ["Bridge__HeartbeatInterval"] = "00:00:00",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (name, device) in devices)
        {
            environment[$"Bridge__Devices__{name}__DeviceId"] = device.Id.ToString();
            environment[$"Bridge__Devices__{name}__Token"] = device.Token;
        }
        // The receiver software gives each press its own id, so a hand-over cut by a kill can be retried safely.
        var presses = Enumerable.Range(0, PressCount)
            .Select(i => (Id: Guid.NewGuid(), Device: i % 3 == 0 ? "side" : "main", Type: i % 5 == 0 ? "red" : "green"))
            .ToList();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };

        var agent = AgentProcess.Start(environment);
        try
        {
            var acked = 0;
            var kills = 0;
            var killer = Task.Run(async () =>
            {
                foreach (var threshold in new[] { 2_500, 6_000 })
                {
                    await Eventually.WaitAsync(() => Volatile.Read(ref acked) >= threshold, $"{threshold} presses handed over", seconds: 120);
                    agent.KillHard();
                    kills++;
                    agent.Dispose();
                    agent = AgentProcess.Start(environment);
                }
            });
            for (var start = 0; start < PressCount; start += BatchSize)
            {
                var batch = presses.Skip(start).Take(BatchSize).Select(p => new { id = p.Id, device = p.Device, type = p.Type }).ToList();
                await PostUntilStoredAsync(http, batch);
                Interlocked.Add(ref acked, batch.Count);
            }
            await killer;
            Assert.Equal(2, kills);

            // Still in the outage: everything is on disk, once.
            var queued = await QueueLengthAsync(http);
            Assert.Equal(PressCount, queued);

            await using var server = await FakeOtklikServer.StartAsync(serverPort);
            foreach (var device in devices.Values)
            {
                server.Tokens[device.Id] = device.Token;
            }
            await Eventually.WaitAsync(() => server.DistinctAccepted == PressCount, "all presses at the server", seconds: 150);
            await Eventually.WaitAsync(() => QueueLengthAsync(http).GetAwaiter().GetResult() == 0, "queue empty", seconds: 30);

            var received = server.Accepted.ToList();
            output.WriteLine($"server requests: {server.Requests.Count}, events received: {received.Count}");
            Assert.Equal(PressCount, received.Count); // no press doubled, not even before server-side dedupe
            var expected = presses.ToDictionary(p => p.Id, p => (devices[p.Device].Id, p.Type));
            Assert.All(received, e => Assert.Equal(expected[e.Id], (e.DeviceId, e.Type)));
            Assert.Equal(expected.Keys.Order(), received.Select(e => e.Id).Order());
        }
        finally
        {
            foreach (var line in agent.Output.Take(200))
            {
                output.WriteLine(line);
            }
            agent.Dispose();
        }
    }

    private static async Task PostUntilStoredAsync(HttpClient http, object batch)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await http.PostAsJsonAsync("/presses", new { presses = batch });
                if ((int)response.StatusCode == 202)
                {
                    return;
                }
                throw new InvalidOperationException("agent answered " + (int)response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && attempt < 600)
            {
                await Task.Delay(100); // the agent is being killed or is starting
            }
        }
    }

    private static async Task<long> QueueLengthAsync(HttpClient http)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var status = await http.GetFromJsonAsync<JsonElement>("/status");
                return status.GetProperty("queueLength").GetInt64();
            }
            catch (HttpRequestException) when (attempt < 300)
            {
                await Task.Delay(100);
            }
        }
    }
}
