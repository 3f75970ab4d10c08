using System.Diagnostics;

namespace Otklik.Bench;

/// <summary>
/// How long the disk under the work folder takes to make 4 KiB durable (write + fsync), the floor under every
/// acknowledged commit: with C connections each waiting for its commit, no ingestion run can exceed C / fsync time.
/// </summary>
public sealed record FsyncResult(int Samples, double P50Ms, double P99Ms)
{
    public static FsyncResult Measure(string folder, int samples = 200)
    {
        var path = Path.Combine(folder, $"fsync-{Guid.NewGuid():N}.bin");
        var block = new byte[4096];
        var times = new List<double>(samples);
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            for (var i = 0; i < samples; i++)
            {
                file.Write(block);
                var started = Stopwatch.GetTimestamp();
                file.Flush(flushToDisk: true);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        finally
        {
            File.Delete(path);
        }
        times.Sort();
        return new FsyncResult(samples, Math.Round(times[samples / 2], 2), Math.Round(times[(int)(samples * 0.99)], 2));
    }
}
