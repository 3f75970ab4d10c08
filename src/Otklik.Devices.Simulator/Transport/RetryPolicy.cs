namespace Otklik.Devices.Simulator.Transport;

/// <summary>How a device retries a send that got no durable answer: exponential back-off with full jitter, bounded attempts.</summary>
public sealed record RetryPolicy
{
    /// <summary>Attempts in all, the first one included.</summary>
    public int MaxAttempts { get; init; } = 8;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one attempt may wait for its answer (HTTP response or PUBACK).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static RetryPolicy Default { get; } = new();

    /// <summary>
    /// Delay before retry number <paramref name="retry"/> (1 = after the first failure): a random time between half and all of
    /// <c>BaseDelay·2^(retry-1)</c>, capped at <see cref="MaxDelay"/>; a server's Retry-After wins when it is longer.
    /// Jitter keeps a thousand devices that failed together from retrying together.
    /// </summary>
    public TimeSpan DelayBefore(int retry, TimeSpan? retryAfter = null)
    {
        var ceiling = Math.Min(BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30)), MaxDelay.TotalMilliseconds);
        var delay = TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
        if (retryAfter is { } hint && hint > delay) delay = hint < MaxDelay ? hint : MaxDelay;
        return delay;
    }
}
