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

    public Task PublishAsync(FeedbackReceived received) => FanOutAsync(_handlers.Feedback, received);

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

    public Task PublishAsync(AlertRaised raised) => FanOutAsync(_handlers.Raised, raised);

    public Task PublishAsync(AlertAcknowledged acknowledged) => FanOutAsync(_handlers.Acknowledged, acknowledged);

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

    public Task PublishAsync(IReadOnlyList<PressRecorded> presses) => FanOutAsync(_handlers.Presses, presses);

    public Task PublishAsync(DeviceSeen seen) => FanOutAsync(_handlers.Devices, seen);

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        private Action? _action = action;
        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}
