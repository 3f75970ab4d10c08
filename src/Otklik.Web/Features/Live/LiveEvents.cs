using Otklik.Web.Features.Buttons;

namespace Otklik.Web.Features.Live;

/// <summary>A press that was just stored (after its commit).</summary>
public sealed record PressRecorded(
    Guid OrganizationId, Guid LocationId, Guid DeviceId, Guid? StaffMemberId, Guid PressId, PressType Type,
    bool Suppressed, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt);

/// <summary>A device reported itself (heartbeat, status, or simply sent something).</summary>
public sealed record DeviceSeen(Guid OrganizationId, Guid LocationId, Guid DeviceId, DateTimeOffset At, int? BatteryPercent, int? SignalPercent);

/// <summary>
/// In-process fan-out of what happens, for live screens and alert rules on this node. Components subscribe and
/// dispose their subscription; handlers must be quick and never throw into the publisher.
/// </summary>
public sealed class LiveNotifier(ILogger<LiveNotifier> log)
{
    private readonly Lock _gate = new();
    private ImmutableHandlers _handlers = new([], []);

    private sealed record ImmutableHandlers(Func<IReadOnlyList<PressRecorded>, Task>[] Presses, Func<DeviceSeen, Task>[] Devices);

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

    public async Task PublishAsync(IReadOnlyList<PressRecorded> presses)
    {
        foreach (var handler in _handlers.Presses)
        {
            try { await handler(presses); }
            catch (Exception e) { log.LogWarning(e, "A live press subscriber failed"); }
        }
    }

    public async Task PublishAsync(DeviceSeen seen)
    {
        foreach (var handler in _handlers.Devices)
        {
            try { await handler(seen); }
            catch (Exception e) { log.LogWarning(e, "A live device subscriber failed"); }
        }
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        private Action? _action = action;
        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}
