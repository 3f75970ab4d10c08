using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Otklik.Devices.Simulator.Devices;

namespace Otklik.Bench;

/// <summary>
/// The fallback when wrk is not installed: closed-loop HTTP/1.1 load from <c>connections</c> tasks, same requests as
/// ingest.lua. It costs more CPU than wrk on the same cores, so its ratios are not comparable with wrk's.
/// </summary>
public sealed class DotnetLoad(int connections)
{
    public Task<WrkResult> HelloAsync(Uri server, TimeSpan duration, CancellationToken ct) =>
        RunAsync(server, duration, _ => new HttpRequestMessage(HttpMethod.Get, new Uri(server, "bench/hello")), ct);

    public Task<WrkResult> IngestAsync(Uri server, IReadOnlyList<DeviceCredentials> devices, double redShare, TimeSpan duration, CancellationToken ct) =>
        RunAsync(server, duration, n =>
        {
            var device = devices[(int)(n % devices.Count)];
            var type = Random.Shared.NextDouble() < redShare ? "red" : "green";
            var at = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, $"api/v1/devices/{device.Id}/events"))
            {
                Content = new StringContent($$"""{"id":"{{Guid.NewGuid()}}","type":"{{type}}","at":"{{at}}"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", device.Token);
            return request;
        }, ct);

    private async Task<WrkResult> RunAsync(Uri server, TimeSpan duration, Func<long, HttpRequestMessage> make, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(10),
            DefaultRequestVersion = HttpVersion.Version11,
        };
        var latencies = new List<long>[connections];
        long sequence = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(async w =>
        {
            var mine = latencies[w] = [];
            while (clock.Elapsed < duration && !ct.IsCancellationRequested)
            {
                using var request = make(Interlocked.Increment(ref sequence));
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request, ct);
                    await response.Content.ReadAsByteArrayAsync(ct);
                    if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }
                mine.Add((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        }).ToList();
        await Task.WhenAll(workers);
        clock.Stop();
        var all = latencies.SelectMany(l => l).Order().ToList();
        long P(double p) => all.Count == 0 ? 0 : all[Math.Clamp((int)Math.Ceiling(p * all.Count) - 1, 0, all.Count - 1)];
        return new WrkResult(all.Count, (long)clock.Elapsed.TotalMicroseconds, errors, 0, 0, 0, 0, P(0.5), P(0.9), P(0.99),
            all.Count == 0 ? 0 : all[^1], all.Count == 0 ? 0 : all.Average());
    }
}
