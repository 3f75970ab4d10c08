using Otklik.Devices.Simulator.Transport;

namespace Otklik.Devices.Simulator.Simulation;

public enum SimTransport
{
    Http,
    Mqtt,

    /// <summary>Half the devices (even positions) on MQTT, half on HTTP; duplicates may travel by the other one.</summary>
    Mixed,
}

/// <summary>What a run does. Defaults match the CLI's.</summary>
public sealed record SimulationOptions
{
    public SimTransport Transport { get; init; } = SimTransport.Http;

    /// <summary>Otklik's address for HTTP (needed for <c>http</c> and <c>mixed</c>).</summary>
    public Uri? Server { get; init; }

    /// <summary>The broker (needed for <c>mqtt</c> and <c>mixed</c>).</summary>
    public MqttEndpoint? Mqtt { get; init; }

    /// <summary>New presses per second over all devices; 0 = as fast as <see cref="Concurrency"/> allows.</summary>
    public double Rate { get; init; } = 50;

    /// <summary>Stop after this long (whichever of duration and count comes first; neither = until cancelled).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Stop after this many new presses (distinct event ids; duplicate re-sends are extra).</summary>
    public long? Count { get; init; }

    /// <summary>Share of ordinary presses that are red.</summary>
    public double RedShare { get; init; } = 0.15;

    /// <summary>Per new press, the chance that an already acknowledged event is sent again with its id.</summary>
    public double DuplicateShare { get; init; } = 0.02;

    /// <summary>Now and then a child hammers red: 10 presses on one device within 2 seconds (they count toward <see cref="Count"/>).</summary>
    public bool Burst { get; init; }

    /// <summary>Per send, the chance that a burst starts (when <see cref="Burst"/> is on).</summary>
    public double BurstChance { get; init; } = 0.005;

    public int BurstPresses { get; init; } = 10;

    public TimeSpan BurstSpan { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most sends in flight at once.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Events per send (1 = a bare event; more = <c>{"events":[…]}</c> from one device).</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Seeds device choice, colours, duplicates and bursts; null = random.</summary>
    public int? Seed { get; init; }

    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>MQTT status period (a status is also sent at every connect).</summary>
    public TimeSpan StatusEvery { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Append each acknowledged new event id here, one per line.</summary>
    public string? AckedLogPath { get; init; }

    /// <summary>After cancellation, how long sends in flight may still finish before they are abandoned.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Called after every send with its outcome (from many threads at once); handy for tests and live progress.</summary>
    public Action<SendReport>? OnSendCompleted { get; init; }

    /// <summary>Diagnostics such as config messages from the broker.</summary>
    public Action<string>? Log { get; init; }

    public void Validate(bool checkAddresses = true)
    {
        if (checkAddresses && Transport is SimTransport.Http or SimTransport.Mixed && Server is null)
            throw new ArgumentException("HTTP needs the server address (--server).");
        if (checkAddresses && Transport is SimTransport.Mqtt or SimTransport.Mixed && Mqtt is null)
            throw new ArgumentException("MQTT needs the broker address (--mqtt).");
        if (Rate < 0 || double.IsNaN(Rate)) throw new ArgumentException("The rate cannot be negative.");
        if (RedShare is < 0 or > 1) throw new ArgumentException("The red share is between 0 and 1.");
        if (DuplicateShare is < 0 or > 1) throw new ArgumentException("The duplicate share is between 0 and 1.");
        if (Concurrency < 1) throw new ArgumentException("Concurrency is at least 1.");
        if (Batch is < 1 or > Protocol.DeviceProtocol.MaxBatch) throw new ArgumentException($"A batch holds 1 to {Protocol.DeviceProtocol.MaxBatch} events.");
        if (Count is < 0) throw new ArgumentException("The count cannot be negative.");
        if (Duration is { } d && d <= TimeSpan.Zero) throw new ArgumentException("The duration must be positive.");
    }
}

/// <summary>One finished send, as passed to <see cref="SimulationOptions.OnSendCompleted"/>.</summary>
public sealed record SendReport(string DeviceId, string Transport, IReadOnlyList<Protocol.ButtonEvent> Events, bool IsDuplicate, SendResult Result);
