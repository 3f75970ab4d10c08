using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Live;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Bridge;

/// <summary>
/// A START button on a pseudo-terminal → the real bridge agent (paired with a code from Otklik) → Otklik → the live hub.
/// </summary>
public sealed class BridgeEndToEndTests(SqliteApp app) : IClassFixture<SqliteApp>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("otklik-bridge-e2e-").FullName;
    private readonly List<Process> _processes = [];

    [Fact]
    public async Task APressOnASerialButton_FlowsThroughTheAgent_ToTheLiveHub()
    {
        var seed = await Seed.CreateAsync(app);
        var deviceId = seed.OtherDevice.Device.Id;
        using var owner = seed.Org.Owner();
        var code = await (await owner.PostAsync($"/api/v1/devices/{deviceId}/pairing-code", null)).ReadAsync<PairingCodeDto>();

        var pair = Start("pair", "--server", app.BaseAddress.ToString(), "--code", code.Code);
        await pair.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(pair.ExitCode == 0, "pair failed: " + await pair.StandardError.ReadToEndAsync());

        var (button, agentPort) = await PtyPairAsync();
        var live = new ConcurrentQueue<PressRecorded>();
        var hub = new HubConnectionBuilder().WithUrl(new Uri(app.BaseAddress, LiveHub.Path), o => o.Headers["X-Api-Key"] = seed.Org.OwnerKey).Build();
        hub.On<List<PressRecorded>>("presses", batch => { foreach (var p in batch) live.Enqueue(p); });
        await hub.StartAsync();
        await using var _ = hub;

        Start("--Bridge:Serial:0:Port=" + agentPort, "--Bridge:HeartbeatInterval=00:00:01");
        // The button sends one line per press: red, button 1, sequence 1.
        await using (var tty = new FileStream(button, FileMode.Open, FileAccess.Write))
        {
            await tty.WriteAsync("R 1 1\n"u8.ToArray());
            await tty.FlushAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (live.IsEmpty) await Task.Delay(50, timeout.Token);
        var stored = await app.WithDbAsync(db => db.ButtonPresses.Where(p => p.DeviceId == deviceId).ToListAsync(), seed.Org.Id);
        Device device;
        do
        {
            device = await app.WithDbAsync(db => db.Devices.SingleAsync(d => d.Id == deviceId), seed.Org.Id);
            if (device.Firmware is null) await Task.Delay(100, timeout.Token);
        }
        while (device.Firmware is null);

        var press = Assert.Single(stored);
        Assert.Equal((PressType.Red, seed.OtherLocation.Id), (press.Type, press.LocationId));
        Assert.Equal(press.Id, Assert.Single(live).PressId);
        Assert.StartsWith("otklik-bridge", device.Firmware, StringComparison.Ordinal);
    }

    private Process Start(params string[] args)
    {
        var dll = BridgeDll();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(dll)! };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["Bridge__DataDirectory"] = _folder;
        info.Environment["Bridge__ServerUrl"] = app.BaseAddress.ToString();
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = Process.Start(info)!;
        _processes.Add(process);
        return process;
    }

    /// <summary>Two linked pseudo-terminals from socat: one for the button, one for the agent.</summary>
    private async Task<(string Button, string Agent)> PtyPairAsync()
    {
        var button = Path.Combine(_folder, "button");
        var agent = Path.Combine(_folder, "agent");
        var info = new ProcessStartInfo("socat") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "-d", "-d", $"pty,raw,echo=0,link={button}", $"pty,raw,echo=0,link={agent}" }) info.ArgumentList.Add(a);
        _processes.Add(Process.Start(info) ?? throw new InvalidOperationException("socat is needed (apt-get install socat; ./test.sh installs it)"));
        for (var i = 0; i < 100 && !(File.Exists(button) && File.Exists(agent)); i++) await Task.Delay(50);
        Assert.True(File.Exists(agent), "socat did not create the pseudo-terminals");
        return (button, agent);
    }

    private static string BridgeDll()
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dir = new DirectoryInfo(here);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Otklik.slnx"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "src", "Otklik.Bridge", "bin", configuration, "net10.0", "otklik-bridge.dll");
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
