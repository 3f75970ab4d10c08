using System.Text.Json;
using Otklik.Web.Features.Live;
using StackExchange.Redis;

namespace Otklik.Web.Features.Cluster;

/// <summary>
/// Carries this node's live events (presses, device status, alerts raised and acknowledged, new feedback) to the other
/// nodes through a Redis channel, so a Blazor screen on node B sees what node A ingested. Each node ignores its own
/// messages. Redis pub/sub is at most once: screens also reload from the database when they open.
/// </summary>
public sealed class RedisLiveRelay(IConnectionMultiplexer redis, LiveNotifier live, NodeIdentity node, ILogger<RedisLiveRelay> log) : IHostedService
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("otklik:live");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Envelope(string Node, string Kind, JsonElement Body);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(Channel, (_, value) => { var __ = ReceiveAsync(value); });
        live.Relay = SendAsync;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        live.Relay = null;
        await redis.GetSubscriber().UnsubscribeAsync(Channel);
    }

    private async Task SendAsync(object message)
    {
        var kind = message switch
        {
            IReadOnlyList<PressRecorded> => "presses",
            DeviceSeen => "deviceSeen",
            AlertRaised => "alertRaised",
            AlertAcknowledged => "alertAcknowledged",
            FeedbackReceived => "feedback",
            _ => null,
        };
        if (kind is null) return;
        var body = JsonSerializer.SerializeToElement(message, message.GetType(), Json);
        var payload = JsonSerializer.Serialize(new Envelope(node.Id, kind, body), Json);
        await redis.GetSubscriber().PublishAsync(Channel, payload, CommandFlags.FireAndForget);
    }

    private async Task ReceiveAsync(RedisValue value)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(value.ToString(), Json);
            if (envelope is null || envelope.Node == node.Id) return;
            object? message = envelope.Kind switch
            {
                "presses" => envelope.Body.Deserialize<List<PressRecorded>>(Json),
                "deviceSeen" => envelope.Body.Deserialize<DeviceSeen>(Json),
                "alertRaised" => envelope.Body.Deserialize<AlertRaised>(Json),
                "alertAcknowledged" => envelope.Body.Deserialize<AlertAcknowledged>(Json),
                "feedback" => envelope.Body.Deserialize<FeedbackReceived>(Json),
                _ => null,
            };
            if (message is not null) await live.DeliverFromPeerAsync(message);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "A live event from another node could not be read");
        }
    }
}
