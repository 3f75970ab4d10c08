using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Simulation;
using Otklik.Devices.Simulator.Transport;

namespace Otklik.Bench;

/// <summary>B2 for one broker: a fixed number of QoS 1 events from connected devices, each send counted at its PUBACK.</summary>
public sealed record MqttResult(int Devices, long Sent, long Acknowledged, long Failed, double Seconds, double MessagesPerSecond,
    double P50Ms, double P99Ms, IReadOnlyDictionary<string, long> Errors);

public static class MqttPhase
{
    /// <summary>Connects every device first, warms up with <paramref name="warmup"/> events, then measures <paramref name="count"/>.</summary>
    public static async Task<MqttResult> RunAsync(OtklikServer server, IReadOnlyList<DeviceCredentials> devices, long warmup, long count,
        TimeSpan limit, CancellationToken ct)
    {
        var endpoint = new MqttEndpoint("127.0.0.1", server.MqttPort);
        var clients = devices.Select(d => new MqttDeviceClient(endpoint, d, new MqttDeviceOptions { StatusEvery = TimeSpan.Zero, Seed = 3 })).ToList();
        try
        {
            var simulated = clients.Select(c => new SimulatedDevice(c.Device, null, c)).ToList();
            SimulationOptions Options(long n, int seed) => new()
            {
                Transport = SimTransport.Mqtt, Mqtt = endpoint, Rate = 0, Count = n, Duration = limit, Concurrency = devices.Count,
                DuplicateShare = 0, RedShare = 0.15, Seed = seed,
            };
            await using (var warm = new ButtonSimulator(Options(warmup, 1), simulated))
                await warm.RunAsync(ct);
            await using var sim = new ButtonSimulator(Options(count, 2), simulated);
            var s = await sim.RunAsync(ct);
            return new MqttResult(devices.Count, s.Sent, s.Acknowledged, s.Failed + s.Unresolved, s.ElapsedSeconds, s.Throughput,
                s.LatencyMs.P50, s.LatencyMs.P99, s.Errors);
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
    }
}
