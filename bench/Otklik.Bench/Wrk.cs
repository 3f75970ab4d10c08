using System.Diagnostics;
using System.Text.Json;

namespace Otklik.Bench;

/// <summary>One wrk run, from the BENCH line that ingest.lua's done() prints (latencies in microseconds).</summary>
public sealed record WrkResult(long Requests, long DurationUs, long Non2xx, long Connect, long Read, long Write, long Timeout,
    long P50, long P90, long P99, long Max, double Mean)
{
    public double RequestsPerSecond => Requests / (DurationUs / 1e6);
    public double P50Ms => P50 / 1000.0;
    public double P99Ms => P99 / 1000.0;
    public long Errors => Non2xx + Connect + Read + Write + Timeout;
}

/// <summary>Runs wrk with ingest.lua (same threads, connections and duration for ingestion and its hello baseline).</summary>
public sealed class Wrk(int threads, int connections)
{
    public static string Script => Path.Combine(AppContext.BaseDirectory, "ingest.lua");

    public static bool Available()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("wrk", ["--version"]) { RedirectStandardOutput = true, RedirectStandardError = true });
            p!.WaitForExit(5000);
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public Task<WrkResult> HelloAsync(Uri server, TimeSpan duration, CancellationToken ct) => RunAsync(server, duration, ["hello"], ct);

    public Task<WrkResult> IngestAsync(Uri server, string deviceFile, double redShare, TimeSpan duration, CancellationToken ct) =>
        RunAsync(server, duration, [deviceFile, redShare.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct);

    private async Task<WrkResult> RunAsync(Uri server, TimeSpan duration, string[] scriptArgs, CancellationToken ct)
    {
        var seconds = ((int)Math.Ceiling(duration.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] args =
        [
            "-t", threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-d", seconds + "s", "--timeout", "10s", "--latency", "-s", Script, server.ToString().TrimEnd('/'), "--", .. scriptArgs,
        ];
        var info = new ProcessStartInfo("wrk", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start wrk");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var text = await output;
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("BENCH ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result (exit {process.ExitCode}):\n{text}\n{await error}");
        return JsonSerializer.Deserialize<WrkResult>(line[6..], Json.Options)!;
    }
}
