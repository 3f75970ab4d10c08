using Otklik.Web.Features.Buttons;

namespace Otklik.Web.Features.Live;

/// <summary>A press that was just stored (after its commit).</summary>
public sealed record PressRecorded(
    Guid OrganizationId, Guid LocationId, Guid DeviceId, Guid? StaffMemberId, Guid PressId, PressType Type,
    bool Suppressed, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt);

/// <summary>A device reported itself (heartbeat, status, or simply sent something).</summary>
public sealed record DeviceSeen(Guid OrganizationId, Guid LocationId, Guid DeviceId, DateTimeOffset At, int? BatteryPercent, int? SignalPercent);

/// <summary>An alert was raised (a red press, a threshold rule, a silent device…) at a location.</summary>
public sealed record AlertRaised(
    Guid OrganizationId, Guid LocationId, Guid AlertId, string Kind, string Title, string? StaffName, string? DeviceName, DateTimeOffset At);

/// <summary>Someone acknowledged an alert; every screen showing it clears it.</summary>
public sealed record AlertAcknowledged(Guid OrganizationId, Guid LocationId, Guid AlertId, string? ByName, DateTimeOffset At);

/// <summary>New negative feedback was stored (any channel). <paramref name="Excerpt"/> is the start of the customer's text.</summary>
public sealed record FeedbackReceived(
    Guid OrganizationId, Guid LocationId, Guid FeedbackId, string Sentiment, string Channel, string? Excerpt, bool HasAttachments, DateTimeOffset At);

/// <summary>An alert as a live screen shows it.</summary>
public sealed record OpenAlert(Guid Id, Guid LocationId, string Kind, string Title, string? StaffName, string? DeviceName, DateTimeOffset At);

/// <summary>
/// What live screens need from the alerts feature, scoped to the current tenant (and a location manager's locations).
/// </summary>
public interface IAlertInbox
{
    /// <summary>Unacknowledged alerts, newest first; all visible locations when <paramref name="locationId"/> is null.</summary>
    Task<IReadOnlyList<OpenAlert>> OpenAsync(Guid? locationId, CancellationToken ct);

    /// <summary>Acknowledges for the current user; false when the alert is unknown, not visible or already acknowledged.</summary>
    Task<bool> AcknowledgeAsync(Guid alertId, CancellationToken ct);
}

/// <summary>
/// In-process fan-out of what happens, for live screens and alert rules on this node. Components subscribe and
/// dispose their subscription; handlers must be quick and never throw into the publisher.
/// </summary>
public sealed class LiveNotifier(ILogger<LiveNotifier> log)
{
    private readonly Lock _gate = new();
    private ImmutableHandlers _handlers = new([], []);

    private sealed record ImmutableHandlers(Func<IReadOnlyList<PressRecorded>, Task>[] Presses, Func<DeviceSeen, Task>[] Devices)
    {
        public Func<AlertRaised, Task>[] Raised { get; init; } = [];
        public Func<AlertAcknowledged, Task>[] Acknowledged { get; init; } = [];
        public Func<FeedbackReceived, Task>[] Feedback { get; init; } = [];
    }

    public IDisposable OnFeedbackReceived(Func<FeedbackReceived, Task> handler)
    {
        lock (_gate) _handlers = _handlers with { Feedback = [.. _handlers.Feedback, handler] };
        return new Unsubscribe(() => { lock (_gate) _handlers = _handlers with { Feedback = _handlers.Feedback.Where(h => h != handler).ToArray() }; });
    }

    public Task PublishAsync(FeedbackReceived received) => RelayAndFanOutAsync(_handlers.Feedback, received);

    public IDisposable OnAlertRaised(Func<AlertRaised, Task> handler)
    {
        lock (_gate) _handlers = _handlers with { Raised = [.. _handlers.Raised, handler] };
        return new Unsubscribe(() => { lock (_gate) _handlers = _handlers with { Raised = _handlers.Raised.Where(h => h != handler).ToArray() }; });
    }

    public IDisposable OnAlertAcknowledged(Func<AlertAcknowledged, Task> handler)
    {
        lock (_gate) _handlers = _handlers with { Acknowledged = [.. _handlers.Acknowledged, handler] };
        return new Unsubscribe(() => { lock (_gate) _handlers = _handlers with { Acknowledged = _handlers.Acknowledged.Where(h => h != handler).ToArray() }; });
    }

    public Task PublishAsync(AlertRaised raised) => RelayAndFanOutAsync(_handlers.Raised, raised);

    public Task PublishAsync(AlertAcknowledged acknowledged) => RelayAndFanOutAsync(_handlers.Acknowledged, acknowledged);

    private static readonly AsyncLocal<bool> PeerDelivery = new();

    /// <summary>
    /// With several nodes: where this node's events also go (set by the Redis relay). Null on a single node.
    /// </summary>
    public Func<object, Task>? Relay { get; set; }

    /// <summary>
    /// True inside a handler when the event happened on another node and came through the relay. Subscribers that act
    /// (raise alerts, forward to the SignalR backplane, which already spans the nodes) skip such events; screens use them.
    /// </summary>
    public static bool IsFromPeer => PeerDelivery.Value;

    /// <summary>Fans an event from another node out to this node's subscribers only.</summary>
    public async Task DeliverFromPeerAsync(object message)
    {
        PeerDelivery.Value = true;
        try
        {
            switch (message)
            {
                case IReadOnlyList<PressRecorded> presses: await FanOutAsync(_handlers.Presses, presses); break;
                case DeviceSeen seen: await FanOutAsync(_handlers.Devices, seen); break;
                case AlertRaised raised: await FanOutAsync(_handlers.Raised, raised); break;
                case AlertAcknowledged acknowledged: await FanOutAsync(_handlers.Acknowledged, acknowledged); break;
                case FeedbackReceived feedback: await FanOutAsync(_handlers.Feedback, feedback); break;
            }
        }
        finally
        {
            PeerDelivery.Value = false;
        }
    }

    private async Task RelayAndFanOutAsync<T>(Func<T, Task>[] handlers, T message) where T : notnull
    {
        if (Relay is { } relay)
        {
            try { await relay(message); }
            catch (Exception e) { log.LogWarning(e, "Relaying a live {Message} to the other nodes failed", typeof(T).Name); }
        }
        await FanOutAsync(handlers, message);
    }

    private async Task FanOutAsync<T>(Func<T, Task>[] handlers, T message)
    {
        foreach (var handler in handlers)
        {
            try { await handler(message); }
            catch (Exception e) { log.LogWarning(e, "A live {Message} subscriber failed", typeof(T).Name); }
        }
    }

    public IDisposable OnPresses(Func<IReadOnlyList<PressRecorded>, Task> handler)
    {
        lock (_gate) _handlers = _handlers with { Presses = [.. _handlers.Presses, handler] };
        return new Unsubscribe(() => { lock (_gate) _handlers = _handlers with { Presses = _handlers.Presses.Where(h => h != handler).ToArray() }; });
    }

    public IDisposable OnDeviceSeen(Func<DeviceSeen, Task> handler)
    {
        lock (_gate) _handlers = _handlers with { Devices = [.. _handlers.Devices, handler] };
        return new Unsubscribe(() => { lock (_gate) _handlers = _handlers with { Devices = _handlers.Devices.Where(h => h != handler).ToArray() }; });
    }

    public Task PublishAsync(IReadOnlyList<PressRecorded> presses) => RelayAndFanOutAsync(_handlers.Presses, presses);

    public Task PublishAsync(DeviceSeen seen) => RelayAndFanOutAsync(_handlers.Devices, seen);

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        private Action? _action = action;
        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}
