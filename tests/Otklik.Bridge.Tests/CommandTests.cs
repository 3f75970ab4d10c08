using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Otklik.Bridge.Pairing;
using Otklik.Bridge.Tests.Infrastructure;

namespace Otklik.Bridge.Tests;

/// <summary>The pair and status commands of the real program.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CommandTests
{
    [Fact]
    public async Task Pair_SavesCredentialsPrivately_AndTheAgentThenDeliversWithThem()
    {
        using var dir = new TestDirectory();
        await using var server = await FakeOtklikServer.StartAsync();
        var deviceId = Guid.NewGuid();
        server.PairingCodes["KX7-42Q"] = (deviceId, "token-from-pairing", "Till 1");
        var environment = new Dictionary<string, string> { ["Bridge__DataDirectory"] = dir.Path };

        var unknown = await AgentProcess.RunAsync(environment, "pair", "--code", "WRONG", "--server", server.Url.ToString());
        var paired = await AgentProcess.RunAsync(environment, "pair", "--code", "KX7-42Q", "--server", server.Url.ToString());

        Assert.Equal(4, unknown.ExitCode);
        Assert.True(paired.ExitCode == 0, paired.Output);
        var secrets = SecretsFile.PathIn(dir.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secrets));
        var saved = JsonDocument.Parse(File.ReadAllText(secrets)).RootElement.GetProperty("Bridge");
        Assert.Equal(deviceId, saved.GetProperty("Devices").GetProperty("main").GetProperty("DeviceId").GetGuid());
        Assert.Equal("token-from-pairing", saved.GetProperty("Devices").GetProperty("main").GetProperty("Token").GetString());

        // Nothing typed by hand: the agent finds server and token in bridge.secrets.json.
        var port = InputTests.FreePort();
        var runEnvironment = new Dictionary<string, string>(environment)
        {
            ["Bridge__Http__Enabled"] = "true",
            ["Bridge__Http__Port"] = port.ToString(CultureInfo.InvariantCulture),
        };
        var pressId = Guid.NewGuid();
        using (var agent = AgentProcess.Start(runEnvironment))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.WaitAsync(() => TryPost(http, pressId), "agent accepting presses");
            await Eventually.WaitAsync(() => server.DistinctAccepted == 1, "press at the server");
            await Eventually.WaitAsync(() => !server.Heartbeats.IsEmpty, "a heartbeat");
            // The server has it; wait until the agent has also removed it from its queue before stopping it.
            await Eventually.WaitAsync(() => QueueLength(http) == 0, "queue empty");
        }

        var received = Assert.Single(server.Accepted);
        Assert.Equal((pressId, deviceId, "green"), (received.Id, received.DeviceId, received.Type));
        Assert.Equal(deviceId, server.Heartbeats.First().DeviceId);

        var status = await AgentProcess.RunAsync(environment, "status");
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains("queue length:         0", status.Output, StringComparison.Ordinal);
        Assert.Contains("http: 1 press(es)", status.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("last successful send: never", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_WithoutQueue_SaysSoAndFails()
    {
        using var dir = new TestDirectory();

        var status = await AgentProcess.RunAsync(new Dictionary<string, string> { ["Bridge__DataDirectory"] = dir.Path }, "status", "--json");

        Assert.Equal(1, status.ExitCode);
        Assert.Contains("No queue", status.Output, StringComparison.Ordinal);
    }

    private static long QueueLength(HttpClient http) =>
        http.GetFromJsonAsync<JsonElement>("/status").GetAwaiter().GetResult().GetProperty("queueLength").GetInt64();

    private static bool TryPost(HttpClient http, Guid id)
    {
        try
        {
            using var response = http.PostAsJsonAsync("/presses", new { id, type = "green" }).GetAwaiter().GetResult();
            return (int)response.StatusCode == 202;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
