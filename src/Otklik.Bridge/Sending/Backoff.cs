namespace Otklik.Bridge.Sending;

/// <summary>Exponential back-off with "equal jitter": half the step is fixed, half random.</summary>
public static class Backoff
{
    /// <param name="failures">Consecutive failures so far (1 for the first).</param>
    /// <param name="random">A number in [0, 1).</param>
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan max, double random)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var step = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(step / 2 + step / 2 * random);
    }
}
