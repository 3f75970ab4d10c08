using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Otklik.Devices.Simulator.Tests.Fakes;

/// <summary>
/// A real MQTTnet broker on a free loopback port: checks client id = user name = device id and password = token,
/// records what devices publish, and on demand fails PUBACKs or drops the connection instead of taking an event.
/// </summary>
public sealed class FakeBroker : IAsyncDisposable
{
    private readonly MqttServer _server;
    private int _failNextEvents;
    private int _dropNextEvents;

    private FakeBroker(MqttServer server, int port)
    {
        _server = server;
        Port = port;
        _server.ValidatingConnectionAsync += e =>
        {
            if (!Tokens.TryGetValue(e.ClientId, out var token) || e.UserName != e.ClientId || e.Password != token)
                e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            else
                Connections.Enqueue(e.ClientId);
            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += e =>
        {
            var topic = e.ApplicationMessage.Topic;
            if (e.ClientId is null || !topic.StartsWith("otklik/devices/", StringComparison.Ordinal)) return Task.CompletedTask;
            var payload = Encoding.UTF8.GetString(e.ApplicationMessage.Payload);
            if (topic.EndsWith("/events", StringComparison.Ordinal))
            {
                var ids = EventIds(payload);
                if (Interlocked.Decrement(ref _dropNextEvents) >= 0)
                {
                    e.ProcessPublish = false;
                    e.CloseConnection = true;
                    Refused.Enqueue(new Published(e.ClientId, topic, payload, e.ApplicationMessage.QualityOfServiceLevel, ids));
                    return Task.CompletedTask;
                }
                if (Interlocked.Decrement(ref _failNextEvents) >= 0)
                {
                    e.ProcessPublish = false;
                    e.Response.ReasonCode = MqttPubAckReasonCode.ImplementationSpecificError;
                    Refused.Enqueue(new Published(e.ClientId, topic, payload, e.ApplicationMessage.QualityOfServiceLevel, ids));
                    return Task.CompletedTask;
                }
                Events.Enqueue(new Published(e.ClientId, topic, payload, e.ApplicationMessage.QualityOfServiceLevel, ids));
            }
            else if (topic.EndsWith("/status", StringComparison.Ordinal))
            {
                Statuses.Enqueue(new Published(e.ClientId, topic, payload, e.ApplicationMessage.QualityOfServiceLevel, []));
            }
            return Task.CompletedTask;
        };
    }

    public int Port { get; }

    public ConcurrentDictionary<string, string> Tokens { get; } = new();

    public ConcurrentQueue<string> Connections { get; } = new();

    /// <summary>Event messages taken (PUBACK success).</summary>
    public ConcurrentQueue<Published> Events { get; } = new();

    /// <summary>Event messages answered with an error PUBACK or a dropped connection.</summary>
    public ConcurrentQueue<Published> Refused { get; } = new();

    public ConcurrentQueue<Published> Statuses { get; } = new();

    public void AddDevice(string id, string token) => Tokens[id] = token;

    public void FailNextEvents(int n) => Volatile.Write(ref _failNextEvents, n);

    public void DropConnectionOnNextEvents(int n) => Volatile.Write(ref _dropNextEvents, n);

    public Task SetRetainedConfigAsync(string deviceId, string json) =>
        _server.UpdateRetainedMessageAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"otklik/devices/{deviceId}/config")
            .WithPayload(json)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build());

    public static async Task<FakeBroker> StartAsync()
    {
        var port = FreePort();
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .Build();
        var broker = new FakeBroker(new MqttServerFactory().CreateMqttServer(options), port);
        await broker._server.StartAsync();
        return broker;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync(new MqttServerStopOptionsBuilder().Build());
        _server.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static List<Guid> EventIds(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        return root.TryGetProperty("events", out var list)
            ? [.. list.EnumerateArray().Select(e => e.GetProperty("id").GetGuid())]
            : [root.GetProperty("id").GetGuid()];
    }
}

public sealed record Published(string ClientId, string Topic, string Payload, MqttQualityOfServiceLevel Qos, IReadOnlyList<Guid> Ids);
