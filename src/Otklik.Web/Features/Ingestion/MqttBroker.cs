using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Live;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Ingestion;

public sealed class MqttOptions
{
    public const string Section = "Otklik:Mqtt";
    /// <summary>"Embedded" (default): Otklik hosts the broker. "Off": no MQTT.</summary>
    public string Mode { get; set; } = "Embedded";
    public int Port { get; set; } = 1883;
    /// <summary>Optional TLS listener: a port and a PFX certificate.</summary>
    public int? TlsPort { get; set; }
    public string? TlsCertificatePath { get; set; }
    public string? TlsCertificatePassword { get; set; }
    /// <summary>Seconds between status messages a device is asked to send (in its retained config).</summary>
    public int StatusEverySeconds { get; set; } = 60;

    public bool Embedded => string.Equals(Mode, "Embedded", StringComparison.OrdinalIgnoreCase);
    public bool External => string.Equals(Mode, "External", StringComparison.OrdinalIgnoreCase);

    /// <summary>External mode: the broker's host (Port above is its port).</summary>
    public string Host { get; set; } = "127.0.0.1";
    /// <summary>External mode: Otklik's own account on the broker (may subscribe to every device's events).</summary>
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>External mode: this node's client id, stable across restarts so its persistent session survives them.</summary>
    public string? ClientId { get; set; }
    /// <summary>External mode: the shared-subscription group all nodes join.</summary>
    public string ShareGroup { get; set; } = "otklik";
    /// <summary>External mode: how long the broker keeps this node's session (and its unacknowledged messages) after a disconnect.</summary>
    public uint SessionExpirySeconds { get; set; } = 3600;
    /// <summary>
    /// External mode with Mosquitto's dynamic-security plugin: device accounts and their topic permissions are written
    /// through <c>$CONTROL/dynamic-security/v1</c> with this admin account. Empty: devices are provisioned by hand.
    /// </summary>
    public string? DynsecUsername { get; set; }
    public string? DynsecPassword { get; set; }
}

/// <summary>Topic names of the device protocol.</summary>
public static class DeviceTopics
{
    public const string Prefix = "otklik/devices/";
    public static string Events(Guid device) => $"{Prefix}{device}/events";
    public static string Status(Guid device) => $"{Prefix}{device}/status";
    public static string Config(Guid device) => $"{Prefix}{device}/config";

    /// <summary>Splits "otklik/devices/{id}/{leaf}".</summary>
    public static bool TryParse(string topic, out Guid device, out string leaf)
    {
        device = Guid.Empty;
        leaf = "";
        if (!topic.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = topic.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash < 0 || !Guid.TryParse(rest[..slash], out device)) return false;
        leaf = rest[(slash + 1)..].ToString();
        return leaf.Length > 0;
    }
}

/// <summary>
/// The MQTT broker hosted inside Otklik. Client id = user name = device id, password = device token.
/// A device publishes only to its own topics; the PUBACK of an event goes out only after the event is durable.
/// </summary>
public sealed class MqttBroker(
    IOptions<MqttOptions> options,
    IOptions<IngestionOptions> ingestion,
    DeviceDirectory devices,
    PressIngestor ingestor,
    IServiceScopeFactory scopes,
    LiveNotifier live,
    Features.Health.BenchmarkOptions benchmark,
    TimeProvider time,
    ILogger<MqttBroker> log) : IHostedService, IAsyncDisposable
{
    private const string DeviceKey = "otklik.device";
    private const string VersionKey = "otklik.mqtt-version";
    private MqttServer? _server;

    /// <summary>Health: the embedded broker runs (or Otklik uses no embedded broker).</summary>
    public bool IsRunning => !options.Value.Embedded || _server?.IsStarted == true;
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _statusWritten = new();

    public int Port => options.Value.Port;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Embedded) return;
        var builder = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(options.Value.Port);
        if (options.Value is { TlsPort: { } tls, TlsCertificatePath: { } path })
        {
            var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(path, options.Value.TlsCertificatePassword);
            builder = builder.WithEncryptedEndpoint().WithEncryptedEndpointPort(tls).WithEncryptionCertificate(certificate);
        }
        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        _server.ValidatingConnectionAsync += ValidateAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.ClientConnectedAsync += ClientConnectedAsync;
        await _server.StartAsync();
        log.LogInformation("MQTT broker listening on port {Port}", options.Value.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            _server.Dispose();
            _server = null;
        }
        await Task.CompletedTask;
    }

    private async Task ValidateAsync(ValidatingConnectionEventArgs e)
    {
        if (!Guid.TryParse(e.ClientId, out var id) || !string.Equals(e.UserName, e.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            return;
        }
        var device = await devices.AuthenticateAsync(id, e.Password, CancellationToken.None);
        if (device is null)
        {
            log.LogInformation("MQTT connection refused for {ClientId}: wrong credentials", e.ClientId);
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            return;
        }
        e.SessionItems[DeviceKey] = device;
        e.SessionItems[VersionKey] = e.ProtocolVersion;
    }

    /// <summary>MQTT 3.1.1 has no reason codes in PUBACK: closing the connection is the only refusal such a device notices.</summary>
    private static bool CanSayNo(InterceptingPublishEventArgs e) => e.SessionItems[VersionKey] is MqttProtocolVersion.V500;

    private async Task ClientConnectedAsync(ClientConnectedEventArgs e)
    {
        if (e.SessionItems[DeviceKey] is not DeviceSnapshot device || _server is null) return;
        await _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(ConfigMessage(device.Id)) { SenderClientId = "otklik" });
        await SeenAsync(device, null, null, null);
    }

    /// <summary>The device's settings, retained so it gets them whenever it subscribes to its config topic.</summary>
    public MqttApplicationMessage ConfigMessage(Guid deviceId)
    {
        var config = JsonSerializer.SerializeToUtf8Bytes(new
        {
            deviceId,
            suppressWindowSeconds = ingestion.Value.SuppressWindowSeconds,
            statusEverySeconds = options.Value.StatusEverySeconds,
            maxBatch = DeviceEventParser.MaxBatch,
        });
        return new MqttApplicationMessageBuilder().WithTopic(DeviceTopics.Config(deviceId)).WithPayload(config)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build();
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (e.SessionItems[DeviceKey] is not DeviceSnapshot device) return Task.CompletedTask;
        var own = DeviceTopics.Prefix + device.Id + "/";
        var filter = e.TopicFilter.Topic;
        if (!filter.StartsWith(own, StringComparison.OrdinalIgnoreCase))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }
        return Task.CompletedTask;
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        // Messages Otklik injects itself (retained config) pass through.
        if (e.ClientId == "otklik") return;
        e.ProcessPublish = false;
        if (e.SessionItems[DeviceKey] is not DeviceSnapshot device
            || !DeviceTopics.TryParse(e.ApplicationMessage.Topic, out var target, out var leaf) || target != device.Id)
        {
            log.LogWarning("MQTT: {ClientId} may not publish to {Topic}", e.ClientId, e.ApplicationMessage.Topic);
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            e.CloseConnection = !CanSayNo(e);
            return;
        }
        var payload = e.ApplicationMessage.Payload.ToArray();
        switch (leaf)
        {
            case "events":
                var parsed = DeviceEventParser.Parse(payload, time.GetUtcNow(), device.Kind);
                if (!parsed.IsValid)
                {
                    log.LogWarning("MQTT: bad events from {Device}: {Errors}", device.Id,
                        string.Join("; ", parsed.Errors.Select(x => $"[{x.Index}] {x.Field}: {x.Message}")));
                    e.Response.ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid;
                    e.Response.ReasonString = parsed.Errors[0].Message;
                    return;
                }
                if (benchmark.SkipMqttStorage) return;
                try
                {
                    await ingestor.IngestAsync(device, parsed, IngestChannel.Mqtt, e.CancellationToken);
                }
                catch (Exception ex)
                {
                    // No PUBACK for what is not durable: the device will send it again after reconnecting.
                    log.LogError(ex, "MQTT: storing events from {Device} failed; closing its connection", device.Id);
                    e.Response.ReasonCode = MqttPubAckReasonCode.ImplementationSpecificError;
                    e.CloseConnection = true;
                }
                return;
            case "status":
                await RecordStatusAsync(device, payload);
                return;
            default:
                e.Response.ReasonCode = MqttPubAckReasonCode.TopicNameInvalid;
                return;
        }
    }

    /// <summary>A device's status message (battery, signal, firmware; any message counts as "seen"), from either broker.</summary>
    public async Task RecordStatusAsync(DeviceSnapshot device, byte[] payload)
    {
        int? battery = null, signal = null;
        string? firmware = null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("battery", out var b) && b.TryGetInt32(out var bv) && bv is >= 0 and <= 100) battery = bv;
                if (root.TryGetProperty("signal", out var s) && s.TryGetInt32(out var sv) && sv is >= 0 and <= 100) signal = sv;
                if (root.TryGetProperty("firmware", out var f) && f.ValueKind == JsonValueKind.String) firmware = f.GetString()?[..Math.Min(f.GetString()!.Length, Limits.Name)];
            }
        }
        catch (JsonException)
        {
            log.LogInformation("MQTT: unreadable status from {Device}", device.Id);
            return;
        }
        await SeenAsync(device, battery, signal, firmware);
    }

    /// <summary>Last seen, battery, signal and firmware; written at most every 30 seconds per device unless something changed.</summary>
    private async Task SeenAsync(DeviceSnapshot device, int? battery, int? signal, string? firmware)
    {
        var now = time.GetUtcNow();
        var quiet = battery is null && signal is null && firmware is null;
        if (quiet && _statusWritten.TryGetValue(device.Id, out var at) && now - at < TimeSpan.FromSeconds(30)) return;
        _statusWritten[device.Id] = now;
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetOrganization(device.OrganizationId);
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        await db.Devices.Where(d => d.Id == device.Id).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.LastSeenAt, now)
            .SetProperty(d => d.BatteryPercent, d => battery ?? d.BatteryPercent)
            .SetProperty(d => d.SignalPercent, d => signal ?? d.SignalPercent)
            .SetProperty(d => d.Firmware, d => firmware ?? d.Firmware));
        await live.PublishAsync(new DeviceSeen(device.OrganizationId, device.LocationId, device.Id, now, battery, signal));
    }
}
