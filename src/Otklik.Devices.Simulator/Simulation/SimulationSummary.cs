using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otklik.Devices.Simulator.Simulation;

/// <summary>Latency until acknowledgement, in milliseconds, over acknowledged sends (retries and back-off included).</summary>
public sealed record LatencySummary(long Count, double P50, double P95, double P99, double Max)
{
    public static LatencySummary From(List<double> millis)
    {
        if (millis.Count == 0) return new LatencySummary(0, 0, 0, 0, 0);
        millis.Sort();
        return new LatencySummary(millis.Count, Percentile(millis, 0.50), Percentile(millis, 0.95), Percentile(millis, 0.99), millis[^1]);
    }

    // Nearest rank: the smallest value with at least p of the samples at or below it.
    private static double Percentile(List<double> sorted, double p) =>
        Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 2);
}

/// <summary>The outcome of a run. <c>Sent = Acknowledged + Failed + Unresolved</c> over new events.</summary>
public sealed record SimulationSummary
{
    public required string Transport { get; init; }

    public required int Devices { get; init; }

    public required double ElapsedSeconds { get; init; }

    /// <summary>New events sent at least once (distinct ids).</summary>
    public required long Sent { get; init; }

    /// <summary>New events the server acknowledged as durable.</summary>
    public required long Acknowledged { get; init; }

    public required long Green { get; init; }

    /// <summary>Acknowledged red events (bursts included).</summary>
    public required long Red { get; init; }

    /// <summary>New events the server rejected or that gave up after every retry.</summary>
    public required long Failed { get; init; }

    /// <summary>New events still without an answer when the run was stopped.</summary>
    public required long Unresolved { get; init; }

    /// <summary>Deliberate re-sends of acknowledged ids, and how many of them were acknowledged again.</summary>
    public required long DuplicateSends { get; init; }

    public required long DuplicatesAcknowledged { get; init; }

    /// <summary>Sum of <c>accepted</c> / <c>duplicates</c> in the HTTP answers (MQTT's PUBACK carries no counts).</summary>
    public required long ServerAccepted { get; init; }

    public required long ServerDuplicates { get; init; }

    public required long BurstPresses { get; init; }

    /// <summary>Retries over all sends, and why.</summary>
    public required long Retries { get; init; }

    public required IReadOnlyDictionary<string, long> RetryReasons { get; init; }

    /// <summary>Events (new and duplicate) that ended without acknowledgement, by last error: <c>http-400</c>, <c>http-401</c>, <c>timeout</c>…</summary>
    public required IReadOnlyDictionary<string, long> Errors { get; init; }

    /// <summary>Acknowledged new events per second of the run.</summary>
    public required double Throughput { get; init; }

    public required LatencySummary LatencyMs { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static SimulationSummary FromJson(string json) => JsonSerializer.Deserialize<SimulationSummary>(json, Json)!;

    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"transport        {Transport}, {Devices} device(s), {ElapsedSeconds:F1} s");
        text.AppendLine(c, $"sent             {Sent} new events ({Green} green, {Red} red acknowledged; {BurstPresses} in bursts)");
        text.AppendLine(c, $"acknowledged     {Acknowledged}   failed {Failed}   unresolved {Unresolved}");
        text.AppendLine(c, $"duplicates       {DuplicateSends} re-sent, {DuplicatesAcknowledged} acknowledged; server reported {ServerDuplicates} duplicate(s), {ServerAccepted} accepted");
        text.AppendLine(c, $"retries          {Retries}{Describe(RetryReasons)}");
        text.AppendLine(c, $"errors           {Errors.Values.Sum()}{Describe(Errors)}");
        text.AppendLine(c, $"throughput       {Throughput:F1} acknowledged events/s");
        text.AppendLine(c, $"latency to ack   p50 {LatencyMs.P50:F1} ms   p95 {LatencyMs.P95:F1} ms   p99 {LatencyMs.P99:F1} ms   max {LatencyMs.Max:F1} ms");
        return text.ToString();
    }

    private static string Describe(IReadOnlyDictionary<string, long> counts) => counts.Count == 0
        ? ""
        : " (" + string.Join(", ", counts.OrderByDescending(p => p.Value).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}: {p.Value}"))) + ")";
}
