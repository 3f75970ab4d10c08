using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Otklik.Bridge.Queue;
using Otklik.Bridge.Status;

namespace Otklik.Bridge.Sending;

/// <summary>
/// Drains the queue to the server in batches, per device. Deletes only what the server acknowledged;
/// backs off (exponentially, with jitter, per device) on errors; isolates and drops malformed events.
/// </summary>
public sealed class EventSender(
    PressQueue queue,
    OtklikClient client,
    ClockOffset clock,
    IOptions<BridgeOptions> options,
    TimeProvider time,
    ILogger<EventSender> logger) : BackgroundService
{
    private readonly Dictionary<string, DeviceState> _devices = new(StringComparer.OrdinalIgnoreCase);
    private readonly Random _random = new();

    /// <summary>Last send problem, for heartbeats; null once a send succeeds.</summary>
    public string? LastError { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await clock.LoadAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            while (queue.Added.TryRead(out _))
            {
                // Drain the wake-up signal before looking at the queue, so no addition is missed.
            }
            var progressed = false;
            DateTimeOffset? wakeAt = null;
            foreach (var device in await queue.PendingDevicesAsync(stoppingToken))
            {
                var state = GetState(device);
                var now = time.GetUtcNow();
                if (state.NextAttempt > now)
                {
                    wakeAt = Min(wakeAt, state.NextAttempt);
                    continue;
                }
                if (await SendBatchAsync(device, stoppingToken))
                {
                    state.Failures = 0;
                    state.NextAttempt = DateTimeOffset.MinValue;
                    progressed = true;
                }
                else
                {
                    state.Failures++;
                    var delay = Backoff.Delay(state.Failures, options.Value.Sender.InitialBackoff, options.Value.Sender.MaxBackoff, _random.NextDouble());
                    state.NextAttempt = time.GetUtcNow() + delay;
                    wakeAt = Min(wakeAt, state.NextAttempt);
                    logger.LogInformation("Retrying device {Device} in {Delay:0.0} s ({Failures} failure(s) in a row; {Count} press(es) kept in the queue)",
                        device, delay.TotalSeconds, state.Failures, queue.Count);
                }
            }
            if (progressed)
            {
                continue;
            }
            await WaitAsync(wakeAt, stoppingToken);
        }
    }

    private async Task WaitAsync(DateTimeOffset? wakeAt, CancellationToken stoppingToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var added = queue.Added.WaitToReadAsync(cts.Token).AsTask();
        var waits = new List<Task> { added };
        if (wakeAt is { } at)
        {
            var delay = at - time.GetUtcNow();
            waits.Add(delay > TimeSpan.Zero ? Task.Delay(delay, time, cts.Token) : Task.CompletedTask);
        }
        await Task.WhenAny(waits);
        await cts.CancelAsync();
        try
        {
            await Task.WhenAll(waits);
        }
        catch (OperationCanceledException)
        {
            // The losing wait was cancelled.
        }
        stoppingToken.ThrowIfCancellationRequested();
    }

    /// <returns>True when the batch was dealt with (delivered, or poison events dropped); false to back off.</returns>
    private async Task<bool> SendBatchAsync(string device, CancellationToken ct)
    {
        var settings = options.Value;
        if (!settings.Devices.TryGetValue(device, out var credentials) || string.IsNullOrEmpty(credentials.Token))
        {
            await RecordErrorAsync($"Presses are queued for device '{device}', which has no credentials in the configuration. Run 'otklik-bridge pair --device {device} --code …'.", ct);
            return false;
        }
        if (!Uri.TryCreate(settings.ServerUrl, UriKind.Absolute, out var server))
        {
            await RecordErrorAsync("Bridge:ServerUrl is not set to an absolute URL; presses stay queued.", ct);
            return false;
        }
        var batch = await queue.PeekAsync(device, Math.Clamp(settings.Sender.BatchSize, 1, 1000), ct);
        if (batch.Count == 0)
        {
            return true;
        }
        var result = await client.SendEventsAsync(server, credentials, batch, settings.Sender.RequestTimeout, ct);
        switch (result.Outcome)
        {
            case SendOutcome.Accepted:
                await queue.DeleteAsync(batch.Select(p => p.Id), ct);
                await RecordSuccessAsync(ct);
                logger.LogDebug("Delivered {Count} press(es) of device {Device}", batch.Count, device);
                return true;
            case SendOutcome.BadRequest:
                logger.LogWarning("Server refused a batch of {Count} press(es) of device {Device} as malformed ({Detail}); sending them one by one to find the bad one(s)",
                    batch.Count, device, result.Detail);
                return await IsolatePoisonAsync(server, device, credentials, batch, ct);
            case SendOutcome.Unauthorized:
                await RecordErrorAsync($"Server refused the credentials of device '{device}' ({result.Detail}). Presses are kept; pair the device again with 'otklik-bridge pair'.", ct);
                return false;
            default:
                await RecordErrorAsync($"Sending to {server.Host} failed: {result.Detail}", ct, LogLevel.Warning);
                return false;
        }
    }

    private async Task<bool> IsolatePoisonAsync(Uri server, string device, DeviceCredentials credentials, IReadOnlyList<Press> batch, CancellationToken ct)
    {
        var settings = options.Value;
        foreach (var press in batch)
        {
            var result = await client.SendEventsAsync(server, credentials, [press], settings.Sender.RequestTimeout, ct);
            switch (result.Outcome)
            {
                case SendOutcome.Accepted:
                    await queue.DeleteAsync([press.Id], ct);
                    break;
                case SendOutcome.BadRequest:
                    logger.LogError("Dropping press {Id} ({Type} at {At}, device {Device}): the server refuses it: {Detail}. It is kept in the 'rejected' table of {File}.",
                        press.Id, press.Type.ToWire(), press.At, device, result.Detail, queue.FilePath);
                    await queue.RejectAsync(press, result.Detail, ct);
                    break;
                default:
                    await RecordErrorAsync($"Sending press {press.Id} failed: {result.Detail}", ct, LogLevel.Warning);
                    return false;
            }
        }
        await RecordSuccessAsync(ct);
        return true;
    }

    private async Task RecordSuccessAsync(CancellationToken ct)
    {
        LastError = null;
        await queue.SetStateAsync(BridgeStatus.Keys.LastSuccessAt, time.GetUtcNow().ToString("o", CultureInfo.InvariantCulture), ct);
    }

    private async Task RecordErrorAsync(string message, CancellationToken ct, LogLevel level = LogLevel.Error)
    {
        logger.Log(level, "{Message}", message);
        LastError = message;
        await queue.SetStateAsync(BridgeStatus.Keys.LastError, message, ct);
        await queue.SetStateAsync(BridgeStatus.Keys.LastErrorAt, time.GetUtcNow().ToString("o", CultureInfo.InvariantCulture), ct);
    }

    private DeviceState GetState(string device)
    {
        if (!_devices.TryGetValue(device, out var state))
        {
            _devices[device] = state = new DeviceState();
        }
        return state;
    }

    private static DateTimeOffset Min(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    private sealed class DeviceState
    {
        public int Failures { get; set; }

        public DateTimeOffset NextAttempt { get; set; } = DateTimeOffset.MinValue;
    }
}

/// <summary>Tells the server every so often that this agent (and each of its devices) is alive.</summary>
public sealed class HeartbeatService(
    PressQueue queue,
    OtklikClient client,
    EventSender sender,
    IOptions<BridgeOptions> options,
    TimeProvider time,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.HeartbeatInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            if (Uri.TryCreate(options.Value.ServerUrl, UriKind.Absolute, out var server))
            {
                foreach (var (name, device) in options.Value.Devices)
                {
                    var length = await queue.CountAsync(name, stoppingToken);
                    var result = await client.SendHeartbeatAsync(server, device, length, sender.LastError, options.Value.Sender.RequestTimeout, stoppingToken);
                    if (result.Outcome != SendOutcome.Accepted)
                    {
                        logger.LogDebug("Heartbeat of device {Device} failed: {Detail}", name, result.Detail);
                    }
                }
            }
            await Task.Delay(interval, time, stoppingToken);
        }
    }
}
