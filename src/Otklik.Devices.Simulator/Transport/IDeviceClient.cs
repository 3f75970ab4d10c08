using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Protocol;

namespace Otklik.Devices.Simulator.Transport;

/// <summary>One device's connection to Otklik over one transport.</summary>
public interface IDeviceClient : IAsyncDisposable
{
    DeviceCredentials Device { get; }

    /// <summary><c>"http"</c> or <c>"mqtt"</c>.</summary>
    string Transport { get; }

    /// <summary>
    /// Sends the events (one bare, several as a batch) and retries with the same ids until the server says they are durable,
    /// the server rejects them, or the retry policy gives up. Never throws for network or server trouble: read the result.
    /// </summary>
    Task<SendResult> SendAsync(IReadOnlyList<ButtonEvent> events, CancellationToken ct = default);

    /// <summary>The same for a visitor counter's counts or a seller button's sales attempts.</summary>
    Task<SendResult> SendAsync(IReadOnlyList<StoreEvent> events, CancellationToken ct = default);
}

public enum SendOutcome
{
    /// <summary>HTTP 2xx or MQTT PUBACK success: the server holds the events durably.</summary>
    Acknowledged,

    /// <summary>The server refused the events (HTTP 400 and other 4xx, MQTT PUBACK "payload format invalid"…): not retried.</summary>
    Rejected,

    /// <summary>Wrong device id or token (HTTP 401, MQTT bad user name or password): not retried.</summary>
    Unauthorized,

    /// <summary>Every attempt failed with a retryable error (5xx, 429, timeouts, network).</summary>
    GaveUp,

    /// <summary>The caller cancelled before an answer came; the server may or may not hold the events.</summary>
    Cancelled,
}

/// <summary>What became of one send.</summary>
/// <param name="Accepted">New events the server stored (HTTP answer; MQTT: the event count on success).</param>
/// <param name="Duplicates">Events the server already had (HTTP answer only; MQTT cannot tell).</param>
/// <param name="Attempts">Attempts made, the first one included.</param>
/// <param name="Latency">From the first attempt until the final answer, retries and back-off included.</param>
/// <param name="ErrorKind">The last failure, e.g. <c>http-503</c>, <c>timeout</c>, <c>network</c>, <c>puback-UnspecifiedError</c>.</param>
/// <param name="RetryReasons">Why each retry happened, in order.</param>
/// <param name="Detail">The server's words on a rejection (ProblemDetails body, reason string).</param>
public sealed record SendResult(
    SendOutcome Outcome,
    int Accepted,
    int Duplicates,
    int Attempts,
    TimeSpan Latency,
    string? ErrorKind,
    IReadOnlyList<string> RetryReasons,
    string? Detail = null)
{
    public bool IsAcknowledged => Outcome == SendOutcome.Acknowledged;
}
