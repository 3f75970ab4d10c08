using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Protocol;

namespace Otklik.Devices.Simulator.Transport;

/// <summary>Settings of an MQTT device beyond its address and credentials.</summary>
public sealed record MqttDeviceOptions
{
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>Status is published at every connect and then this often; zero = only at connect.</summary>
    public TimeSpan StatusEvery { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Called with (device id, payload) for each message on the device's retained config topic.</summary>
    public Action<string, string>? OnConfig { get; init; }

    /// <summary>MQTT 5 by default: its PUBACK carries a reason code, so a broker can say "not stored". 3.1.1 works too.</summary>
    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V500;

    /// <summary>Seeds the made-up battery and signal levels.</summary>
    public int? Seed { get; init; }
}

/// <summary>
/// A SMART button speaking MQTT: client id = user name = device id, password = token; events published with QoS 1 to
/// <c>otklik/devices/{id}/events</c>, where the PUBACK means durable. A failed publish or PUBACK is retried with the same
/// payload (same ids) after reconnecting. Publishes status at connect and every <see cref="MqttDeviceOptions.StatusEvery"/>,
/// and listens to its retained config.
/// </summary>
public sealed class MqttDeviceClient : IDeviceClient
{
    private readonly MqttEndpoint _endpoint;
    private readonly MqttDeviceOptions _options;
    private readonly IMqttClient _client;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly CancellationTokenSource _life = new();
    private readonly Random _random;
    private int _generation;
    private int _battery;
    private Task? _statusLoop;
    private bool _disposed;

    public MqttDeviceClient(MqttEndpoint endpoint, DeviceCredentials device, MqttDeviceOptions? options = null)
    {
        _endpoint = endpoint;
        Device = device;
        _options = options ?? new MqttDeviceOptions();
        _random = _options.Seed is { } seed ? new Random(HashCode.Combine(seed, device.Id.GetHashCode(StringComparison.Ordinal))) : new Random();
        _battery = _random.Next(55, 101);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == DeviceProtocol.ConfigTopic(Device.Id))
                _options.OnConfig?.Invoke(Device.Id, Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
    }

    public DeviceCredentials Device { get; }

    public string Transport => "mqtt";

    public bool IsConnected => _client.IsConnected;

    /// <summary>Connects now (otherwise the first send does). Throws <see cref="MqttDeviceUnauthorizedException"/> on bad credentials.</summary>
    public async Task ConnectAsync(CancellationToken ct = default) => await EnsureConnectedAsync(-1, ct);

    public Task<SendResult> SendAsync(IReadOnlyList<ButtonEvent> events, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(events.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events.Count, DeviceProtocol.MaxBatch);
        return PublishAsync(DeviceProtocol.EncodeEvents(events), events.Count, ct);
    }

    public Task<SendResult> SendAsync(IReadOnlyList<StoreEvent> events, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(events.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events.Count, DeviceProtocol.MaxBatch);
        return PublishAsync(DeviceProtocol.EncodeStoreEvents(events), events.Count, ct);
    }

    private async Task<SendResult> PublishAsync(byte[] payload, int count, CancellationToken ct)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(DeviceProtocol.EventsTopic(Device.Id))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var retry = _options.Retry;
        var started = Stopwatch.GetTimestamp();
        var retries = new List<string>();
        var brokenGeneration = -1;
        for (var attempt = 1; ; attempt++)
        {
            string kind;
            using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                attemptCts.CancelAfter(retry.AttemptTimeout);
                var generation = -1;
                try
                {
                    generation = await EnsureConnectedAsync(brokenGeneration, attemptCts.Token);
                    var result = await _client.PublishAsync(message, attemptCts.Token);
                    if (result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)
                        return new SendResult(SendOutcome.Acknowledged, count, 0, attempt, Stopwatch.GetElapsedTime(started), null, retries);
                    kind = $"puback-{result.ReasonCode}";
                    if (result.ReasonCode is MqttClientPublishReasonCode.NotAuthorized
                        or MqttClientPublishReasonCode.TopicNameInvalid or MqttClientPublishReasonCode.PayloadFormatInvalid)
                    {
                        var outcome = result.ReasonCode == MqttClientPublishReasonCode.NotAuthorized ? SendOutcome.Unauthorized : SendOutcome.Rejected;
                        return new SendResult(outcome, 0, 0, attempt, Stopwatch.GetElapsedTime(started), kind, retries, result.ReasonString);
                    }
                }
                catch (MqttDeviceUnauthorizedException e)
                {
                    return new SendResult(SendOutcome.Unauthorized, 0, 0, attempt, Stopwatch.GetElapsedTime(started), "mqtt-connect-refused", retries, e.Message);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return new SendResult(SendOutcome.Cancelled, 0, 0, attempt, Stopwatch.GetElapsedTime(started), "cancelled", retries);
                }
                catch (Exception e) when (e is OperationCanceledException or MqttCommunicationTimedOutException)
                {
                    kind = "timeout";
                    brokenGeneration = generation;
                }
                catch (Exception e) when (e is MqttCommunicationException or MqttClientNotConnectedException
                                              or SocketException or IOException or ObjectDisposedException)
                {
                    kind = "network";
                    brokenGeneration = generation;
                }
            }
            if (attempt >= retry.MaxAttempts)
                return new SendResult(SendOutcome.GaveUp, 0, 0, attempt, Stopwatch.GetElapsedTime(started), kind, retries);
            retries.Add(kind);
            try
            {
                await Task.Delay(retry.DelayBefore(attempt), ct);
            }
            catch (OperationCanceledException)
            {
                return new SendResult(SendOutcome.Cancelled, 0, 0, attempt, Stopwatch.GetElapsedTime(started), "cancelled", retries);
            }
        }
    }

    /// <summary>Publishes one status report (QoS 1). The battery drains slowly over the run.</summary>
    public async Task PublishStatusAsync(CancellationToken ct = default)
    {
        DeviceStatus status;
        lock (_random)
        {
            if (_battery > 5 && _random.NextDouble() < 0.1) _battery--;
            status = new DeviceStatus(DateTimeOffset.Now, _battery, _random.Next(35, 96), DeviceProtocol.Firmware);
        }
        await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(DeviceProtocol.StatusTopic(Device.Id))
            .WithPayload(DeviceProtocol.EncodeStatus(status))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _life.CancelAsync();
        if (_statusLoop is not null)
        {
            try { await _statusLoop; } catch (OperationCanceledException) { }
        }
        if (_client.IsConnected)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token);
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
        _client.Dispose();
        _connectLock.Dispose();
        _life.Dispose();
    }

    /// <summary>
    /// Returns the generation of a live connection. If <paramref name="broken"/> is the current generation, the
    /// connection that failed is dropped and a new one made; concurrent senders that saw the same failure reconnect once.
    /// </summary>
    private async Task<int> EnsureConnectedAsync(int broken, CancellationToken ct)
    {
        if (_client.IsConnected && broken != Volatile.Read(ref _generation)) return Volatile.Read(ref _generation);
        await _connectLock.WaitAsync(ct);
        try
        {
            if (_client.IsConnected && broken == _generation)
            {
                try { await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), ct); }
                catch (Exception e) when (e is MqttCommunicationException or ObjectDisposedException) { }
            }
            if (_client.IsConnected) return _generation;
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer(_endpoint.Host, _endpoint.Port)
                .WithClientId(Device.Id)
                .WithCredentials(Device.Id, Device.Token)
                .WithProtocolVersion(_options.ProtocolVersion)
                .WithCleanStart(true)
                .WithTimeout(_options.Retry.AttemptTimeout)
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(30));
            if (_endpoint.UseTls) options.WithTlsOptions(tls => tls.UseTls());
            MqttClientConnectResult connected;
            try
            {
                connected = await ConnectWhenIdleAsync(options.Build(), ct);
            }
            catch (MqttConnectingFailedException e) when (Refusal(e) is { } refusal)
            {
                throw new MqttDeviceUnauthorizedException(Device.Id, refusal, e);
            }
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                if (IsCredentialsRefusal(connected.ResultCode))
                    throw new MqttDeviceUnauthorizedException(Device.Id, connected.ResultCode.ToString(), null);
                throw new MqttCommunicationException($"Broker refused the connection: {connected.ResultCode}");
            }
            _generation++;
            await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(DeviceProtocol.ConfigTopic(Device.Id), MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), ct);
            await PublishStatusAsync(ct);
            if (_statusLoop is null && _options.StatusEvery > TimeSpan.Zero) _statusLoop = StatusLoopAsync(_life.Token);
            return _generation;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>
    /// Connects; while the client is still tearing down a connection the broker dropped (IsConnected is already false),
    /// MQTTnet refuses a new connect with InvalidOperationException, so wait a moment and try again.
    /// </summary>
    private async Task<MqttClientConnectResult> ConnectWhenIdleAsync(MqttClientOptions options, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _client.ConnectAsync(options, ct);
            }
            catch (InvalidOperationException) when (attempt < 100)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
            }
        }
    }

    private async Task StatusLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.StatusEvery);
        while (await timer.WaitForNextTickAsync(ct))
        {
            if (!_client.IsConnected) continue;
            try
            {
                await PublishStatusAsync(ct);
            }
            catch (Exception e) when (e is MqttCommunicationException or MqttClientNotConnectedException or ObjectDisposedException)
            {
                // Status is best effort; the next send reconnects.
            }
        }
    }

    private static bool IsCredentialsRefusal(MqttClientConnectResultCode code) => code is MqttClientConnectResultCode.BadUserNameOrPassword
        or MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.ClientIdentifierNotValid or MqttClientConnectResultCode.Banned;

    private static string? Refusal(MqttConnectingFailedException e)
    {
        foreach (var code in Enum.GetValues<MqttClientConnectResultCode>())
        {
            if (IsCredentialsRefusal(code) && e.Message.Contains(code.ToString(), StringComparison.Ordinal)) return code.ToString();
        }
        return null;
    }
}

/// <summary>The broker refused the device's id or token.</summary>
public sealed class MqttDeviceUnauthorizedException(string deviceId, string reason, Exception? inner)
    : Exception($"The broker refused device {deviceId}: {reason}.", inner)
{
    public string Reason { get; } = reason;
}
