using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Otklik.Web.Features.Ingestion;

/// <summary>Device accounts on a broker Otklik does not host: written when a device is created, rotated or removed.</summary>
public interface IDeviceAccounts
{
    /// <summary>The device (id = client id = user name) signs in with <paramref name="token"/> from now on; an older token stops working.</summary>
    Task IssuedAsync(Guid deviceId, string token, CancellationToken ct);

    /// <summary>The device may no longer connect.</summary>
    Task RemovedAsync(Guid deviceId, CancellationToken ct);
}

/// <summary>The embedded broker checks tokens against the database itself: nothing to write.</summary>
public sealed class NoDeviceAccounts : IDeviceAccounts
{
    public Task IssuedAsync(Guid deviceId, string token, CancellationToken ct) => Task.CompletedTask;
    public Task RemovedAsync(Guid deviceId, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// Mosquitto's dynamic-security plugin, driven through <c>$CONTROL/dynamic-security/v1</c>: per device a client
/// (user name = client id = device id, password = token) and a role <c>otklik-device-{id}</c> that may publish only to
/// its own events and status topics and subscribe only to its own config topic. Rotating deletes and recreates both, so
/// the old token's connection is dropped at once.
/// </summary>
public sealed class DynsecAccounts(IOptions<MqttOptions> options, ILogger<DynsecAccounts> log) : IDeviceAccounts, IAsyncDisposable
{
    public const string ControlTopic = "$CONTROL/dynamic-security/v1";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonArray>> _pending = new();
    private IMqttClient? _client;

    public static string RoleName(Guid deviceId) => $"otklik-device-{deviceId}";

    public Task IssuedAsync(Guid deviceId, string token, CancellationToken ct)
    {
        var id = deviceId.ToString();
        var role = RoleName(deviceId);
        JsonArray acl =
        [
            Acl("publishClientSend", DeviceTopics.Events(deviceId)),
            Acl("publishClientSend", DeviceTopics.Status(deviceId)),
            Acl("subscribePattern", DeviceTopics.Config(deviceId)),
            Acl("publishClientReceive", DeviceTopics.Config(deviceId)),
        ];
        return SendAsync(ct,
            new JsonObject { ["command"] = "deleteClient", ["username"] = id },
            new JsonObject { ["command"] = "deleteRole", ["rolename"] = role },
            new JsonObject { ["command"] = "createRole", ["rolename"] = role, ["acls"] = acl },
            new JsonObject
            {
                ["command"] = "createClient", ["username"] = id, ["password"] = token, ["clientid"] = id,
                ["roles"] = new JsonArray(new JsonObject { ["rolename"] = role }),
            });
    }

    public Task RemovedAsync(Guid deviceId, CancellationToken ct) => SendAsync(ct,
        new JsonObject { ["command"] = "deleteClient", ["username"] = deviceId.ToString() },
        new JsonObject { ["command"] = "deleteRole", ["rolename"] = RoleName(deviceId) });

    private static JsonObject Acl(string type, string topic) =>
        new() { ["acltype"] = type, ["topic"] = topic, ["priority"] = 0, ["allow"] = true };

    /// <summary>Sends the commands and waits for the plugin's answer; "not found" on a delete is expected and ignored.</summary>
    private async Task SendAsync(CancellationToken ct, params JsonObject[] commands)
    {
        var correlation = Guid.NewGuid().ToString("N");
        foreach (var c in commands) c["correlationData"] = $"{correlation}:{c["command"]}";
        var done = new TaskCompletionSource<JsonArray>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[correlation] = done;
        try
        {
            var client = await ClientAsync(ct);
            var payload = new JsonObject { ["commands"] = new JsonArray(commands.Cast<JsonNode>().ToArray()) }.ToJsonString();
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(ControlTopic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
            var responses = await done.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            foreach (var r in responses)
            {
                var error = r?["error"]?.GetValue<string>();
                var command = r?["command"]?.GetValue<string>();
                if (error is not null && !(command is "deleteClient" or "deleteRole"))
                    throw new InvalidOperationException($"Mosquitto dynamic security refused {command}: {error}");
            }
        }
        finally
        {
            _pending.TryRemove(correlation, out _);
        }
    }

    private async Task<IMqttClient> ClientAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_client?.IsConnected == true) return _client;
            _client?.Dispose();
            var o = options.Value;
            var client = new MqttClientFactory().CreateMqttClient();
            client.ApplicationMessageReceivedAsync += e =>
            {
                try
                {
                    var root = JsonNode.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload))?["responses"]?.AsArray();
                    var first = root?.FirstOrDefault()?["correlationData"]?.GetValue<string>();
                    var key = first?.Split(':')[0];
                    if (root is not null && key is not null && _pending.TryGetValue(key, out var waiting))
                        waiting.TrySetResult(root);
                }
                catch (JsonException ex)
                {
                    log.LogWarning(ex, "Unreadable answer from Mosquitto dynamic security");
                }
                return Task.CompletedTask;
            };
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(o.Host, o.Port)
                .WithClientId($"otklik-dynsec-{Guid.NewGuid():N}"[..30]).WithCredentials(o.DynsecUsername, o.DynsecPassword)
                .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(true).WithTimeout(TimeSpan.FromSeconds(10)).Build(), ct);
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(ControlTopic + "/response", MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
            _client = client;
            return client;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try { if (_client.IsConnected) await _client.DisconnectAsync(); }
            catch (Exception e) { log.LogDebug(e, "Disconnecting the dynamic-security client failed"); }
            _client.Dispose();
        }
    }
}
