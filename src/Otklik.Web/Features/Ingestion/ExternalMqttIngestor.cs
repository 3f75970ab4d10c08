using System.Buffers;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Cluster;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Ingestion;

/// <summary>
/// <c>Otklik:Mqtt:Mode=External</c>: Otklik hosts no broker; every node connects to the external one as an MQTT 5
/// client and joins the shared subscription <c>$share/{group}/otklik/devices/+/events</c>, so the broker spreads the
/// devices' events over the nodes. Each message is acknowledged only after its presses are durable (or it can never be
/// stored: unknown device, bad payload); the session is persistent (clean start off, session expiry).
/// <para>
/// A node that dies leaves its session on the broker: the messages it had not acknowledged, and those the broker goes
/// on queueing for it. On PostgreSQL every node holds a cluster lease named after its client id while it runs and
/// registers the session; the other nodes look for registered sessions whose lease is free (the node is gone), take
/// that lease, connect with the dead node's client id, leave the shared subscription, store and acknowledge what the
/// session held, and end it. A node that restarts waits for such a drain to finish before it connects again.
/// </para>
/// </summary>
public sealed class ExternalMqttIngestor(
    IOptions<MqttOptions> options,
    DeviceDirectory devices,
    PressIngestor ingestor,
    MqttBroker statuses,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<ExternalMqttIngestor> log,
    IClusterLease? lease = null) : BackgroundService
{
    private static readonly TimeSpan DrainEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DrainQuiet = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DrainAtMost = TimeSpan.FromMinutes(10);

    private IMqttClient? _client;

    public static string EventsFilter(string group) => $"$share/{group}/{DeviceTopics.Prefix}+/events";
    public static string StatusFilter(string group) => $"$share/{group}/{DeviceTopics.Prefix}+/status";

    /// <summary>Devices whose retained config this node has published since it started.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> _configured = new();

    /// <summary>The cluster lease a node holds for as long as it runs with this MQTT client id.</summary>
    public static string SessionLease(string clientId) => "mqtt-session:" + clientId;

    /// <summary>Health: connected to the external broker (always true when the mode is not External).</summary>
    public bool IsConnected => !options.Value.External || _client?.IsConnected == true;

    /// <summary>Messages stored and acknowledged by this node since it started (its own session and drained ones).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);
    private long _acknowledged;

    /// <summary>Sessions of stopped nodes this node has drained since it started.</summary>
    public long SessionsDrained => Interlocked.Read(ref _drained);
    private long _drained;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.External) return;
        var client = _client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            // Acknowledge later, from the task that stores the presses; the broker keeps the message until then.
            e.AutoAcknowledge = false;
            _ = HandleAsync(client, e, stoppingToken);
            return Task.CompletedTask;
        };
        var clientId = string.IsNullOrWhiteSpace(o.ClientId) ? $"otklik-{Environment.MachineName}" : o.ClientId;
        var nextDrain = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (lease is not null && !await lease.TryHoldAsync(SessionLease(clientId), stoppingToken))
                {
                    // Another node is draining the session this client id left behind (or this node lost its lease).
                    if (client.IsConnected) await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), stoppingToken);
                    log.LogInformation("Waiting for another node to finish with the MQTT session {ClientId}", clientId);
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                    continue;
                }
                if (!client.IsConnected)
                {
                    var connected = await client.ConnectAsync(ClientOptions(o, clientId), stoppingToken);
                    if (connected.ResultCode != MqttClientConnectResultCode.Success)
                        throw new InvalidOperationException($"The broker refused Otklik: {connected.ResultCode}");
                    var subscribed = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter(EventsFilter(o.ShareGroup), MqttQualityOfServiceLevel.AtLeastOnce)
                        .WithTopicFilter(StatusFilter(o.ShareGroup), MqttQualityOfServiceLevel.AtLeastOnce).Build(), stoppingToken);
                    foreach (var item in subscribed.Items)
                        if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS0))
                            throw new InvalidOperationException($"The broker refused the shared subscription {item.TopicFilter.Topic}: {item.ResultCode}");
                    if (lease is not null) await RegisterAsync(clientId, stoppingToken);
                    log.LogInformation("Connected to the MQTT broker {Host}:{Port} as {ClientId} (session present: {Present})",
                        o.Host, o.Port, clientId, connected.IsSessionPresent);
                }
                if (lease is not null && time.GetUtcNow() >= nextDrain)
                {
                    await DrainStoppedNodesAsync(o, clientId, stoppingToken);
                    nextDrain = time.GetUtcNow() + DrainEvery;
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
            if (client.IsConnected)
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(o.SessionExpirySeconds).Build(), CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogDebug(e, "Disconnecting from the MQTT broker failed");
        }
        client.Dispose();
    }

    private static MqttClientOptions ClientOptions(MqttOptions o, string clientId)
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
        return builder.Build();
    }

    private async Task RegisterAsync(string clientId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        if (await db.MqttNodeSessions.AnyAsync(s => s.ClientId == clientId, ct)) return;
        db.MqttNodeSessions.Add(new MqttNodeSession { ClientId = clientId, RegisteredAt = time.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e)
        {
            // Registered meanwhile (the row is the client id, so a second insert of it is all that can fail here).
            log.LogDebug(e, "The MQTT session {ClientId} was registered meanwhile", clientId);
        }
    }

    /// <summary>Drains the registered sessions of nodes that no longer hold their lease.</summary>
    private async Task DrainStoppedNodesAsync(MqttOptions o, string ownClientId, CancellationToken ct)
    {
        List<string> others;
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
            others = await db.MqttNodeSessions.AsNoTracking().Where(s => s.ClientId != ownClientId).Select(s => s.ClientId).ToListAsync(ct);
        }
        foreach (var other in others)
        {
            var name = SessionLease(other);
            if (!await lease!.TryHoldAsync(name, ct)) continue; // that node runs
            try
            {
                await DrainAsync(o, other, ct);
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
                await scope.ServiceProvider.GetRequiredService<OtklikDb>().MqttNodeSessions.Where(s => s.ClientId == other).ExecuteDeleteAsync(ct);
                Interlocked.Increment(ref _drained);
            }
            finally
            {
                await lease.ReleaseAsync(name);
            }
        }
    }

    /// <summary>
    /// Connects as <paramref name="clientId"/>, leaves the shared subscription so nothing new arrives, stores and
    /// acknowledges what the session held until it has been quiet a moment, then ends the session.
    /// </summary>
    private async Task DrainAsync(MqttOptions o, string clientId, CancellationToken ct)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var pending = 0;
        var received = 0;
        var lastAt = time.GetUtcNow().UtcTicks;
        client.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            Interlocked.Increment(ref pending);
            Interlocked.Increment(ref received);
            Interlocked.Exchange(ref lastAt, time.GetUtcNow().UtcTicks);
            _ = HandleAsync(client, e, ct).ContinueWith(_ => Interlocked.Decrement(ref pending), TaskScheduler.Default);
            return Task.CompletedTask;
        };
        var connected = await client.ConnectAsync(ClientOptions(o, clientId), ct);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
            throw new InvalidOperationException($"The broker refused Otklik as {clientId}: {connected.ResultCode}");
        if (connected.IsSessionPresent)
        {
            log.LogWarning("The node with MQTT client id {ClientId} stopped; draining the session it left on the broker", clientId);
            await client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder()
                .WithTopicFilter(EventsFilter(o.ShareGroup)).WithTopicFilter(StatusFilter(o.ShareGroup)).Build(), ct);
            var started = time.GetUtcNow();
            while (Volatile.Read(ref pending) > 0 || time.GetUtcNow().UtcTicks - Interlocked.Read(ref lastAt) < DrainQuiet.Ticks)
            {
                if (!client.IsConnected) throw new InvalidOperationException($"Lost the broker while draining {clientId}");
                if (time.GetUtcNow() - started > DrainAtMost) break;
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
        }
        // Session expiry 0 on the way out: the broker forgets the session, and the dead node's share of the subscription.
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build(), ct);
        log.LogWarning("Drained the MQTT session {ClientId}: {Count} messages", clientId, Volatile.Read(ref received));
    }

    private async Task HandleAsync(IMqttClient client, MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
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
                if (client.IsConnected)
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder()
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
        if (!DeviceTopics.TryParse(message.Topic, out var deviceId, out var leaf) || leaf is not ("events" or "status")) return true;
        var device = await devices.FindAsync(deviceId, ct);
        if (device is null)
        {
            log.LogWarning("MQTT: {Leaf} of unknown or inactive device {Device} dropped", leaf, deviceId);
            return true;
        }
        await ConfigureAsync(device.Id, ct);
        if (leaf == "status")
        {
            await statuses.RecordStatusAsync(device, message.Payload.ToArray());
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

    /// <summary>
    /// The device's settings as a retained message on its config topic, published the first time this node hears from
    /// it: a device subscribed to its config gets them at once, and at every later subscription from the broker.
    /// </summary>
    private async Task ConfigureAsync(Guid deviceId, CancellationToken ct)
    {
        if (_configured.ContainsKey(deviceId) || _client is not { IsConnected: true } client) return;
        try
        {
            var published = await client.PublishAsync(statuses.ConfigMessage(deviceId), ct);
            if (published.ReasonCode == MqttClientPublishReasonCode.Success) _configured[deviceId] = true;
            else log.LogWarning("The broker refused the config of device {Device}: {Reason} (may Otklik's account publish to otklik/devices/+/config?)",
                deviceId, published.ReasonCode);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not publish the config of device {Device}", deviceId);
        }
    }
}
