using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Protocol;
using Otklik.Devices.Simulator.Tests.Fakes;
using Otklik.Devices.Simulator.Transport;

namespace Otklik.Devices.Simulator.Tests.Transport;

public sealed class HttpDeviceClientTests : IAsyncLifetime
{
    private FakeOtklikServer _server = null!;
    private readonly HttpClient _http = HttpDeviceClient.CreateHttpClient(8);
    private DeviceCredentials _device = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOtklikServer.StartAsync();
        _device = TestDevices.Register(1, _server)[0];
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Send_OneEvent_IsStoredWithItsIdTypeAndTime()
    {
        var client = new HttpDeviceClient(_http, _server.Address, _device, TestDevices.FastRetry);
        var press = ButtonEvent.New(ButtonColor.Red, DateTimeOffset.Now);

        var result = await client.SendAsync([press]);

        Assert.Equal(SendOutcome.Acknowledged, result.Outcome);
        Assert.Equal((1, 0, 1), (result.Accepted, result.Duplicates, result.Attempts));
        var stored = Assert.Single(_server.Stored.Values);
        Assert.Equal((_device.Id, press.Id, "red", press.At), (stored.DeviceId, stored.Id, stored.Type, stored.At));
    }

    [Fact]
    public async Task Send_Batch_IsOneRequestAndServerDuplicatesAreReported()
    {
        var client = new HttpDeviceClient(_http, _server.Address, _device, TestDevices.FastRetry);
        var first = ButtonEvent.New(ButtonColor.Green, DateTimeOffset.Now);
        await client.SendAsync([first]);
        var batch = new[] { first, ButtonEvent.New(ButtonColor.Green, DateTimeOffset.Now), ButtonEvent.New(ButtonColor.Red, DateTimeOffset.Now) };

        var result = await client.SendAsync(batch);

        Assert.Equal((SendOutcome.Acknowledged, 2, 1), (result.Outcome, result.Accepted, result.Duplicates));
        Assert.Equal(batch.Select(e => e.Id), _server.Attempts.Last().Ids);
        Assert.Equal(3, _server.Stored.Count);
    }

    [Fact]
    public async Task Send_ServerAnswers503ThreeTimes_RetriesWithTheSameId()
    {
        var client = new HttpDeviceClient(_http, _server.Address, _device, TestDevices.FastRetry);
        var press = ButtonEvent.New(ButtonColor.Green, DateTimeOffset.Now);
        _server.FailNext(3);

        var result = await client.SendAsync([press]);

        Assert.Equal(SendOutcome.Acknowledged, result.Outcome);
        Assert.Equal(4, result.Attempts);
        Assert.Equal(["http-503", "http-503", "http-503"], result.RetryReasons);
        Assert.Equal([503, 503, 503, 202], _server.Attempts.Select(a => a.Status));
        Assert.All(_server.Attempts, a => Assert.Equal([press.Id], a.Ids));
        Assert.Equal([press.Id], _server.Stored.Keys);
    }

    [Fact]
    public async Task Send_BadEvent_400IsNotRetriedAndCountsAsRejected()
    {
        var client = new HttpDeviceClient(_http, _server.Address, _device, TestDevices.FastRetry);
        _server.Reject = e => e.GetProperty("at").GetDateTimeOffset().Year > 2090;

        var result = await client.SendAsync([ButtonEvent.New(ButtonColor.Red, new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.FromHours(3)))]);

        Assert.Equal((SendOutcome.Rejected, "http-400", 1), (result.Outcome, result.ErrorKind, result.Attempts));
        Assert.Contains("rejected by the test", result.Detail, StringComparison.Ordinal);
        Assert.Single(_server.Attempts);
        Assert.Empty(_server.Stored);
    }

    [Fact]
    public async Task Send_WrongToken_401IsNotRetried()
    {
        var client = new HttpDeviceClient(_http, _server.Address, _device with { Token = "otd_wrong" }, TestDevices.FastRetry);

        var result = await client.SendAsync([ButtonEvent.New(ButtonColor.Green, DateTimeOffset.Now)]);

        Assert.Equal((SendOutcome.Unauthorized, "http-401", 1), (result.Outcome, result.ErrorKind, result.Attempts));
        Assert.Single(_server.Attempts);
    }

    [Fact]
    public async Task Send_NobodyListening_GivesUpAfterMaxAttemptsAsNetworkError()
    {
        var closed = new Uri("http://127.0.0.1:9/");
        var client = new HttpDeviceClient(_http, closed, _device, TestDevices.FastRetry with { MaxAttempts = 3 });

        var result = await client.SendAsync([ButtonEvent.New(ButtonColor.Green, DateTimeOffset.Now)]);

        Assert.Equal((SendOutcome.GaveUp, "network", 3), (result.Outcome, result.ErrorKind, result.Attempts));
        Assert.Equal(["network", "network"], result.RetryReasons);
    }

    [Fact]
    public async Task Send_Cancelled_ReturnsCancelledInsteadOfThrowing()
    {
        var client = new HttpDeviceClient(_http, new Uri("http://127.0.0.1:9/"), _device, TestDevices.FastRetry with { MaxAttempts = 1000 });
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var result = await client.SendAsync([ButtonEvent.New(ButtonColor.Green, DateTimeOffset.Now)], cts.Token);

        Assert.Equal(SendOutcome.Cancelled, result.Outcome);
    }
}
