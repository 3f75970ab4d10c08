using System.Collections.Concurrent;
using System.Diagnostics;
using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Protocol;
using Otklik.Devices.Simulator.Transport;

namespace Otklik.Devices.Simulator.Simulation;

/// <summary>A simulated button and its connections; a device in a mixed run has both.</summary>
public sealed record SimulatedDevice(DeviceCredentials Credentials, IDeviceClient? Http, IDeviceClient? Mqtt);

/// <summary>
/// Presses many SMART buttons at a steady rate over HTTP, MQTT or both: a red/green mix, deliberate duplicate re-sends
/// of acknowledged ids, optional red bursts, retries with the same ids; then summarizes what the server acknowledged.
/// </summary>
/// <example>
/// <code>
/// await using var sim = new ButtonSimulator(new SimulationOptions { Server = uri, Count = 1000, Rate = 0 }, devices);
/// var summary = await sim.RunAsync(ct);
/// </code>
/// </example>
public sealed class ButtonSimulator : IAsyncDisposable
{
    private readonly SimulationOptions _options;
    private readonly IReadOnlyList<SimulatedDevice> _devices;
    private readonly HttpClient? _ownedHttp;
    private readonly bool _ownsClients;
    private int _running;

    /// <summary>Makes the connections the transport needs (and owns them).</summary>
    public ButtonSimulator(SimulationOptions options, IReadOnlyList<DeviceCredentials> devices)
    {
        options.Validate();
        if (devices.Count == 0) throw new ArgumentException("No devices to simulate.", nameof(devices));
        _options = options;
        _ownsClients = true;
        var useHttp = options.Transport is SimTransport.Http or SimTransport.Mixed;
        var useMqtt = options.Transport is SimTransport.Mqtt or SimTransport.Mixed;
        if (useHttp) _ownedHttp = HttpDeviceClient.CreateHttpClient(Math.Max(options.Concurrency, 16));
        var mqttOptions = new MqttDeviceOptions
        {
            Retry = options.Retry,
            StatusEvery = options.StatusEvery,
            Seed = options.Seed,
            OnConfig = (id, payload) => options.Log?.Invoke($"config for {id}: {payload}"),
        };
        _devices = devices.Select(d => new SimulatedDevice(
            d,
            useHttp ? new HttpDeviceClient(_ownedHttp!, options.Server!, d, options.Retry) : null,
            useMqtt ? new MqttDeviceClient(options.Mqtt!, d, mqttOptions) : null)).ToList();
    }

    /// <summary>Runs over connections made by the caller (which stay the caller's to dispose).</summary>
    public ButtonSimulator(SimulationOptions options, IReadOnlyList<SimulatedDevice> devices)
    {
        options.Validate(checkAddresses: false);
        if (devices.Count == 0) throw new ArgumentException("No devices to simulate.", nameof(devices));
        for (var i = 0; i < devices.Count; i++)
        {
            if (PrimaryOf(options.Transport, devices[i], i) is null)
                throw new ArgumentException($"Device {devices[i].Credentials.Id} has no client for {options.Transport}.", nameof(devices));
        }
        _options = options;
        _devices = devices;
    }

    public IReadOnlyList<SimulatedDevice> Devices => _devices;

    /// <summary>Connects every MQTT device (status sent, config subscribed) so a run's latencies do not include connecting.</summary>
    public async Task ConnectAsync(CancellationToken ct = default)
    {
        var mqtt = _devices.Select(d => d.Mqtt).OfType<MqttDeviceClient>().ToList();
        await Parallel.ForEachAsync(mqtt, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(_options.Concurrency, 32), CancellationToken = ct },
            async (client, token) =>
            {
                try
                {
                    await client.ConnectAsync(token);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    // Sends will retry or report it; say so once here.
                    _options.Log?.Invoke($"device {client.Device.Id}: could not connect to the broker: {e.Message}");
                }
            });
    }

    /// <summary>
    /// Runs until <see cref="SimulationOptions.Count"/> new presses are sent, <see cref="SimulationOptions.Duration"/> has passed,
    /// or <paramref name="ct"/> is cancelled; then waits for sends in flight (on cancellation at most
    /// <see cref="SimulationOptions.DrainTimeout"/>) and returns the summary. Cancellation is a normal end, not an exception.
    /// </summary>
    public async Task<SimulationSummary> RunAsync(CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException("A simulator runs once at a time.");
        try
        {
            await ConnectAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        var ackedLog = _options.AckedLogPath is { } path ? new AckedLog(path) : null;
        try
        {
            var run = new Run(this, ackedLog);
            return await run.ExecuteAsync(ct);
        }
        finally
        {
            if (ackedLog is not null) await ackedLog.DisposeAsync();
            Volatile.Write(ref _running, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_ownsClients) return;
        foreach (var device in _devices)
        {
            if (device.Http is not null) await device.Http.DisposeAsync();
            if (device.Mqtt is not null) await device.Mqtt.DisposeAsync();
        }
        _ownedHttp?.Dispose();
    }

    private static IDeviceClient? PrimaryOf(SimTransport transport, SimulatedDevice device, int index) => transport switch
    {
        SimTransport.Http => device.Http,
        SimTransport.Mqtt => device.Mqtt,
        _ => index % 2 == 0 ? device.Mqtt ?? device.Http : device.Http ?? device.Mqtt,
    };

    /// <summary>The state of one run.</summary>
    private sealed class Run(ButtonSimulator owner, AckedLog? ackedLog)
    {
        private const int RecentCapacity = 4096;

        private readonly SimulationOptions _o = owner._options;
        private readonly IReadOnlyList<SimulatedDevice> _devices = owner._devices;
        private readonly SemaphoreSlim _slots = new(owner._options.Concurrency);
        private readonly CancellationTokenSource _abandon = new();
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, long> _retryReasons = new(StringComparer.Ordinal);
        private readonly List<double> _latencies = [];
        private readonly (ButtonEvent Event, int Device)[] _recent = new (ButtonEvent, int)[RecentCapacity];
        private long _recentWritten;
        private int _inFlight;
        private volatile bool _loopDone;
        private long _sent, _acked, _green, _red, _failed, _dupSends, _dupAcked, _serverAccepted, _serverDuplicates, _burstPresses, _retries;

        public async Task<SimulationSummary> ExecuteAsync(CancellationToken ct)
        {
            var generator = new PressGenerator(_o.Seed, _devices.Count, _o.RedShare);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (_o.Duration is { } duration) stop.CancelAfter(duration);
            var bursts = new List<Task>();
            var clock = Stopwatch.StartNew();
            var remaining = _o.Count ?? long.MaxValue;
            var nextDue = 0.0;
            try
            {
                while (remaining > 0 && !stop.IsCancellationRequested)
                {
                    var size = (int)Math.Min(_o.Batch, remaining);
                    if (_o.Rate > 0)
                    {
                        // Open loop: presses come when they are due, whether or not the server keeps up; far behind, give up catching up.
                        nextDue += size / _o.Rate;
                        var wait = nextDue - clock.Elapsed.TotalSeconds;
                        if (wait > 0.001) await Task.Delay(TimeSpan.FromSeconds(wait), stop.Token);
                        else if (wait < -1) nextDue = clock.Elapsed.TotalSeconds;
                    }
                    var device = generator.NextDevice();
                    var now = DateTimeOffset.Now;
                    var events = new ButtonEvent[size];
                    for (var i = 0; i < size; i++) events[i] = ButtonEvent.New(generator.NextColor(), now);
                    remaining -= size;
                    await _slots.WaitAsync(stop.Token);
                    Interlocked.Add(ref _sent, size);
                    Dispatch(device, Primary(device), events, duplicate: false);

                    for (var i = 0; i < size; i++)
                    {
                        if (!generator.Chance(_o.DuplicateShare) || !TryPickRecent(generator, out var old)) continue;
                        var client = _o.Transport == SimTransport.Mixed && generator.Chance(0.5) ? Other(old.Device) : Primary(old.Device);
                        await _slots.WaitAsync(stop.Token);
                        Interlocked.Increment(ref _dupSends);
                        Dispatch(old.Device, client, [old.Event], duplicate: true);
                    }

                    if (_o.Burst && remaining > 0 && generator.Chance(_o.BurstChance))
                    {
                        var presses = (int)Math.Min(_o.BurstPresses, remaining);
                        remaining -= presses;
                        bursts.Add(BurstAsync(generator.NextDevice(), presses, stop.Token));
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Duration over or Ctrl+C: stop pressing, then drain below.
            }

            using var drain = new CancellationTokenSource();
            if (ct.IsCancellationRequested) drain.CancelAfter(_o.DrainTimeout);
            try
            {
                await Task.WhenAll(bursts).WaitAsync(drain.Token);
                _loopDone = true;
                if (Volatile.Read(ref _inFlight) == 0) _drained.TrySetResult();
                await _drained.Task.WaitAsync(drain.Token);
            }
            catch (OperationCanceledException) when (drain.IsCancellationRequested)
            {
                // Out of patience: abandon what is still in flight; those events stay "unresolved".
                await _abandon.CancelAsync();
                await Task.WhenAll(bursts);
                _loopDone = true;
                if (Volatile.Read(ref _inFlight) == 0) _drained.TrySetResult();
                await _drained.Task;
            }
            clock.Stop();
            return Summarize(clock.Elapsed);
        }

        private IDeviceClient Primary(int device) => PrimaryOf(_o.Transport, _devices[device], device)!;

        private IDeviceClient Other(int device)
        {
            var primary = Primary(device);
            var d = _devices[device];
            return (ReferenceEquals(primary, d.Http) ? d.Mqtt : d.Http) ?? primary;
        }

        private async Task BurstAsync(int device, int presses, CancellationToken stop)
        {
            var gap = _o.BurstSpan / Math.Max(1, _o.BurstPresses - 1);
            try
            {
                for (var i = 0; i < presses; i++)
                {
                    if (i > 0) await Task.Delay(gap, stop);
                    var press = ButtonEvent.New(ButtonColor.Red, DateTimeOffset.Now);
                    await _slots.WaitAsync(stop);
                    Interlocked.Increment(ref _sent);
                    Interlocked.Increment(ref _burstPresses);
                    Dispatch(device, Primary(device), [press], duplicate: false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        /// <summary>Starts a send that already holds a concurrency slot.</summary>
        private void Dispatch(int device, IDeviceClient client, ButtonEvent[] events, bool duplicate)
        {
            Interlocked.Increment(ref _inFlight);
            _ = SendAsync(device, client, events, duplicate);
        }

        private async Task SendAsync(int device, IDeviceClient client, ButtonEvent[] events, bool duplicate)
        {
            try
            {
                await Task.Yield();
                SendResult result;
                try
                {
                    result = await client.SendAsync(events, _abandon.Token);
                }
                catch (Exception e)
                {
                    result = new SendResult(SendOutcome.GaveUp, 0, 0, 1, TimeSpan.Zero, $"exception-{e.GetType().Name}", [], e.Message);
                }
                Record(device, client, events, duplicate, result);
                try
                {
                    _o.OnSendCompleted?.Invoke(new SendReport(client.Device.Id, client.Transport, events, duplicate, result));
                }
                catch (Exception e)
                {
                    _o.Log?.Invoke($"OnSendCompleted threw: {e.Message}");
                }
            }
            finally
            {
                _slots.Release();
                if (Interlocked.Decrement(ref _inFlight) == 0 && _loopDone) _drained.TrySetResult();
            }
        }

        private void Record(int device, IDeviceClient client, ButtonEvent[] events, bool duplicate, SendResult result)
        {
            if (result.RetryReasons.Count > 0)
            {
                Interlocked.Add(ref _retries, result.RetryReasons.Count);
                foreach (var reason in result.RetryReasons) _retryReasons.AddOrUpdate(reason, 1, (_, n) => n + 1);
            }
            if (client.Transport == "http")
            {
                Interlocked.Add(ref _serverAccepted, result.Accepted);
                Interlocked.Add(ref _serverDuplicates, result.Duplicates);
            }
            switch (result.Outcome)
            {
                case SendOutcome.Acknowledged:
                    lock (_latencies) _latencies.Add(result.Latency.TotalMilliseconds);
                    if (duplicate)
                    {
                        Interlocked.Increment(ref _dupAcked);
                        break;
                    }
                    Interlocked.Add(ref _acked, events.Length);
                    foreach (var e in events)
                    {
                        if (e.Type == ButtonColor.Red) Interlocked.Increment(ref _red);
                        else Interlocked.Increment(ref _green);
                        ackedLog?.Add(e.Id);
                        Remember(e, device);
                    }
                    break;
                case SendOutcome.Cancelled:
                    break;
                default:
                    _errors.AddOrUpdate(result.ErrorKind ?? result.Outcome.ToString(), events.Length, (_, n) => n + events.Length);
                    if (!duplicate) Interlocked.Add(ref _failed, events.Length);
                    break;
            }
        }

        private void Remember(ButtonEvent e, int device)
        {
            lock (_recent)
            {
                _recent[_recentWritten % RecentCapacity] = (e, device);
                _recentWritten++;
            }
        }

        private bool TryPickRecent(PressGenerator generator, out (ButtonEvent Event, int Device) picked)
        {
            lock (_recent)
            {
                var count = (int)Math.Min(_recentWritten, RecentCapacity);
                if (count == 0)
                {
                    picked = default;
                    return false;
                }
                picked = _recent[generator.Pick(count)];
                return true;
            }
        }

        private SimulationSummary Summarize(TimeSpan elapsed)
        {
            List<double> latencies;
            lock (_latencies) latencies = [.. _latencies];
            var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
            return new SimulationSummary
            {
                Transport = _o.Transport.ToString().ToLowerInvariant(),
                Devices = _devices.Count,
                ElapsedSeconds = Math.Round(elapsed.TotalSeconds, 3),
                Sent = _sent,
                Acknowledged = _acked,
                Green = _green,
                Red = _red,
                Failed = _failed,
                Unresolved = _sent - _acked - _failed,
                DuplicateSends = _dupSends,
                DuplicatesAcknowledged = _dupAcked,
                ServerAccepted = _serverAccepted,
                ServerDuplicates = _serverDuplicates,
                BurstPresses = _burstPresses,
                Retries = _retries,
                RetryReasons = new SortedDictionary<string, long>(_retryReasons, StringComparer.Ordinal),
                Errors = new SortedDictionary<string, long>(_errors, StringComparer.Ordinal),
                Throughput = Math.Round(_acked / seconds, 1),
                LatencyMs = LatencySummary.From(latencies),
            };
        }
    }
}
