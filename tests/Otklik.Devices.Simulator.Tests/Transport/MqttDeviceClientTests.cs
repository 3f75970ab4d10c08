using System.Text.Json;
using MQTTnet.Protocol;
using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Protocol;
using Otklik.Devices.Simulator.Tests.Fakes;
using Otklik.Devices.Simulator.Transport;

namespace Otklik.Devices.Simulator.Tests.Transport;

public sealed class MqttDeviceClientTests : IAsyncLifetime
{
    private FakeBroker _broker = null!;
    private DeviceCredentials _device = null!;

    public async Task InitializeAsync()
    {
        _broker = await FakeBroker.StartAsync();
        _device = TestDevices.Register(1, broker: _broker)[0];
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private MqttDeviceClient Client(DeviceCredentials? device = null, Action<string, string>? onConfig = null) =>
        new(new MqttEndpoint("127.0.0.1", _broker.Port), device ?? _device,
            new MqttDeviceOptions { Retry = TestDevices.FastRetry, StatusEvery = TimeSpan.Zero, OnConfig = onConfig, Seed = 1 });

    [Fact]
    public async Task Send_PublishesQos1OnTheDeviceTopic_AfterAStatusReport()
    {
        await using var client = Client();
        var press = ButtonEvent.New(ButtonColor.Red, DateTimeOffset.Now);

        var result = await client.SendAsync([press]);

        Assert.Equal((SendOutcome.Acknowledged, 1, 1), (result.Outcome, result.Accepted, result.Attempts));
        var published = Assert.Single(_broker.Events);
        Assert.Equal((_device.Id, $"otklik/devices/{_device.Id}/events", MqttQualityOfServiceLevel.AtLeastOnce),
            (published.ClientId, published.Topic, published.Qos));
        using var json = JsonDocument.Parse(published.Payload);
        Assert.Equal(press.Id, json.RootElement.GetProperty("id").GetGuid());
        Assert.Equal("red", json.RootElement.GetProperty("type").GetString());
        var status = Assert.Single(_broker.Statuses);
        using var statusJson = JsonDocument.Parse(status.Payload);
        Assert.InRange(statusJson.RootElement.GetProperty("battery").GetInt32(), 0, 100);
        Assert.InRange(statusJson.RootElement.GetProperty("signal").GetInt32(), 0, 100);
        Assert.Equal("sim/1.0", statusJson.RootElement.GetProperty("firmware").GetString());
    }

    [Fact]
    public async Task Send_Batch_IsOneMessage()
    {
        await using var client = Client();
        var batch = Enumerable.Range(0, 5).Select(_ => ButtonEvent.New(ButtonColor.Green, DateTimeOffset.Now)).ToArray();

        var result = await client.SendAsync(batch);

        Assert.Equal((SendOutcome.Acknowledged, 5), (result.Outcome, result.Accepted));
        Assert.Equal(batch.Select(e => e.Id), Assert.Single(_broker.Events).Ids);
    }

    [Fact]
    public async Task Send_PubAckError_IsRetriedWithTheSameId()
    {
        await using var client = Client();
        var press = ButtonEvent.New(ButtonColor.Green, DateTimeOffset.Now);
        _broker.FailNextEvents(2);

        var result = await client.SendAsync([press]);

        Assert.Equal((SendOutcome.Acknowledged, 3), (result.Outcome, result.Attempts));
        Assert.Equal(["puback-ImplementationSpecificError", "puback-ImplementationSpecificError"], result.RetryReasons);
        Assert.All(_broker.Refused, r => Assert.Equal([press.Id], r.Ids));
        Assert.Equal([press.Id], Assert.Single(_broker.Events).Ids);
    }

    [Fact]
    public async Task Send_BrokerDropsTheConnection_ReconnectsAndResendsTheSameId()
    {
        await using var client = Client();
        await client.ConnectAsync();
        var press = ButtonEvent.New(ButtonColor.Red, DateTimeOffset.Now);
        _broker.DropConnectionOnNextEvents(1);

        var result = await client.SendAsync([press]);

        Assert.Equal(SendOutcome.Acknowledged, result.Outcome);
        Assert.True(result.Attempts >= 2);
        Assert.Equal([press.Id], Assert.Single(_broker.Refused).Ids);
        Assert.Equal([press.Id], Assert.Single(_broker.Events).Ids);
        Assert.Equal(2, _broker.Connections.Count(c => c == _device.Id));
    }

    [Fact]
    public async Task Send_WrongPassword_IsUnauthorizedWithoutRetrying()
    {
        await using var client = Client(_device with { Token = "otd_wrong" });

        var result = await client.SendAsync([ButtonEvent.New(ButtonColor.Green, DateTimeOffset.Now)]);

        Assert.Equal((SendOutcome.Unauthorized, 1), (result.Outcome, result.Attempts));
        Assert.Empty(_broker.Events);
    }

    [Fact]
    public async Task Connect_ReceivesTheRetainedConfig()
    {
        await _broker.SetRetainedConfigAsync(_device.Id, """{"redAlert":true}""");
        var received = new TaskCompletionSource<(string, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = Client(onConfig: (id, payload) => received.TrySetResult((id, payload)));

        await client.ConnectAsync();

        Assert.Equal((_device.Id, """{"redAlert":true}"""), await received.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Send_ManyAtOnceOnOneConnection_AllArriveOnce()
    {
        await using var client = Client();
        var presses = Enumerable.Range(0, 200).Select(i => ButtonEvent.New(i % 3 == 0 ? ButtonColor.Red : ButtonColor.Green, DateTimeOffset.Now)).ToList();

        var results = await Task.WhenAll(presses.Select(p => client.SendAsync([p])));

        Assert.All(results, r => Assert.Equal(SendOutcome.Acknowledged, r.Outcome));
        // At-least-once: a slow PUBACK may make the client send an event again (same id); the server dedupes.
        Assert.Equal(presses.Select(p => p.Id).Order(), _broker.Events.SelectMany(e => e.Ids).Distinct().Order());
        Assert.Single(_broker.Connections);
    }
}
