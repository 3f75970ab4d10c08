using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Protocol;
using Otklik.Devices.Simulator.Transport;

namespace Otklik.Bench;

/// <summary>Latency percentiles in milliseconds; <see cref="Missing"/> = presses whose message never came.</summary>
public sealed record LatencyStats(int Count, int Missing, double P50, double P95, double P99, double Max)
{
    public static LatencyStats From(List<double> millis, int missing)
    {
        if (millis.Count == 0) return new(0, missing, 0, 0, 0, 0);
        millis.Sort();
        double P(double p) => Math.Round(millis[Math.Clamp((int)Math.Ceiling(p * millis.Count) - 1, 0, millis.Count - 1)], 1);
        return new(millis.Count, missing, P(0.50), P(0.95), P(0.99), Math.Round(millis[^1], 1));
    }
}

/// <summary>B3: the red-press latency a live screen sees. Which message carried it: "alertRaised" or (before alerts existed) "presses".</summary>
public sealed record AlertLatency(string Message, LatencyStats Stats, LatencyStats PressesStats, LatencyStats? AlertStats, double Rate, int Devices);

/// <summary>
/// A SignalR client on /hubs/live with a location manager's key, and red presses over HTTP from that location's own buttons
/// at a steady rate; each press is timed from just before its request to the message that reports it. Buttons take turns so
/// no press falls in another's suppression window (a suppressed press raises no alert).
/// </summary>
public sealed class AlertProbe : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly HttpClient _http = HttpDeviceClient.CreateHttpClient(32);
    private readonly List<(DeviceCredentials Device, string Name, HttpDeviceClient Client)> _devices;
    private readonly ConcurrentDictionary<string, long> _pressPending = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, long> _alertPending = new(StringComparer.Ordinal);
    private readonly List<double> _pressLatencies = [];
    private readonly List<double> _alertLatencies = [];
    private readonly Lock _gate = new();
    private readonly Uri _server;

    public AlertProbe(Uri server, string apiKey, IReadOnlyList<DeviceCredentials> devices, string namePrefix)
    {
        _server = server;
        _devices = devices.Select((d, i) => (d, $"{namePrefix} {i + 1}", new HttpDeviceClient(_http, server, d, RetryPolicy.Default))).ToList();
        _hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server, "hubs/live"), o => o.Headers["X-Api-Key"] = apiKey)
            .Build();
        _hub.On<JsonElement>("presses", list =>
        {
            foreach (var p in list.EnumerateArray())
            {
                if (p.TryGetProperty("deviceId", out var id)) Complete(_pressPending, id.GetString()!, _pressLatencies);
            }
        });
        _hub.On<JsonElement>("alertRaised", alert =>
        {
            if (alert.TryGetProperty("deviceName", out var name) && name.GetString() is { } n) Complete(_alertPending, n, _alertLatencies);
        });
    }

    public Task ConnectAsync(CancellationToken ct) => _hub.StartAsync(ct);

    /// <summary>Presses red at <paramref name="rate"/> per second for <paramref name="duration"/>, then waits a little for late messages.</summary>
    public async Task<AlertLatency> RunAsync(double rate, TimeSpan duration, CancellationToken ct)
    {
        if (_devices.Count / rate < 3.5)
            throw new ArgumentException($"{_devices.Count} buttons at {rate}/s would press one button within the 3 s suppression window.");
        // One request first so the measured ones do not pay for the TCP connection.
        using (await _http.GetAsync(new Uri(_server, "health"), ct)) { }
        var sends = new List<Task>();
        var clock = Stopwatch.StartNew();
        var n = 0;
        while (clock.Elapsed < duration)
        {
            var due = TimeSpan.FromSeconds(n / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, ct);
            var (device, name, client) = _devices[n % _devices.Count];
            n++;
            var started = Stopwatch.GetTimestamp();
            _pressPending[device.Id] = started;
            _alertPending[name] = started;
            sends.Add(client.SendAsync([ButtonEvent.New(ButtonColor.Red, DateTimeOffset.Now)], ct));
        }
        await Task.WhenAll(sends);
        var deadline = Stopwatch.StartNew();
        while ((!_pressPending.IsEmpty || (_alertLatencies.Count > 0 && !_alertPending.IsEmpty)) && deadline.Elapsed < TimeSpan.FromSeconds(3))
            await Task.Delay(50, ct);
        List<double> presses, alerts;
        lock (_gate)
        {
            presses = [.. _pressLatencies];
            alerts = [.. _alertLatencies];
        }
        var pressStats = LatencyStats.From(presses, _pressPending.Count);
        var alertStats = alerts.Count > 0 ? LatencyStats.From(alerts, _alertPending.Count) : null;
        return alertStats is not null
            ? new AlertLatency("alertRaised", alertStats, pressStats, alertStats, rate, _devices.Count)
            : new AlertLatency("presses", pressStats, pressStats, null, rate, _devices.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await _hub.DisposeAsync();
        _http.Dispose();
    }

    private void Complete(ConcurrentDictionary<string, long> pending, string key, List<double> into)
    {
        if (!pending.TryRemove(key, out var started)) return;
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        lock (_gate) into.Add(ms);
    }
}
