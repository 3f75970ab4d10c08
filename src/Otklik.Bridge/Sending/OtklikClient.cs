using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Otklik.Bridge.Queue;

namespace Otklik.Bridge.Sending;

public enum SendOutcome
{
    /// <summary>2xx: the server has stored (or already had) every event; delete them.</summary>
    Accepted,

    /// <summary>400: something in the batch is malformed.</summary>
    BadRequest,

    /// <summary>401/403/404: the token or the device id is wrong; keep everything and complain.</summary>
    Unauthorized,

    /// <summary>429, 5xx, timeouts, network errors: try again later.</summary>
    Transient,
}

public sealed record SendResult(SendOutcome Outcome, string Detail);

internal sealed record WireEvent(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("clockOffsetMs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ClockOffsetMs);

internal sealed record WireBatch([property: JsonPropertyName("events")] IReadOnlyList<WireEvent> Events);

internal sealed record WireHeartbeat(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("firmware")] string Firmware,
    [property: JsonPropertyName("queueLength")] long QueueLength,
    [property: JsonPropertyName("clockOffsetMs")] long? ClockOffsetMs,
    [property: JsonPropertyName("lastError")] string? LastError);

public sealed record PairedDevice(
    [property: JsonPropertyName("deviceId")] Guid DeviceId,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("kind")] string? Kind);

/// <summary>The device protocol of the Otklik server, as the bridge uses it.</summary>
public sealed class OtklikClient(HttpClient http, ClockOffset clock, TimeProvider time)
{
    public static readonly string Firmware = "otklik-bridge/" +
        (typeof(OtklikClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    public async Task<SendResult> SendEventsAsync(Uri server, DeviceCredentials device, IReadOnlyList<Press> presses, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var currentOffset = clock.OffsetMs;
        var batch = new WireBatch(presses.Select(p => new WireEvent(p.Id, p.Type.ToWire(), p.At, p.ClockOffsetMs ?? currentOffset)).ToList());
        using var request = new HttpRequestMessage(HttpMethod.Post, DeviceUri(server, device.DeviceId, "events"))
        {
            Content = JsonContent.Create(batch),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", device.Token);
        return await SendAsync(request, timeout, cancellationToken);
    }

    public async Task<SendResult> SendHeartbeatAsync(Uri server, DeviceCredentials device, long queueLength, string? lastError, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var body = new WireHeartbeat(time.GetLocalNow(), Firmware, queueLength, clock.OffsetMs, lastError);
        using var request = new HttpRequestMessage(HttpMethod.Post, DeviceUri(server, device.DeviceId, "heartbeat"))
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", device.Token);
        return await SendAsync(request, timeout, cancellationToken);
    }

    /// <summary>Exchanges a pairing code from the Otklik UI for device credentials; null for an unknown or expired code.</summary>
    public static async Task<PairedDevice?> PairAsync(HttpClient http, Uri server, string code, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri(Base(server), "api/v1/devices/pair"), new { code }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"Pairing failed: HTTP {(int)response.StatusCode} {Shorten(text)}", null, response.StatusCode);
        }
        return await response.Content.ReadFromJsonAsync<PairedDevice>(cancellationToken)
            ?? throw new JsonException("Pairing answer was empty.");
    }

    private async Task<SendResult> SendAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // The timeout runs on the injected clock so tests can trigger it without waiting.
        using var timeoutCts = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var sentAt = time.GetUtcNow();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            await clock.ObserveAsync(response.Headers, sentAt, time.GetUtcNow(), cancellationToken);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new SendResult(SendOutcome.Accepted, $"HTTP {code}");
            }
            var text = Shorten(await response.Content.ReadAsStringAsync(linked.Token));
            var detail = $"HTTP {code} {response.ReasonPhrase} {text}".Trim();
            return response.StatusCode switch
            {
                HttpStatusCode.BadRequest => new SendResult(SendOutcome.BadRequest, detail),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound => new SendResult(SendOutcome.Unauthorized, detail),
                _ => new SendResult(SendOutcome.Transient, detail),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendResult(SendOutcome.Transient, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no answer within {timeout.TotalSeconds:0.#} s"));
        }
        catch (HttpRequestException e)
        {
            return new SendResult(SendOutcome.Transient, e.Message);
        }
    }

    private static Uri DeviceUri(Uri server, Guid deviceId, string what) =>
        new(Base(server), $"api/v1/devices/{deviceId:D}/{what}");

    private static Uri Base(Uri server) =>
        server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
