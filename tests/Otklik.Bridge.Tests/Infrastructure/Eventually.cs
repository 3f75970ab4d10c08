using Microsoft.Extensions.Time.Testing;

namespace Otklik.Bridge.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>
    /// Polls until the condition holds, moving the fake clock (if any) a step each round. The real-time limit
    /// only stops a broken test from hanging; no test asserts on how long anything took.
    /// </summary>
    public static async Task WaitAsync(Func<bool> condition, string what, FakeTimeProvider? time = null, TimeSpan? step = null, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Gave up waiting for: " + what);
            }
            time?.Advance(step ?? TimeSpan.FromMilliseconds(500));
            await Task.Delay(20);
        }
    }
}
