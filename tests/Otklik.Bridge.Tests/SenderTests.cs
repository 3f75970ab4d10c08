using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Otklik.Bridge.Queue;
using Otklik.Bridge.Sending;
using Otklik.Bridge.Tests.Infrastructure;

namespace Otklik.Bridge.Tests;

/// <summary>The sender against the fake server, on a fake clock: back-off, timeouts, bad events, bad tokens, clock offset.</summary>
public sealed class SenderTests : IAsyncLifetime
{
    private readonly TestDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly Guid _deviceId = Guid.NewGuid();
    private FakeOtklikServer _server = null!;
    private PressQueue _queue = null!;
    private ClockOffset _clock = null!;
    private EventSender _sender = null!;
    private HttpClient _http = null!;
    private BridgeOptions _options = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOtklikServer.StartAsync();
        _server.Tokens[_deviceId] = "secret-token";
        _queue = PressQueue.Open(_dir.Path, new QueueOptions(), NullLogger.Instance, _time);
        _clock = new ClockOffset(_queue);
        _http = new HttpClient();
        _options = new BridgeOptions
        {
            ServerUrl = _server.Url.ToString(),
            Devices = { ["main"] = new DeviceCredentials { DeviceId = _deviceId, Token = "secret-token" } },
            Sender = new SenderOptions
            {
                BatchSize = 100,
                InitialBackoff = TimeSpan.FromSeconds(1),
                MaxBackoff = TimeSpan.FromSeconds(60),
                RequestTimeout = TimeSpan.FromSeconds(10),
            },
        };
        _sender = new EventSender(_queue, new OtklikClient(_http, _clock, _time), _clock, Options.Create(_options), _time, NullLogger<EventSender>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _sender.StopAsync(CancellationToken.None);
        _sender.Dispose();
        _queue.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<List<Guid>> EnqueueAsync(int count)
    {
        var presses = Enumerable.Range(0, count)
            .Select(i => new Press(Guid.NewGuid(), "main", i % 3 == 0 ? PressType.Red : PressType.Green, _time.GetLocalNow(), "test"))
            .ToList();
        await _queue.EnqueueAsync(presses);
        return presses.Select(p => p.Id).ToList();
    }

    private void AssertDeliveredExactlyOnce(IEnumerable<Guid> expected)
    {
        var received = _server.Accepted.ToList();
        Assert.Equal(expected.Order(), received.Select(e => e.Id).Order());
        Assert.All(received, e => Assert.Equal(_deviceId, e.DeviceId));
    }

    [Fact]
    public async Task Deliver_HappyPath_BatchesAndEmptiesQueue()
    {
        var ids = await EnqueueAsync(250);

        await _sender.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => _queue.Count == 0, "queue drained");

        AssertDeliveredExactlyOnce(ids);
        Assert.Equal(3, _server.Requests.Count);
        Assert.All(_server.Requests, r => Assert.True(r.Count <= 100));
    }

    [Fact]
    public async Task ServerErrors_BackOffExponentiallyAndKeepEverything()
    {
        var ids = await EnqueueAsync(30);
        var attemptTimes = new ConcurrentQueue<DateTimeOffset>();
        var queueLengthsDuringFailures = new ConcurrentQueue<long>();
        var failures = new[] { 500, 503, 429, 500, 502, 500 };
        _server.Behaviour = (ctx, events) =>
        {
            attemptTimes.Enqueue(_time.GetUtcNow());
            var n = attemptTimes.Count;
            if (n <= failures.Length)
            {
                queueLengthsDuringFailures.Enqueue(_queue.Count);
                return Task.FromResult<IResult?>(Results.StatusCode(failures[n - 1]));
            }
            return Task.FromResult<IResult?>(null);
        };

        await _sender.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => _queue.Count == 0, "queue drained after failures", _time);

        AssertDeliveredExactlyOnce(ids);
        Assert.All(queueLengthsDuringFailures, n => Assert.Equal(30, n));
        var times = attemptTimes.ToArray();
        Assert.True(times.Length >= failures.Length + 1);
        for (var k = 1; k <= failures.Length; k++)
        {
            // Failure k waits between half and all of 1 s × 2^(k-1) (equal jitter); time only moves when the test moves it.
            var gap = times[k] - times[k - 1];
            var lowerBound = TimeSpan.FromSeconds(Math.Pow(2, k - 1) / 2);
            Assert.True(gap >= lowerBound, $"retry {k} came after {gap}, expected at least {lowerBound}");
        }
    }

    [Fact]
    public async Task ServerTimesOut_RequestIsAbandonedAndRetried()
    {
        var ids = await EnqueueAsync(5);
        var attempts = 0;
        _server.Behaviour = async (ctx, events) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                // Never answer: the agent must give up on its own (fake-clock) timeout.
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.StatusCode(500);
            }
            return null;
        };

        await _sender.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => _queue.Count == 0, "queue drained after a timeout", _time);

        AssertDeliveredExactlyOnce(ids);
        Assert.True(_server.Requests.Count >= 2);
        Assert.Equal(ids.Order(), _server.Requests.First().Order());
    }

    [Fact]
    public async Task SlowServer_WithinTimeout_IsWaitedFor()
    {
        var ids = await EnqueueAsync(5);
        _server.Behaviour = async (ctx, events) =>
        {
            await Task.Delay(1500);
            return null;
        };

        await _sender.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => _queue.Count == 0, "queue drained by a slow server");

        AssertDeliveredExactlyOnce(ids);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task BadEventInBatch_IsIsolatedAndDropped_OthersDelivered()
    {
        var ids = await EnqueueAsync(8);
        var poison = ids[3];
        _server.PoisonIds[poison] = 0;

        await _sender.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => _queue.Count == 0, "queue drained around a poison event", _time);

        AssertDeliveredExactlyOnce(ids.Where(i => i != poison));
        Assert.Equal(1, (await _queue.ReadStatusAsync()).Rejected);
    }

    [Fact]
    public async Task WrongToken_KeepsEventsAndBacksOff_ThenDeliversWhenFixed()
    {
        var ids = await EnqueueAsync(10);
        _server.Tokens[_deviceId] = "rotated-on-server";

        await _sender.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => _server.Requests.Count >= 3, "three refused attempts", _time);
        var status = await _queue.ReadStatusAsync();

        Assert.Equal(10, _queue.Count);
        Assert.Empty(_server.Accepted);
        Assert.Contains("credentials", status.LastError, StringComparison.Ordinal);

        _server.Tokens[_deviceId] = "secret-token";
        await Eventually.WaitAsync(() => _queue.Count == 0, "queue drained after token fixed", _time);
        AssertDeliveredExactlyOnce(ids);
    }

    [Fact]
    public async Task WrongPcClock_OffsetMeasuredFromDateHeader_AndSentWithLaterEvents()
    {
        // The server's clock is one hour ahead of this PC.
        _server.ServerClock = () => _time.GetUtcNow().AddHours(1);
        await EnqueueAsync(1);
        await _sender.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => _queue.Count == 0, "first press delivered");

        var later = new Press(Guid.NewGuid(), "main", PressType.Green, _time.GetLocalNow(), "test", _clock.OffsetMs);
        await _queue.EnqueueAsync([later]);
        await Eventually.WaitAsync(() => _server.Accepted.Any(e => e.Id == later.Id), "second press delivered");

        var hour = TimeSpan.FromHours(1).TotalMilliseconds;
        Assert.InRange(_server.Accepted.Single(e => e.Id == later.Id).ClockOffsetMs!.Value, hour - 2000, hour + 2000);
        Assert.InRange((await _queue.ReadStatusAsync()).ClockOffsetMs!.Value, hour - 2000, hour + 2000);
    }

    [Fact]
    public async Task Heartbeat_ReportsQueueLengthFirmwareAndOffset()
    {
        await EnqueueAsync(4);
        _server.Tokens[_deviceId] = "not-yet";
        using var heartbeat = new HeartbeatService(_queue, new OtklikClient(_http, _clock, _time), _sender,
            Options.Create(_options), _time, NullLogger<HeartbeatService>.Instance);

        await heartbeat.StartAsync(CancellationToken.None);
        _server.Tokens[_deviceId] = "secret-token";
        await Eventually.WaitAsync(() => !_server.Heartbeats.IsEmpty, "a heartbeat", _time, TimeSpan.FromSeconds(10));
        await heartbeat.StopAsync(CancellationToken.None);

        var beat = _server.Heartbeats.First();
        Assert.Equal(_deviceId, beat.DeviceId);
        Assert.Equal(4, beat.Body.GetProperty("queueLength").GetInt64());
        Assert.StartsWith("otklik-bridge/", beat.Body.GetProperty("firmware").GetString(), StringComparison.Ordinal);
        Assert.True(beat.Body.TryGetProperty("clockOffsetMs", out _));
    }

    [Theory]
    [InlineData(1, 0.0, 500)]
    [InlineData(1, 0.999, 999)]
    [InlineData(4, 0.0, 4000)]
    [InlineData(20, 0.0, 30000)]
    [InlineData(20, 0.5, 45000)]
    public void Backoff_DoublesWithJitter_UpToMax(int failures, double random, int expectedMs)
    {
        var delay = Backoff.Delay(failures, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), random);

        Assert.InRange(delay.TotalMilliseconds, expectedMs - 1, expectedMs + 1);
    }
}
