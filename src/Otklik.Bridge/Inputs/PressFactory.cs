using Otklik.Bridge.Queue;
using Otklik.Bridge.Sending;

namespace Otklik.Bridge.Inputs;

/// <summary>Gives a press its id and local timestamp the moment an input sees it.</summary>
public sealed class PressFactory(TimeProvider time, ClockOffset clock)
{
    public Press Create(string device, PressType type, string source, Guid? id = null, DateTimeOffset? at = null) =>
        new(id ?? Guid.CreateVersion7(time.GetUtcNow()), device, type, at ?? time.GetLocalNow(), source, clock.OffsetMs);
}
