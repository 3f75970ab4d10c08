using System.Globalization;
using System.Net.Http.Headers;
using Otklik.Bridge.Status;
using Otklik.Bridge.Queue;

namespace Otklik.Bridge.Sending;

/// <summary>
/// Server-minus-PC clock offset, measured from the server's Date header. The header has whole seconds,
/// so the estimate is the middle of that second against the middle of the request round trip (±0.5 s plus
/// half the round trip): good enough to spot a PC clock that is minutes or hours off.
/// </summary>
public sealed class ClockOffset(PressQueue queue)
{
    private long _offsetMs;
    private int _known;

    public long? OffsetMs => Volatile.Read(ref _known) == 1 ? Interlocked.Read(ref _offsetMs) : null;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var text = await queue.GetStateAsync(BridgeStatus.Keys.ClockOffsetMs, cancellationToken);
        if (long.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            Set(value);
        }
    }

    public static long? Measure(DateTimeOffset? serverDate, DateTimeOffset sentAt, DateTimeOffset receivedAt)
    {
        if (serverDate is not { } date)
        {
            return null;
        }
        var local = sentAt + (receivedAt - sentAt) / 2;
        return (long)Math.Round((date.AddMilliseconds(500) - local).TotalMilliseconds);
    }

    public async Task ObserveAsync(HttpResponseHeaders headers, DateTimeOffset sentAt, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        if (Measure(headers.Date, sentAt, receivedAt) is not { } measured)
        {
            return;
        }
        var previous = OffsetMs;
        Set(measured);
        // Only persist a change bigger than the measurement noise, to keep disk writes rare.
        if (previous is null || Math.Abs(previous.Value - measured) > 1500)
        {
            await queue.SetStateAsync(BridgeStatus.Keys.ClockOffsetMs, measured.ToString(CultureInfo.InvariantCulture), cancellationToken);
        }
    }

    private void Set(long value)
    {
        Interlocked.Exchange(ref _offsetMs, value);
        Volatile.Write(ref _known, 1);
    }
}
