using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Otklik.Bridge.Inputs;
using Otklik.Bridge.Tests.Infrastructure;

namespace Otklik.Bridge.Tests;

/// <summary>Inputs through the real agent host: a serial button on a pseudo-terminal, an evdev FIFO, the loopback HTTP input.</summary>
public sealed class InputTests : IAsyncLifetime
{
    private readonly TestDirectory _dir = new();
    private readonly Guid _main = Guid.NewGuid();
    private readonly Guid _side = Guid.NewGuid();
    private FakeOtklikServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOtklikServer.StartAsync();
        _server.Tokens[_main] = "main-token";
        _server.Tokens[_side] = "side-token";
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private Dictionary<string, string?> Config(params (string Key, string? Value)[] extra)
    {
        var config = new Dictionary<string, string?>
        {
            ["Bridge:ServerUrl"] = _server.Url.ToString(),
            ["Bridge:DataDirectory"] = _dir.Path,
            ["Bridge:Devices:main:DeviceId"] = _main.ToString(),
            ["Bridge:Devices:main:Token"] = "main-token",
            ["Bridge:Devices:side:DeviceId"] = _side.ToString(),
            ["Bridge:Devices:side:Token"] = "side-token",
            ["Bridge:Sender:InitialBackoff"] = "00:00:00.200",
            ["Bridge:Sender:MaxBackoff"] = "00:00:01",
        };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }
        return config;
    }

    private static async Task WaitForInputAsync(InProcessAgent agent, string name)
    {
        for (var i = 0; i < 500; i++)
        {
            var status = await agent.Queue.ReadStatusAsync();
            if (status.Inputs.Any(x => x.Name == name && x.Status is not null && !x.Status.StartsWith("error", StringComparison.Ordinal)))
            {
                return;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("input " + name + " never opened");
    }

    private List<(Guid Device, string Type)> Received() =>
        _server.Accepted.Select(e => (e.DeviceId, e.Type)).ToList();

    [Fact]
    public async Task SerialButtonOnPty_FlowsThroughAgentToServer_WithButtonMappingAndAcks()
    {
        using var pty = PseudoTerminal.Open();
        await using var agent = await InProcessAgent.StartAsync(Config(
            ("Bridge:Serial:0:Port", pty.SlavePath),
            ("Bridge:Serial:0:Device", "main"),
            ("Bridge:Serial:0:Buttons:2", "side")));
        await WaitForInputAsync(agent, "serial:" + pty.SlavePath);

        pty.Write("G\r\nR\nG 2 1\n");
        pty.Write("G 2 1\n"); // the button repeats a press it got no ACK for: same sequence, not a new press
        pty.Write("R 2 2\n");
        await Eventually.WaitAsync(() => _server.DistinctAccepted == 4, "four presses at the server");

        var ids = _server.Accepted.Select(e => e.Id).ToList();
        Assert.Equal(4, ids.Distinct().Count());
        Assert.DoesNotContain(Guid.Empty, ids);
        Assert.Equal(
            [(_main, "green"), (_main, "red"), (_side, "green"), (_side, "red")],
            Received().OrderBy(r => r.Device == _side).ThenBy(r => r.Type == "red"));
        var acks = await ReadAvailableAsync(pty.Master, "ACK 2\n");
        Assert.Equal("ACK 1\nACK 1\nACK 2\n", acks);
    }

    [Fact]
    public async Task SerialGarbage_IsIgnoredWithALogLine_AndAgentKeepsWorking()
    {
        using var pty = PseudoTerminal.Open();
        await using var agent = await InProcessAgent.StartAsync(Config(("Bridge:Serial:0:Port", pty.SlavePath)));
        await WaitForInputAsync(agent, "serial:" + pty.SlavePath);
        var random = new Random(7);

        for (var i = 0; i < 50; i++)
        {
            var chunk = new byte[random.Next(5, 120)];
            random.NextBytes(chunk);
            chunk[random.Next(chunk.Length)] = 0x81; // never a valid line, whatever else came out
            pty.Write(chunk.Select(b => b == (byte)'\n' ? (byte)'x' : b).Append((byte)'\n').ToArray());
        }
        pty.Write("BLUE\n" + new string('R', 300) + "\nG 1 notanumber\n");
        pty.Write("G\n");
        await Eventually.WaitAsync(() => _server.DistinctAccepted >= 1, "the valid press after the garbage");
        await Task.Delay(300);

        Assert.Equal([(_main, "green")], Received());
        Assert.True(agent.Logs.Lines.Count(l => l.Level == LogLevel.Warning && l.Message.Contains("ignored line", StringComparison.Ordinal)) >= 53);
        var status = await agent.Queue.ReadStatusAsync();
        Assert.Equal("open", status.Inputs.Single(i => i.Name.StartsWith("serial:", StringComparison.Ordinal)).Status);
    }

    [Fact]
    public async Task EvdevKeyboardWedge_ConfiguredKeyDownsBecomePresses()
    {
        var fifo = Path.Combine(_dir.Path, "event-kbd");
        Fifo.Create(fifo);
        await using var agent = await InProcessAgent.StartAsync(Config(
            ("Bridge:Evdev:0:Path", fifo),
            ("Bridge:Evdev:0:Device", "side"),
            ("Bridge:Evdev:0:GreenKey", "KEY_F9"),
            ("Bridge:Evdev:0:RedKey", "F10")));

        var f9 = LinuxKeysCode("KEY_F9");
        var f10 = LinuxKeysCode("KEY_F10");
        var records = new List<byte[]>
        {
            new InputEvent(4, 4, 0x70042).ToBytes(), // EV_MSC scan code, as real keyboards send
            new InputEvent(InputEvent.EvKey, f9, 1).ToBytes(1, 2),
            new InputEvent(0, 0, 0).ToBytes(), // EV_SYN
            new InputEvent(InputEvent.EvKey, f9, 2).ToBytes(), // auto-repeat: not a press
            new InputEvent(InputEvent.EvKey, f9, 0).ToBytes(), // key up
            new InputEvent(InputEvent.EvKey, 30, 1).ToBytes(), // KEY_A: not configured
            new InputEvent(InputEvent.EvKey, f10, 1).ToBytes(),
            new InputEvent(InputEvent.EvKey, f10, 0).ToBytes(),
        };
        var all = records.SelectMany(r => r).ToArray();
        await Task.Run(() =>
        {
            using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
            writer.Write(all, 0, 37); // a record split across writes
            writer.Flush();
            Thread.Sleep(50);
            writer.Write(all, 37, all.Length - 37);
        }).WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.WaitAsync(() => _server.DistinctAccepted >= 2, "two presses from the keyboard wedge");
        await Task.Delay(300);

        Assert.Equal([(_side, "green"), (_side, "red")], Received().OrderBy(r => r.Type == "red"));
        Assert.Equal(2, _server.Accepted.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task LoopbackHttp_StoresBeforeAnswering_DedupesClientIds_AndRefusesBadInput()
    {
        var port = FreePort();
        await using var agent = await InProcessAgent.StartAsync(Config(
            ("Bridge:Http:Enabled", "true"),
            ("Bridge:Http:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitForInputAsync(agent, LoopbackHttpInput.Source);
        var clientId = Guid.NewGuid();

        var batch = await http.PostAsJsonAsync("/presses", new { presses = new object[] { new { type = "green", device = "side", id = clientId }, new { type = "red" } } });
        var retry = await http.PostAsJsonAsync("/presses", new { type = "green", device = "side", id = clientId });
        var simple = await http.PostAsync("/press/red?device=side", null);
        var badType = await http.PostAsJsonAsync("/presses", new { type = "blue" });
        var badDevice = await http.PostAsJsonAsync("/presses", new { type = "green", device = "nobody" });
        var notJson = await http.PostAsync("/presses", new StringContent("G\n", Encoding.ASCII, "text/plain"));

        Assert.Equal(202, (int)batch.StatusCode);
        Assert.Equal(202, (int)retry.StatusCode);
        Assert.Equal(0, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stored").GetInt32());
        Assert.Equal(202, (int)simple.StatusCode);
        Assert.Equal([400, 400, 400], new[] { badType, badDevice, notJson }.Select(r => (int)r.StatusCode));
        await Eventually.WaitAsync(() => _server.DistinctAccepted >= 3, "three presses");
        await Task.Delay(300);
        Assert.Equal(3, _server.Accepted.Count);
        Assert.Contains(_server.Accepted, e => e.Id == clientId && e.DeviceId == _side && e.Type == "green");
        Assert.Equal(
            [(_main, "red"), (_side, "green"), (_side, "red")],
            Received().OrderBy(r => r.Device == _side).ThenBy(r => r.Type == "red"));
        var status = await http.GetFromJsonAsync<JsonElement>("/status");
        Assert.Equal(3, status.GetProperty("inputs").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "http").GetProperty("presses").GetInt64());
    }

    private static ushort LinuxKeysCode(string name)
    {
        Assert.True(LinuxKeys.TryParse(name, out var code));
        return code;
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> ReadAvailableAsync(FileStream master, string until)
    {
        var text = new StringBuilder();
        var buffer = new byte[256];
        while (!text.ToString().EndsWith(until, StringComparison.Ordinal))
        {
            var read = await Task.Run(() => master.Read(buffer, 0, buffer.Length)).WaitAsync(TimeSpan.FromSeconds(30));
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return text.ToString();
    }
}
