using System.Globalization;
using Otklik.Devices.Simulator.Devices;

namespace Otklik.Bench;

/// <summary>Everything measured for one database in one run.</summary>
public sealed record DatabaseRun(
    string Database,
    DateTimeOffset StartedAt,
    string LoadTool,
    int WrkThreads,
    int Connections,
    double PhaseSeconds,
    int LoadDevices,
    WrkResult Hello,
    WrkResult Ingest,
    AlertLatency Alerts,
    MqttResult MqttBaseline,
    MqttResult MqttStored,
    MemoryPeak HelloMemory,
    MemoryPeak IngestMemory,
    MemoryPeak MqttBaselineMemory,
    MemoryPeak MqttStoredMemory,
    FsyncResult Fsync,
    double TotalSeconds)
{
    /// <summary>Little's law: each of the connections waits for at least one fsync per request.</summary>
    public double IngestCeiling => Connections / (Fsync.P50Ms / 1000.0);

    public double IngestRatio => Ingest.RequestsPerSecond / Hello.RequestsPerSecond;
    public double MqttRatio => MqttStored.MessagesPerSecond / MqttBaseline.MessagesPerSecond;

    public IReadOnlyList<Verdict> Verdicts =>
    [
        new("B1 HTTP ingestion ≥ 0.5× hello", IngestRatio >= 0.5 && Ingest.Errors == 0),
        new("B2 MQTT QoS 1 ≥ 0.5× no-storage broker", MqttRatio >= 0.5 && MqttStored.Failed == 0),
        new("B3 red press → live client p99 < 200 ms", Alerts.Stats.P99 < 200 && Alerts.Stats.Count >= 200 && Alerts.Stats.Missing == 0),
    ];
}

public sealed record Verdict(string Target, bool Met);

/// <summary>One database: two Otklik starts (MQTT storage off, then on), B2's baseline on the first, B1, B3 and B2 on the second.</summary>
internal static class BenchRun
{
    public static async Task<DatabaseRun> RunAsync(Args o, CancellationToken ct)
    {
        var started = DateTimeOffset.Now;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var provider = o.Required("database").ToLowerInvariant() switch
        {
            "sqlite" => "Sqlite",
            "postgres" or "postgresql" => "Postgres",
            var other => throw new ArgumentException($"Unknown database '{other}'."),
        };
        var work = o.Get("work", Path.Combine(Path.GetTempPath(), "otklik-bench"));
        Directory.CreateDirectory(work);
        var database = new DatabaseTarget(provider, provider == "Postgres" ? o.Required("postgres") : null, work);
        var webDll = Path.GetFullPath(o.Required("web-dll"));
        var phase = TimeSpan.FromSeconds(o.Int("seconds", 20));
        var warm = TimeSpan.FromSeconds(o.Int("warmup-seconds", 3));
        var connections = o.Int("connections", 64);
        var threads = o.Int("threads", 1);
        var mqttDevices = o.Int("mqtt-devices", 200);
        var loadDevices = Math.Max(o.Int("load-devices", 500), mqttDevices);
        var mqttCount = o.Int("mqtt-count", 40_000);
        var alertRate = o.Double("alert-rate", 15);
        var alertDevices = o.Int("alert-devices", 60);
        var redShare = o.Double("red-share", 0.15);
        var useWrk = Wrk.Available() && o.Get("load", "wrk") == "wrk";
        var wrk = new Wrk(threads, connections);
        var dotnetLoad = new DotnetLoad(connections);
        var fsync = FsyncResult.Measure(work);
        void Say(string text) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{database.Label} {clock.Elapsed.TotalSeconds,6:F1}s] {text}"));
        Say(string.Create(CultureInfo.InvariantCulture, $"fsync of 4 KiB in {work}: p50 {fsync.P50Ms} ms, p99 {fsync.P99Ms} ms"));
        if (!useWrk) Say("wrk is not installed: using the .NET load client instead (ratios are not comparable with wrk's)");

        // B2 baseline: the same broker acknowledging valid events without storing them.
        MqttResult mqttBaseline;
        MemoryPeak mqttBaselineMemory;
        await using (var server = await OtklikServer.StartAsync(webDll, database, "nostore", skipMqttStorage: true, ct))
        {
            using var provisioning = new Provisioning(server);
            var location = await provisioning.CreateLocationAsync("Bench MQTT", ct);
            var devices = await provisioning.CreateDevicesAsync(location, mqttDevices, "B2 button", ct);
            Say($"B2 baseline (MQTT, storage off): {mqttDevices} devices, {mqttCount} events");
            var memory = MemorySampler.Start(server.ProcessId);
            mqttBaseline = await MqttPhase.RunAsync(server, devices, mqttCount / 10, mqttCount, TimeSpan.FromSeconds(60), ct);
            mqttBaselineMemory = await memory.StopAsync();
            Say(string.Create(CultureInfo.InvariantCulture, $"  {mqttBaseline.MessagesPerSecond:F0} msg/s, p50 {mqttBaseline.P50Ms} ms, p99 {mqttBaseline.P99Ms} ms"));
        }

        await using var otklik = await OtklikServer.StartAsync(webDll, database, "stored", skipMqttStorage: false, ct);
        using var setup = new Provisioning(otklik);
        var loadLocation = await setup.CreateLocationAsync("Bench load", ct);
        var alertLocation = await setup.CreateLocationAsync("Bench alerts", ct);
        Say($"provisioning {loadDevices} load buttons and {alertDevices} alert buttons");
        var load = await setup.CreateDevicesAsync(loadLocation, loadDevices, "Load button", ct);
        var alertButtons = await setup.CreateDevicesAsync(alertLocation, alertDevices, "B3 button", ct);
        var liveKey = await setup.CreateLocationKeyAsync(alertLocation, ct);
        var deviceFile = Path.Combine(work, $"devices-{provider}.txt");
        await File.WriteAllLinesAsync(deviceFile, load.Select(d => $"{d.Id} {d.Token}"), ct);

        Task<WrkResult> Hello(TimeSpan d) => useWrk ? wrk.HelloAsync(otklik.BaseAddress, d, ct) : dotnetLoad.HelloAsync(otklik.BaseAddress, d, ct);
        Task<WrkResult> Ingest(TimeSpan d) => useWrk
            ? wrk.IngestAsync(otklik.BaseAddress, deviceFile, redShare, d, ct)
            : dotnetLoad.IngestAsync(otklik.BaseAddress, load, redShare, d, ct);

        Say("warming up");
        await Hello(warm);
        await Ingest(warm);

        Say($"B1 baseline: GET /bench/hello, {connections} connections, {phase.TotalSeconds} s");
        var helloMemory = MemorySampler.Start(otklik.ProcessId);
        var hello = await Hello(phase);
        var helloPeak = await helloMemory.StopAsync();
        Say(string.Create(CultureInfo.InvariantCulture, $"  {hello.RequestsPerSecond:F0} req/s, p50 {hello.P50Ms} ms, p99 {hello.P99Ms} ms"));

        await using var probe = new AlertProbe(otklik.BaseAddress, liveKey, alertButtons, "B3 button");
        await probe.ConnectAsync(ct);
        Say($"B1 ingestion + B3: {loadDevices} buttons, {connections} connections, {phase.TotalSeconds} s; red presses at {alertRate}/s on {alertDevices} other buttons");
        var ingestMemory = MemorySampler.Start(otklik.ProcessId);
        var ingestTask = Ingest(phase);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var alerts = await probe.RunAsync(alertRate, phase - TimeSpan.FromSeconds(2.5), ct);
        var ingest = await ingestTask;
        var ingestPeak = await ingestMemory.StopAsync();
        Say(string.Create(CultureInfo.InvariantCulture,
            $"  {ingest.RequestsPerSecond:F0} req/s ({ingest.Errors} errors), p50 {ingest.P50Ms} ms, p99 {ingest.P99Ms} ms; B3 via {alerts.Message}: n={alerts.Stats.Count} p50 {alerts.Stats.P50} p99 {alerts.Stats.P99} ms"));

        Say($"B2 stored: {mqttDevices} devices, {mqttCount} events");
        var mqttMemory = MemorySampler.Start(otklik.ProcessId);
        var mqttStored = await MqttPhase.RunAsync(otklik, load.Take(mqttDevices).ToList(), mqttCount / 10, mqttCount, TimeSpan.FromSeconds(60), ct);
        var mqttPeak = await mqttMemory.StopAsync();
        Say(string.Create(CultureInfo.InvariantCulture, $"  {mqttStored.MessagesPerSecond:F0} msg/s, p50 {mqttStored.P50Ms} ms, p99 {mqttStored.P99Ms} ms"));

        return new DatabaseRun(database.Label, started, useWrk ? "wrk" : ".NET load client", threads, connections, phase.TotalSeconds, loadDevices,
            hello, ingest, alerts, mqttBaseline, mqttStored, helloPeak, ingestPeak, mqttBaselineMemory, mqttPeak, fsync, Math.Round(clock.Elapsed.TotalSeconds, 1));
    }
}
