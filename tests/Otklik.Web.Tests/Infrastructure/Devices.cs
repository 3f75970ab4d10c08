using System.Net.Http.Headers;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Otklik.Web.Tests.Infrastructure;

/// <summary>A test device speaking the real protocol: HTTPS with its bearer token, or MQTT with a real client.</summary>
public sealed class TestDevice(OtklikApp app, Guid id, string token)
{
    public Guid Id { get; } = id;
    public string Token { get; } = token;

    public static string Event(Guid id, string type, DateTimeOffset? at = null) =>
        $$"""{"id":"{{id}}","type":"{{type}}","at":"{{(at ?? DateTimeOffset.UtcNow).ToString("O", System.Globalization.CultureInfo.InvariantCulture)}}"}""";

    public static string Batch(IEnumerable<string> events) => "{\"events\":[" + string.Join(',', events) + "]}";

    public HttpClient Http()
    {
        var http = app.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    public async Task<HttpResponseMessage> PostAsync(string body)
    {
        using var http = Http();
        return await http.PostAsync($"/api/v1/devices/{Id}/events", new StringContent(body, Encoding.UTF8, "application/json"));
    }

    public async Task<IMqttClient> ConnectMqttAsync(string? password = null, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var (client, result) = await TryConnectMqttAsync(password, version);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"MQTT connect refused: {result.ResultCode}");
        }
        return client;
    }

    public async Task<(IMqttClient Client, MqttClientConnectResult Result)> TryConnectMqttAsync(string? password = null, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", app.MqttPort)
            .WithClientId(Id.ToString())
            .WithCredentials(Id.ToString(), password ?? Token)
            .WithProtocolVersion(version)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        // MQTTnet 5 reports a refused CONNECT in the result rather than by throwing.
        return (client, await client.ConnectAsync(options));
    }

    public static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, Guid device, string leaf, string payload) =>
        client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"otklik/devices/{device}/{leaf}")
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
}
