using System.Text.Json;
using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Simulation;
using Otklik.Devices.Simulator.Tests.Fakes;

namespace Otklik.Devices.Simulator.Tests;

public sealed class CliTests : IAsyncLifetime
{
    private FakeOtklikServer _server = null!;
    private FakeBroker _broker = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("otklik-sim-cli-").FullName;

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

    private static async Task<(int Code, string Out, string Err)> Invoke(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Cli.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string DevicesFile(IEnumerable<DeviceCredentials> devices)
    {
        var path = Path.Combine(_dir, "devices.json");
        DeviceFile.Save(path, devices);
        return path;
    }

    [Fact]
    public async Task Run_Mixed_PrintsJsonSummaryAndWritesTheAckedLog()
    {
        var devices = DevicesFile(TestDevices.Register(4, _server, _broker));
        var acked = Path.Combine(_dir, "acked.txt");

        var (code, output, error) = await Invoke("run", "--server", _server.Address.ToString(), "--mqtt", $"127.0.0.1:{_broker.Port}",
            "--transport", "mixed", "--devices", devices, "--rate", "0", "--count", "150", "--seed", "3",
            "--duplicate-share", "0.1", "--acked-log", acked, "--json", "--quiet", "--status-every", "10m");

        Assert.True(code == Cli.Ok, error);
        var summary = SimulationSummary.FromJson(output);
        Assert.Equal(("mixed", 150L, 150L), (summary.Transport, summary.Sent, summary.Acknowledged));
        Assert.Equal(150, File.ReadAllLines(acked).Distinct().Count());
        Assert.Equal(150, _server.Stored.Keys.Concat(_broker.Events.SelectMany(e => e.Ids)).Distinct().Count());
    }

    [Fact]
    public async Task Run_TextSummary_NamesTheNumbers()
    {
        var devices = DevicesFile(TestDevices.Register(2, _server));

        var (code, output, _) = await Invoke("run", "--server", _server.Address.ToString(), "--devices", devices, "--rate", "0", "--count", "20", "--quiet");

        Assert.Equal(Cli.Ok, code);
        Assert.Contains("acknowledged     20", output, StringComparison.Ordinal);
        Assert.Contains("p95", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithoutServerForHttp_IsBadInput()
    {
        var devices = DevicesFile(TestDevices.Make(1));

        var (code, _, error) = await Invoke("run", "--devices", devices, "--count", "1");

        Assert.Equal(Cli.BadInput, code);
        Assert.Contains("--server", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingDeviceFile_IsBadInput()
    {
        var (code, _, _) = await Invoke("run", "--server", "http://127.0.0.1:9", "--devices", Path.Combine(_dir, "nope.json"));

        Assert.Equal(Cli.BadInput, code);
    }

    [Fact]
    public async Task Run_RejectedEvents_ExitWithSomeFailed()
    {
        var devices = DevicesFile(TestDevices.Register(1, _server));
        _server.Reject = _ => true;

        var (code, output, _) = await Invoke("run", "--server", _server.Address.ToString(), "--devices", devices, "--rate", "0", "--count", "5", "--json", "--quiet");

        Assert.Equal(Cli.SomeFailed, code);
        Assert.Equal(5L, SimulationSummary.FromJson(output).Errors["http-400"]);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("mqtt")]
    public async Task Press_OneRedPress_IsAcknowledged(string transport)
    {
        var device = TestDevices.Register(1, _server, _broker)[0];

        var (code, output, error) = await Invoke("press", "--server", _server.Address.ToString(), "--mqtt", $"127.0.0.1:{_broker.Port}",
            "--device", device.Id, "--token", device.Token, "--type", "red", "--transport", transport, "--json");

        Assert.True(code == Cli.Ok, error + output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("acknowledged", json.RootElement.GetProperty("outcome").GetString());
        var id = json.RootElement.GetProperty("id").GetGuid();
        var arrived = transport == "http" ? _server.Stored.Keys : _broker.Events.SelectMany(e => e.Ids);
        Assert.Equal([id], arrived);
    }

    [Fact]
    public async Task Press_SameIdTwice_ServerReportsTheDuplicate()
    {
        var device = TestDevices.Register(1, _server)[0];
        var id = Guid.NewGuid().ToString();
        string[] args = ["press", "--server", _server.Address.ToString(), "--device", device.Id, "--token", device.Token, "--id", id, "--json"];

        await Invoke(args);
        var (code, output, _) = await Invoke(args);

        Assert.Equal(Cli.Ok, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal((0, 1), (json.RootElement.GetProperty("accepted").GetInt32(), json.RootElement.GetProperty("duplicates").GetInt32()));
    }

    [Fact]
    public async Task Press_WrongToken_Fails()
    {
        var device = TestDevices.Register(1, _server)[0];

        var (code, output, _) = await Invoke("press", "--server", _server.Address.ToString(), "--device", device.Id, "--token", "otd_wrong");

        Assert.Equal(Cli.SomeFailed, code);
        Assert.Contains("Unauthorized", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provision_CreatesDevicesAndWritesAFileTheRunCanUse()
    {
        var location = Guid.NewGuid();
        var file = Path.Combine(_dir, "made", "devices.json");

        var (code, _, error) = await Invoke("provision", "--server", _server.Address.ToString(), "--api-key", _server.ApiKey,
            "--location", location.ToString(), "--count", "3", "--out", file);

        Assert.True(code == Cli.Ok, error);
        var devices = DeviceFile.Load(file);
        Assert.Equal(3, devices.Count);
        Assert.Equal(["Sim button 1", "Sim button 2", "Sim button 3"], _server.CreatedDevices.Select(d => d.GetProperty("name").GetString()));
        Assert.All(_server.CreatedDevices, d => Assert.Equal(location, d.GetProperty("locationId").GetGuid()));
        var (runCode, _, _) = await Invoke("run", "--server", _server.Address.ToString(), "--devices", file, "--rate", "0", "--count", "9", "--quiet");
        Assert.Equal(Cli.Ok, runCode);
        Assert.Equal(9, _server.Stored.Count);
    }

    [Fact]
    public async Task Provision_WrongApiKey_FailsWithoutAFile()
    {
        var file = Path.Combine(_dir, "devices.json");

        var (code, _, error) = await Invoke("provision", "--server", _server.Address.ToString(), "--api-key", "wrong",
            "--location", Guid.NewGuid().ToString(), "--out", file);

        Assert.Equal(Cli.Unreachable, code);
        Assert.Contains("401", error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("90s", 90_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("15", 15_000)]
    [InlineData("00:01:30", 90_000)]
    public void Durations_ParseInCommonForms(string text, double milliseconds)
    {
        Assert.True(Cli.TryParseDuration(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    private string DeviceFileNamed(string name, IEnumerable<DeviceCredentials> devices)
    {
        var path = Path.Combine(_dir, name);
        DeviceFile.Save(path, devices);
        return path;
    }

    [Fact]
    public async Task StoreDay_PlaysEachOpenHour_AndTheSummaryIsWhatTheServerStored()
    {
        var counters = DeviceFileNamed("counters.json", TestDevices.Register(2, _server));
        var sellers = DeviceFileNamed("sellers.json", TestDevices.Register(2, _server));
        var buttons = DeviceFileNamed("buttons.json", TestDevices.Register(1, _server));

        var (code, output, error) = await Invoke("store-day", "--server", _server.Address.ToString(), "--counters", counters, "--sellers", sellers, "--buttons", buttons,
            "--date", "2026-03-10", "--time-zone", "Europe/Moscow", "--open", "10", "--close", "14", "--visitors", "300", "--seed", "11", "--json", "--quiet");

        Assert.True(code == Cli.Ok, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        var stored = _server.Stored.Values.ToList();
        var visits = stored.Where(e => e.Type == "visitors").ToList();
        Assert.Equal(8, visits.Count); // 2 counters × 4 hours
        Assert.All(visits, v => Assert.Equal(TimeSpan.FromHours(1), v.To!.Value - v.At));
        // 10:00 in Moscow is 07:00 UTC; the last hour starts at 13:00 local.
        Assert.Equal([new DateTimeOffset(2026, 3, 10, 7, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 10, 10, 0, 0, TimeSpan.Zero)], new[] { visits.Min(v => v.At), visits.Max(v => v.At) });
        Assert.Equal(root.GetProperty("visitorsIn").GetInt32(), visits.Sum(v => v.In!.Value));
        Assert.InRange(root.GetProperty("visitorsIn").GetInt32(), 200, 400);
        Assert.Equal(root.GetProperty("salesAttempts").GetInt32(), stored.Count(e => e.Type == "sales-attempt"));
        Assert.Equal((root.GetProperty("greenPresses").GetInt32(), root.GetProperty("redPresses").GetInt32()),
            (stored.Count(e => e.Type == "green"), stored.Count(e => e.Type == "red")));
        Assert.Equal((stored.Count, 0L), (root.GetProperty("acknowledged").GetInt64(), root.GetProperty("failed").GetInt64()));
        Assert.Equal(4, root.GetProperty("hours").GetArrayLength());
        // Presses on one button are at least a minute apart: none falls in the server's suppression window.
        var presses = stored.Where(e => e.Type is "green" or "red").OrderBy(e => e.At).ToList();
        Assert.All(presses.Zip(presses.Skip(1)), p => Assert.True(p.Second.At - p.First.At >= TimeSpan.FromMinutes(1)));

        // The same seed plays the same day.
        var again = await Invoke("store-day", "--server", _server.Address.ToString(), "--counters", counters, "--date", "2026-03-10", "--time-zone", "Europe/Moscow",
            "--open", "10", "--close", "14", "--visitors", "300", "--seed", "11", "--json", "--quiet");
        Assert.Equal(root.GetProperty("visitorsIn").GetInt32(), JsonDocument.Parse(again.Out).RootElement.GetProperty("visitorsIn").GetInt32());
    }

    [Fact]
    public async Task StoreDay_WithoutDevices_IsBadInput()
    {
        var (code, _, error) = await Invoke("store-day", "--server", _server.Address.ToString());

        Assert.Equal(Cli.BadInput, code);
        Assert.Contains("--counters", error, StringComparison.Ordinal);
    }
}
