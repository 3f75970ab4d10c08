using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otklik.Devices.Simulator.Protocol;

/// <summary>The colour of a loyalty button press.</summary>
public enum ButtonColor
{
    /// <summary>The visitor was happy.</summary>
    [JsonStringEnumMemberName("green")] Green,

    /// <summary>The visitor was unhappy.</summary>
    [JsonStringEnumMemberName("red")] Red,
}

/// <summary>
/// One button press as the device reports it: <c>{"id":"…","type":"green"|"red","at":"…"}</c>.
/// The id is made by the device and stays the same on every retry, so the server can drop doubles.
/// </summary>
public sealed record ButtonEvent(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("type")] ButtonColor Type,
    [property: JsonPropertyName("at")] DateTimeOffset At)
{
    /// <summary>A fresh press with a new time-ordered id.</summary>
    public static ButtonEvent New(ButtonColor type, DateTimeOffset at) => new(Guid.CreateVersion7(at), type, at);
}

/// <summary>Several presses in one request or message: <c>{"events":[…]}</c> (at most <see cref="DeviceProtocol.MaxBatch"/>).</summary>
public sealed record ButtonEventBatch([property: JsonPropertyName("events")] IReadOnlyList<ButtonEvent> Events);

/// <summary>
/// An event of the other device kinds a store has, in the same protocol as presses:
/// a visitor counter's interval <c>{"id","type":"visitors","in","out","from","to"}</c>, or a seller's activity button
/// recording a sales attempt <c>{"id","type":"sales-attempt","at"}</c>. Absent fields are not written.
/// </summary>
public sealed record StoreEvent(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("at")] DateTimeOffset? At = null,
    [property: JsonPropertyName("in")] int? In = null,
    [property: JsonPropertyName("out")] int? Out = null,
    [property: JsonPropertyName("from")] DateTimeOffset? From = null,
    [property: JsonPropertyName("to")] DateTimeOffset? To = null)
{
    public const string VisitorsType = "visitors";
    public const string SalesAttemptType = "sales-attempt";

    /// <summary>Visitors a counter saw between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public static StoreEvent Visitors(int @in, int @out, DateTimeOffset from, DateTimeOffset to) =>
        new(Guid.CreateVersion7(to), VisitorsType, In: @in, Out: @out, From: from, To: to);

    /// <summary>A seller approached a visitor.</summary>
    public static StoreEvent SalesAttempt(DateTimeOffset at) => new(Guid.CreateVersion7(at), SalesAttemptType, At: at);
}

public sealed record StoreEventBatch([property: JsonPropertyName("events")] IReadOnlyList<StoreEvent> Events);

/// <summary>The server's answer to an accepted HTTP post: both counts mean "stored, done".</summary>
public sealed record IngestAnswer(
    [property: JsonPropertyName("accepted")] int Accepted,
    [property: JsonPropertyName("duplicates")] int Duplicates);

/// <summary>A device's health report on <c>otklik/devices/{id}/status</c>.</summary>
public sealed record DeviceStatus(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("battery")] int Battery,
    [property: JsonPropertyName("signal")] int Signal,
    [property: JsonPropertyName("firmware")] string Firmware);

/// <summary>Addresses and encoding of the SMART button protocol (HTTPS and MQTT).</summary>
public static class DeviceProtocol
{
    /// <summary>Most events the server takes in one request or message.</summary>
    public const int MaxBatch = 1000;

    /// <summary>What the simulator reports as its firmware.</summary>
    public const string Firmware = "sim/1.0";

    public static string EventsPath(string deviceId) => $"api/v1/devices/{Uri.EscapeDataString(deviceId)}/events";

    public static string EventsTopic(string deviceId) => $"otklik/devices/{deviceId}/events";

    public static string StatusTopic(string deviceId) => $"otklik/devices/{deviceId}/status";

    public static string ConfigTopic(string deviceId) => $"otklik/devices/{deviceId}/config";

    /// <summary>One event is sent bare, several as <c>{"events":[…]}</c>.</summary>
    public static byte[] EncodeEvents(IReadOnlyList<ButtonEvent> events) => events.Count == 1
        ? JsonSerializer.SerializeToUtf8Bytes(events[0], ProtocolJson.Default.ButtonEvent)
        : JsonSerializer.SerializeToUtf8Bytes(new ButtonEventBatch(events), ProtocolJson.Default.ButtonEventBatch);

    /// <summary>Reads either shape back (used by the test fakes and handy for tools).</summary>
    public static IReadOnlyList<ButtonEvent> DecodeEvents(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        return doc.RootElement.TryGetProperty("events", out _)
            ? doc.RootElement.Deserialize(ProtocolJson.Default.ButtonEventBatch)!.Events
            : [doc.RootElement.Deserialize(ProtocolJson.Default.ButtonEvent)!];
    }

    /// <summary>Visitor counts or sales attempts: one bare, several as <c>{"events":[…]}</c>.</summary>
    public static byte[] EncodeStoreEvents(IReadOnlyList<StoreEvent> events) => events.Count == 1
        ? JsonSerializer.SerializeToUtf8Bytes(events[0], ProtocolJson.Default.StoreEvent)
        : JsonSerializer.SerializeToUtf8Bytes(new StoreEventBatch(events), ProtocolJson.Default.StoreEventBatch);

    public static byte[] EncodeStatus(DeviceStatus status) => JsonSerializer.SerializeToUtf8Bytes(status, ProtocolJson.Default.DeviceStatus);
}

[JsonSerializable(typeof(ButtonEvent))]
[JsonSerializable(typeof(ButtonEventBatch))]
[JsonSerializable(typeof(StoreEvent))]
[JsonSerializable(typeof(StoreEventBatch))]
[JsonSerializable(typeof(IngestAnswer))]
[JsonSerializable(typeof(DeviceStatus))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class ProtocolJson : JsonSerializerContext;
