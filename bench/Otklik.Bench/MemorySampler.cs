using System.Globalization;

namespace Otklik.Bench;

/// <summary>
/// Peak resident memory of a process over one phase: the kernel's high-water mark (VmHWM, reset at the start of the
/// phase through /proc/{pid}/clear_refs when allowed) and the highest VmRSS seen by sampling every 100 ms.
/// </summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _maxRssKb;

    private MemorySampler(int pid)
    {
        _pid = pid;
        HighWaterReset = TryResetHighWater(pid);
        _loop = SampleAsync();
    }

    /// <summary>Whether VmHWM was reset at the start (needs root or the same user; otherwise it is the peak since start).</summary>
    public bool HighWaterReset { get; }

    public static MemorySampler Start(int pid) => new(pid);

    /// <summary>Stops sampling: (peak VmHWM, highest sampled VmRSS) in MiB.</summary>
    public async Task<MemoryPeak> StopAsync()
    {
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        var hwm = Read(_pid, "VmHWM:") ?? 0;
        var rss = Math.Max(Interlocked.Read(ref _maxRssKb), Read(_pid, "VmRSS:") ?? 0);
        return new MemoryPeak(Math.Round(Math.Max(hwm, rss) / 1024.0, 1), Math.Round(rss / 1024.0, 1), HighWaterReset);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            if (Read(_pid, "VmRSS:") is { } kb && kb > Interlocked.Read(ref _maxRssKb)) Interlocked.Exchange(ref _maxRssKb, kb);
        }
        while (await timer.WaitForNextTickAsync(_stop.Token));
    }

    private static bool TryResetHighWater(int pid)
    {
        try
        {
            // "5" resets the peak resident set size (Linux 4.0+).
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? Read(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
                var number = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(number, CultureInfo.InvariantCulture);
            }
        }
        catch (IOException) { }
        return null;
    }
}

/// <summary>Peak memory of a phase in MiB: <see cref="PeakMiB"/> from VmHWM (or the sampled maximum if higher).</summary>
public sealed record MemoryPeak(double PeakMiB, double SampledMaxRssMiB, bool HighWaterReset);
