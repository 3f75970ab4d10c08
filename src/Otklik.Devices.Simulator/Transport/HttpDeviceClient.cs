using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Protocol;

namespace Otklik.Devices.Simulator.Transport;

/// <summary>
/// A SMART button speaking HTTPS: <c>POST {server}/api/v1/devices/{id}/events</c> with its bearer token.
/// 202 = durable; 400 and other 4xx = rejected, not retried; 401 = wrong token; 408/429/5xx, timeouts and
/// network errors = retried with the same body (so the same event ids) after back-off.
/// </summary>
public sealed class HttpDeviceClient : IDeviceClient
{
    private readonly HttpClient _http;
    private readonly Uri _eventsUri;
    private readonly RetryPolicy _retry;
    private readonly AuthenticationHeaderValue _auth;

    /// <param name="http">Shared by many devices; not disposed here. Make one with <see cref="CreateHttpClient"/>.</param>
    /// <param name="server">Otklik's address, e.g. <c>http://localhost:5080</c>.</param>
    public HttpDeviceClient(HttpClient http, Uri server, DeviceCredentials device, RetryPolicy? retry = null)
    {
        _http = http;
        Device = device;
        _retry = retry ?? RetryPolicy.Default;
        _eventsUri = new Uri(WithTrailingSlash(server), DeviceProtocol.EventsPath(device.Id));
        _auth = new AuthenticationHeaderValue("Bearer", device.Token);
    }

    public DeviceCredentials Device { get; }

    public string Transport => "http";

    /// <summary>An HttpClient fit for many simulated devices: enough pooled connections, no global timeout (each attempt has its own).</summary>
    public static HttpClient CreateHttpClient(int maxConnections = 256) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public Task<SendResult> SendAsync(IReadOnlyList<ButtonEvent> events, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(events.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events.Count, DeviceProtocol.MaxBatch);
        return SendBodyAsync(DeviceProtocol.EncodeEvents(events), events.Count, ct);
    }

    public Task<SendResult> SendAsync(IReadOnlyList<StoreEvent> events, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(events.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events.Count, DeviceProtocol.MaxBatch);
        return SendBodyAsync(DeviceProtocol.EncodeStoreEvents(events), events.Count, ct);
    }

    private async Task<SendResult> SendBodyAsync(byte[] body, int count, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var retries = new List<string>();
        for (var attempt = 1; ; attempt++)
        {
            string kind;
            TimeSpan? retryAfter = null;
            using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                attemptCts.CancelAfter(_retry.AttemptTimeout);
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, _eventsUri) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    request.Headers.Authorization = _auth;
                    using var response = await _http.SendAsync(request, attemptCts.Token);
                    var status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        var answer = await ReadAnswerAsync(response, count, attemptCts.Token);
                        return new SendResult(SendOutcome.Acknowledged, answer.Accepted, answer.Duplicates, attempt,
                            Stopwatch.GetElapsedTime(started), null, retries);
                    }
                    kind = $"http-{status}";
                    if (status is 408 or 429 || status >= 500)
                    {
                        retryAfter = RetryAfter(response);
                    }
                    else
                    {
                        var detail = await response.Content.ReadAsStringAsync(attemptCts.Token);
                        var outcome = status == 401 ? SendOutcome.Unauthorized : SendOutcome.Rejected;
                        return new SendResult(outcome, 0, 0, attempt, Stopwatch.GetElapsedTime(started), kind, retries, detail);
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return Cancelled(attempt, started, retries);
                }
                catch (OperationCanceledException)
                {
                    kind = "timeout";
                }
                catch (HttpRequestException)
                {
                    kind = "network";
                }
                catch (IOException)
                {
                    kind = "network";
                }
            }
            if (attempt >= _retry.MaxAttempts)
                return new SendResult(SendOutcome.GaveUp, 0, 0, attempt, Stopwatch.GetElapsedTime(started), kind, retries);
            retries.Add(kind);
            try
            {
                await Task.Delay(_retry.DelayBefore(attempt, retryAfter), ct);
            }
            catch (OperationCanceledException)
            {
                return Cancelled(attempt, started, retries);
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static SendResult Cancelled(int attempts, long started, List<string> retries) =>
        new(SendOutcome.Cancelled, 0, 0, attempts, Stopwatch.GetElapsedTime(started), "cancelled", retries);

    private static async Task<IngestAnswer> ReadAnswerAsync(HttpResponseMessage response, int sent, CancellationToken ct)
    {
        // A 2xx is the durable promise; the counts are a bonus, so a missing or odd body still counts as accepted.
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            if (bytes.Length > 0 && JsonSerializer.Deserialize(bytes, ProtocolJson.Default.IngestAnswer) is { } answer)
                return answer;
        }
        catch (JsonException)
        {
        }
        return new IngestAnswer(sent, 0);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - DateTimeOffset.UtcNow;
        return null;
    }

    private static Uri WithTrailingSlash(Uri server) =>
        server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
}
