namespace Otklik.Web.Features.Cluster;

/// <summary>
/// A node's persistent session on the external MQTT broker, registered while the node runs. When a node dies, the
/// broker keeps its session — the shared subscription's messages it had not acknowledged, and the ones the broker
/// went on queueing for it — and another node drains that session (see <c>ExternalMqttIngestor</c>).
/// </summary>
public sealed class MqttNodeSession
{
    /// <summary>The node's MQTT client id (<c>Otklik:Mqtt:ClientId</c>).</summary>
    public string ClientId { get; set; } = "";
    public DateTimeOffset RegisteredAt { get; set; }
}
