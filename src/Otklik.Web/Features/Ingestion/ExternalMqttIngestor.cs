using System.Buffers;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Otklik.Web.Features.Buttons;

namespace Otklik.Web.Features.Ingestion;

/// <summary>
/// <c>Otklik:Mqtt:Mode=External</c>: Otklik hosts no broker; every node connects to the external one as an MQTT 5
/// client and joins the shared subscription <c>$share/{group}/otklik/devices/+/events</c>, so the broker spreads the
/// devices' events over the nodes. Each message is acknowledged only after its presses are durable (or it can never be
/// stored: unknown device, bad payload); the session is persistent (clean start off, session expiry), so what a node
/// had not acknowledged when it died is delivered again.
/// </summary>
public sealed class ExternalMqttIngestor(
    IOptions<MqttOptions> options,
    DeviceDirectory devices,
    PressIngestor ingestor,
    TimeProvider time,
    ILogger<ExternalMqttIngestor> log) : BackgroundService
{
    private IMqttClient? _client;

    public static string EventsFilter(string group) => $"$share/{group}/{DeviceTopics.Prefix}+/events";

    /// <summary>Health: connected to the external broker (always true when the mode is not External).</summary>
    public bool IsConnected => !options.Value.External || _client?.IsConnected == true;

    /// <summary>Messages stored and acknowledged by this node since it started.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);
    private long _acknowledged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.External) return;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            // Acknowledge later, from the task that stores the presses; the broker keeps the message until then.
            e.AutoAcknowledge = false;
            _ = HandleAsync(e, stoppingToken);
            return Task.CompletedTask;
        };
        var clientId = string.IsNullOrWhiteSpace(o.ClientId) ? $"otklik-{Environment.MachineName}" : o.ClientId;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    var builder = new MqttClientOptionsBuilder()
                        .WithTcpServer(o.Host, o.Port)
                        .WithClientId(clientId)
                        .WithProtocolVersion(MqttProtocolVersion.V500)
                        .WithCleanStart(false)
                        .WithSessionExpiryInterval(o.SessionExpirySeconds)
                        .WithReceiveMaximum(256)
                        .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
                        .WithTimeout(TimeSpan.FromSeconds(10));
                    if (!string.IsNullOrEmpty(o.Username)) builder = builder.WithCredentials(o.Username, o.Password);
                    var connected = await _client.ConnectAsync(builder.Build(), stoppingToken);
                    if (connected.ResultCode != MqttClientConnectResultCode.Success)
                        throw new InvalidOperationException($"The broker refused Otklik: {connected.ResultCode}");
                    var subscribed = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter(EventsFilter(o.ShareGroup), MqttQualityOfServiceLevel.AtLeastOnce).Build(), stoppingToken);
                    var code = subscribed.Items.FirstOrDefault()?.ResultCode;
                    if (code is not (MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS0))
                        throw new InvalidOperationException($"The broker refused the shared subscription: {code}");
                    log.LogInformation("Connected to the MQTT broker {Host}:{Port} as {ClientId} (session present: {Present})",
                        o.Host, o.Port, clientId, connected.IsSessionPresent);
                }
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "The MQTT broker {Host}:{Port} is not reachable; trying again", o.Host, o.Port);
                try { await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
        try
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(o.SessionExpirySeconds).Build(), CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogDebug(e, "Disconnecting from the MQTT broker failed");
        }
        _client.Dispose();
    }

    private async Task HandleAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        try
        {
            if (await StoreAsync(e.ApplicationMessage, ct))
            {
                await e.AcknowledgeAsync(ct);
                Interlocked.Increment(ref _acknowledged);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not durable, so not acknowledged: reconnecting makes the broker send it again (to us or another node).
            log.LogError(ex, "Storing MQTT events from {Topic} failed; reconnecting so the broker delivers them again", e.ApplicationMessage.Topic);
            try
            {
                if (_client?.IsConnected == true)
                    await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder()
                        .WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build(), CancellationToken.None);
            }
            catch (Exception d)
            {
                log.LogDebug(d, "Disconnecting after a failed store failed");
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: unacknowledged, so delivered again.
        }
    }

    /// <summary>True when the message may be acknowledged: stored, or never storable.</summary>
    private async Task<bool> StoreAsync(MqttApplicationMessage message, CancellationToken ct)
    {
        if (!DeviceTopics.TryParse(message.Topic, out var deviceId, out var leaf) || leaf != "events") return true;
        var device = await devices.FindAsync(deviceId, ct);
        if (device is null)
        {
            log.LogWarning("MQTT: events for unknown or inactive device {Device} dropped", deviceId);
            return true;
        }
        var parsed = DeviceEventParser.Parse(message.Payload.ToArray(), time.GetUtcNow(), device.Kind);
        if (!parsed.IsValid)
        {
            log.LogWarning("MQTT: bad events from {Device}: {Errors}", device.Id,
                string.Join("; ", parsed.Errors.Select(x => $"[{x.Index}] {x.Field}: {x.Message}")));
            return true;
        }
        await ingestor.IngestAsync(device, parsed, IngestChannel.Mqtt, ct);
        return true;
    }
}
