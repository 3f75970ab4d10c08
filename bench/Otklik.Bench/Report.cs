using System.Globalization;
using System.Text;

namespace Otklik.Bench;

/// <summary>The markdown written to bench/results/.</summary>
public static class Report
{
    public static string Write(IReadOnlyList<DatabaseRun> runs, Machine machine)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        var first = runs.Min(r => r.StartedAt);
        md.AppendLine(c, $"# Otklik benchmarks — {first:yyyy-MM-dd HH:mm zzz}");
        md.AppendLine();
        md.AppendLine(c, $"Machine: {machine.Cores} cores ({machine.Cpu}), {machine.MemoryGiB:F1} GiB memory, {machine.Os}, kernel {machine.Kernel}, {machine.DotNet}.");
        md.AppendLine("Load generator, Otklik, PostgreSQL and the simulator share these cores, so absolute numbers are noisy and low;");
        md.AppendLine("each measurement is compared with a baseline measured in the same run on the same machine. See bench/README.md.");
        md.AppendLine();

        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| target | " + string.Join(" | ", runs.Select(r => r.Database)) + " |");
        md.AppendLine("| --- |" + string.Concat(runs.Select(_ => " --- |")));
        foreach (var (target, index) in runs[0].Verdicts.Select((v, i) => (v.Target, i)))
        {
            md.AppendLine(c, $"| {target} | {string.Join(" | ", runs.Select(r => Cell(r, index)))} |");
        }
        md.AppendLine();
        foreach (var r in runs) md.AppendLine(c, $"- **{r.Database}**: {InWords(r)}");
        md.AppendLine();

        md.AppendLine("## Side by side");
        md.AppendLine();
        md.AppendLine("| measurement | " + string.Join(" | ", runs.Select(r => r.Database)) + " |");
        md.AppendLine("| --- |" + string.Concat(runs.Select(_ => " ---: |")));
        Row(md, runs, "B1 hello baseline, req/s", r => F(r.Hello.RequestsPerSecond, 0));
        Row(md, runs, "B1 ingestion, req/s", r => F(r.Ingest.RequestsPerSecond, 0));
        Row(md, runs, "B1 ratio (ingestion / hello)", r => F(r.IngestRatio, 2) + "×");
        Row(md, runs, "B1 hello p50 / p99, ms", r => $"{F(r.Hello.P50Ms, 2)} / {F(r.Hello.P99Ms, 2)}");
        Row(md, runs, "B1 ingestion p50 / p99, ms", r => $"{F(r.Ingest.P50Ms, 2)} / {F(r.Ingest.P99Ms, 2)}");
        Row(md, runs, "B1 ingestion errors (non-2xx, socket)", r => r.Ingest.Errors.ToString(c));
        Row(md, runs, "disk: write + fsync of 4 KiB p50 / p99, ms", r => $"{F(r.Fsync.P50Ms, 2)} / {F(r.Fsync.P99Ms, 2)}");
        Row(md, runs, "B1 ceiling from fsync (connections / fsync p50), req/s", r => F(r.IngestCeiling, 0));
        Row(md, runs, "B1 ceiling / hello", r => F(r.IngestCeiling / r.Hello.RequestsPerSecond, 2) + "×");
        Row(md, runs, "B2 broker without storage, msg/s", r => F(r.MqttBaseline.MessagesPerSecond, 0));
        Row(md, runs, "B2 broker with storage, msg/s", r => F(r.MqttStored.MessagesPerSecond, 0));
        Row(md, runs, "B2 ratio (stored / no storage)", r => F(r.MqttRatio, 2) + "×");
        Row(md, runs, "B2 PUBACK p50 / p99 without storage, ms", r => $"{F(r.MqttBaseline.P50Ms, 1)} / {F(r.MqttBaseline.P99Ms, 1)}");
        Row(md, runs, "B2 PUBACK p50 / p99 with storage, ms", r => $"{F(r.MqttStored.P50Ms, 1)} / {F(r.MqttStored.P99Ms, 1)}");
        Row(md, runs, "B2 events not acknowledged (stored run)", r => r.MqttStored.Failed.ToString(c));
        Row(md, runs, "B3 message measured", r => $"`{r.Alerts.Message}`");
        Row(md, runs, "B3 samples (missing)", r => $"{r.Alerts.Stats.Count} ({r.Alerts.Stats.Missing})");
        Row(md, runs, "B3 p50 / p95 / p99 / max, ms", r => $"{F(r.Alerts.Stats.P50, 1)} / {F(r.Alerts.Stats.P95, 1)} / {F(r.Alerts.Stats.P99, 1)} / {F(r.Alerts.Stats.Max, 1)}");
        Row(md, runs, "B3 `presses` message p50 / p99, ms", r => $"{F(r.Alerts.PressesStats.P50, 1)} / {F(r.Alerts.PressesStats.P99, 1)}");
        Row(md, runs, "Peak RSS, hello baseline, MiB", r => F(r.HelloMemory.PeakMiB, 0));
        Row(md, runs, "Peak RSS, B1 ingestion + B3, MiB", r => F(r.IngestMemory.PeakMiB, 0));
        Row(md, runs, "Peak RSS, B2 without storage, MiB", r => F(r.MqttBaselineMemory.PeakMiB, 0));
        Row(md, runs, "Peak RSS, B2 with storage, MiB", r => F(r.MqttStoredMemory.PeakMiB, 0));
        Row(md, runs, "Whole run, s", r => F(r.TotalSeconds, 0));
        md.AppendLine();

        md.AppendLine("## How it was measured");
        md.AppendLine();
        var r0 = runs[0];
        md.AppendLine(c, $"- **B1**: {r0.LoadTool} with {r0.WrkThreads} thread(s), {r0.Connections} connections, {r0.PhaseSeconds:F0} s per run after a short warm-up; one event per request (fresh id, 15 % red), rotating over {r0.LoadDevices} device tokens; each 202 means committed. Baseline: `GET /bench/hello` of the same process with the same settings, measured just before.");
        md.AppendLine(c, $"- **B2**: {r0.MqttStored.Devices} MQTT 5 devices from the simulator, connected first, QoS 1, {r0.MqttStored.Sent} events (after {r0.MqttStored.Sent / 10} warm-up events), at most one send in flight per device on average; throughput counts PUBACKs. Baseline: a second Otklik start with `Otklik__Benchmark__SkipMqttStorage=true` (validates, then acknowledges without storing).");
        md.AppendLine(c, $"- **B3**: a SignalR client on `/hubs/live` with a location manager's API key for a location of its own; during the B1 ingestion run, red presses over HTTP at {r0.Alerts.Rate:F0}/s taking turns over {r0.Alerts.Devices} buttons of that location (so none is suppressed); latency from just before the POST to the `{r0.Alerts.Message}` message at the client.");
        md.AppendLine("- **fsync ceiling**: an acknowledgement waits for a commit, a commit for at least one fsync (SQLite's WAL, PostgreSQL's WAL), and wrk keeps at most `connections` requests open; so ingestion cannot exceed connections ÷ fsync time however well it batches (Little's law). The disk was measured in the same run (write + fsync of 4 KiB, 200 times).");
        md.AppendLine("- **Memory**: VmHWM of the Otklik process from /proc/{pid}/status, reset at the start of each phase (clear_refs), plus VmRSS sampled every 100 ms; the larger is shown.");
        md.AppendLine("- SQLite: WAL, synchronous=FULL, on the machine's disk. PostgreSQL: a throwaway server with fsync and synchronous_commit on (defaults). Logging at Warning.");
        md.AppendLine();
        md.AppendLine("## Raw wrk numbers");
        md.AppendLine();
        md.AppendLine("| run | requests | seconds | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in runs)
        {
            foreach (var (name, w) in new[] { ("hello", r.Hello), ("ingestion", r.Ingest) })
                md.AppendLine(c, $"| {r.Database} {name} | {w.Requests} | {w.DurationUs / 1e6:F1} | {w.RequestsPerSecond:F0} | {w.P50Ms:F2} | {w.P90 / 1000.0:F2} | {w.P99Ms:F2} | {w.Max / 1000.0:F1} | {w.Errors} |");
        }
        return md.ToString();
    }

    private static string Cell(DatabaseRun r, int index)
    {
        var v = r.Verdicts[index];
        var figure = index switch
        {
            0 => F(r.IngestRatio, 2) + "×",
            1 => F(r.MqttRatio, 2) + "×",
            _ => "p99 " + F(r.Alerts.Stats.P99, 1) + " ms",
        };
        return $"{figure} — {(v.Met ? "met" : "**not met**")}";
    }

    private static string InWords(DatabaseRun r)
    {
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string>
        {
            string.Create(c, $"HTTP ingestion ran at {r.IngestRatio:F2}× the hello-world baseline ({r.Ingest.RequestsPerSecond:F0} vs {r.Hello.RequestsPerSecond:F0} req/s), so the 0.5× target is {(r.Verdicts[0].Met ? "met" : "not met")}"),
            string.Create(c, $"MQTT QoS 1 with storage ran at {r.MqttRatio:F2}× the broker without storage ({r.MqttStored.MessagesPerSecond:F0} vs {r.MqttBaseline.MessagesPerSecond:F0} msg/s), target {(r.Verdicts[1].Met ? "met" : "not met")}"),
            string.Create(c, $"a red press reached the live client (`{r.Alerts.Message}`) in p50 {r.Alerts.Stats.P50:F1} ms / p99 {r.Alerts.Stats.P99:F1} ms under B1 load, so the 200 ms target is {(r.Verdicts[2].Met ? "met" : "not met")}"),
            string.Create(c, $"peak memory {r.IngestMemory.PeakMiB:F0} MiB during B1 and {r.MqttStoredMemory.PeakMiB:F0} MiB during B2"),
        };
        return string.Join("; ", parts) + ".";
    }

    private static void Row(StringBuilder md, IReadOnlyList<DatabaseRun> runs, string name, Func<DatabaseRun, string> value) =>
        md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {string.Join(" | ", runs.Select(value))} |");

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
