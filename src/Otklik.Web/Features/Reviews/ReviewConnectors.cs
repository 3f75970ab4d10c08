using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Reviews;

public sealed class ReviewOptions
{
    public const string Section = "Otklik:Reviews";
    /// <summary>How often the worker looks for sources to pull.</summary>
    public TimeSpan PullCheckInterval { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>A source is pulled when its last pull is at least this old.</summary>
    public TimeSpan PullEvery { get; set; } = TimeSpan.FromHours(6);
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>Off by default: an endpoint that resolves to a loopback, private or link-local address is refused (no SSRF into the server's network).</summary>
    public bool AllowPrivateAddresses { get; set; }
}

/// <summary>What a source read: the same fields as a snapshot entered by hand.</summary>
public sealed record ReviewReading(int TotalReviews, int? PositiveReviews, IReadOnlyList<int>? Histogram, double? AverageRating);

/// <summary>A way to read a location's review counts on a maps service. No scraping: sources read documented endpoints.</summary>
public interface IReviewSource
{
    /// <summary>Reads the counts; throws <see cref="ReviewSourceException"/> with a message for the user when it cannot.</summary>
    Task<ReviewReading> ReadAsync(ReviewSource source, CancellationToken ct);
}

public sealed class ReviewSourceException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A dotted path into a JSON document: <c>a.b[0].c</c>.</summary>
public static class JsonPath
{
    public static bool TryParse(string path, out List<object> steps)
    {
        steps = [];
        foreach (var part in path.Trim().Split('.'))
        {
            var name = part;
            var bracket = name.IndexOf('[', StringComparison.Ordinal);
            var head = bracket < 0 ? name : name[..bracket];
            if (head.Length == 0 && (bracket != 0 || steps.Count == 0 && bracket < 0)) return false;
            if (head.Length > 0) steps.Add(head);
            var rest = bracket < 0 ? "" : name[bracket..];
            while (rest.Length > 0)
            {
                var close = rest.IndexOf(']', StringComparison.Ordinal);
                if (rest[0] != '[' || close < 2 || !int.TryParse(rest[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out var index)) return false;
                steps.Add(index);
                rest = rest[(close + 1)..];
            }
        }
        return steps.Count > 0;
    }

    public static JsonElement? Find(JsonElement root, string path)
    {
        if (!TryParse(path, out var steps)) return null;
        var current = root;
        foreach (var step in steps)
        {
            if (step is string name && current.ValueKind == JsonValueKind.Object && current.TryGetProperty(name, out var next)) current = next;
            else if (step is int i && current.ValueKind == JsonValueKind.Array && i < current.GetArrayLength()) current = current[i];
            else return null;
        }
        return current;
    }
}

/// <summary>Reads a configurable JSON endpoint: GET the URL, take the numbers at the source's field paths.</summary>
public sealed class JsonEndpointReviewSource(IHttpClientFactory clients) : IReviewSource
{
    public const string ClientName = "reviews";
    public const int MaxBytes = 1024 * 1024;

    public async Task<ReviewReading> ReadAsync(ReviewSource source, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            using var http = clients.CreateClient(ClientName);
            using var response = await http.GetAsync(source.Url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode) throw new ReviewSourceException($"The endpoint answered {(int)response.StatusCode}.");
            if (response.Content.Headers.ContentLength > MaxBytes) throw new ReviewSourceException("The answer is larger than 1 MB.");
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var limited = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            {
                if (limited.Length + read > MaxBytes) throw new ReviewSourceException("The answer is larger than 1 MB.");
                limited.Write(buffer, 0, read);
            }
            limited.Position = 0;
            document = await JsonDocument.ParseAsync(limited, cancellationToken: ct);
        }
        catch (HttpRequestException e) { throw new ReviewSourceException($"The endpoint could not be reached: {e.Message}", e); }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested) { throw new ReviewSourceException("The endpoint did not answer in time.", e); }
        catch (JsonException e) { throw new ReviewSourceException("The answer is not JSON.", e); }

        using (document)
        {
            var root = document.RootElement;
            var total = Int(root, source.TotalPath, "totalPath") ?? throw new ReviewSourceException($"No number at \"{source.TotalPath}\".");
            var positive = source.PositivePath is { } p ? Int(root, p, "positivePath") : null;
            IReadOnlyList<int>? histogram = null;
            if (source.HistogramPath is { } h)
            {
                var at = JsonPath.Find(root, h) ?? throw new ReviewSourceException($"Nothing at \"{h}\".");
                histogram = at.ValueKind switch
                {
                    JsonValueKind.Array when at.GetArrayLength() == 5 => [.. at.EnumerateArray().Select(e => Count(e, h))],
                    JsonValueKind.Object => [.. Enumerable.Range(1, 5).Select(i => at.TryGetProperty(i.ToString(CultureInfo.InvariantCulture), out var v) ? Count(v, h) : 0)],
                    _ => throw new ReviewSourceException($"\"{h}\" must be an array of five counts or an object with keys \"1\"..\"5\"."),
                };
            }
            double? average = null;
            if (source.AveragePath is { } a && JsonPath.Find(root, a) is { } av)
                average = av.ValueKind == JsonValueKind.Number ? av.GetDouble() : av.ValueKind == JsonValueKind.Null ? null
                    : throw new ReviewSourceException($"No number at \"{a}\".");
            return new ReviewReading(total, positive, histogram, average);
        }
    }

    private static int? Int(JsonElement root, string path, string field) =>
        JsonPath.Find(root, path) is { ValueKind: JsonValueKind.Number } e && e.TryGetInt32(out var v) ? v
        : throw new ReviewSourceException($"No whole number at \"{path}\" ({field}).");

    private static int Count(JsonElement e, string path) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw new ReviewSourceException($"\"{path}\" holds something that is not a count.");

    /// <summary>The handler of the named client: no redirects, and (unless allowed) no connections to private addresses.</summary>
    public static SocketsHttpHandler Handler(ReviewOptions options) => new()
    {
        AllowAutoRedirect = false,
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            var allowed = addresses.Where(a => options.AllowPrivateAddresses || !IsPrivate(a)).ToArray();
            if (allowed.Length == 0) throw new HttpRequestException("the address is loopback, private or link-local, which is not allowed");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        var b = address.GetAddressBytes();
        return b[0] == 10 || b[0] == 0 || b[0] >= 224 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}

/// <summary>Pulls one source and stores what it read as a snapshot; failures are kept on the source for the user to see.</summary>
public sealed class ReviewPuller(IReviewSource reader, TimeProvider time, ILogger<ReviewPuller> log)
{
    public async Task<(ReviewSnapshot? Snapshot, string? Error)> PullAsync(OtklikDb db, ReviewSource source, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        ReviewSnapshot? snapshot = null;
        string? error = null;
        try
        {
            var reading = await reader.ReadAsync(source, ct);
            var errors = new Errors();
            ReviewsApi.Check(reading.TotalReviews, reading.PositiveReviews, reading.Histogram, reading.AverageRating, errors);
            if (errors.Any) error = "The endpoint's numbers do not fit: " + string.Join(" ", errors.Fields.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}"));
            else
            {
                snapshot = ReviewsApi.NewSnapshot(source.LocationId, source.Service, now, reading.TotalReviews, reading.PositiveReviews, reading.Histogram,
                    reading.AverageRating, SnapshotOrigin.Connector, now);
                snapshot.OrganizationId = source.OrganizationId;
                snapshot.SourceId = source.Id;
                db.ReviewSnapshots.Add(snapshot);
            }
        }
        catch (ReviewSourceException e)
        {
            error = e.Message;
            log.LogInformation(e, "Review source {Source} could not be read", source.Id);
        }
        source.LastPulledAt = now;
        source.LastError = error is null ? null : error.Length > Limits.Text ? error[..(Limits.Text - 1)] + "…" : error;
        await db.SaveChangesAsync(ct);
        return (snapshot, error);
    }
}

/// <summary>Pulls every enabled source whose last pull is older than <see cref="ReviewOptions.PullEvery"/>; once per cluster.</summary>
public sealed class ReviewPullWorker(IServiceScopeFactory scopes, IOptions<ReviewOptions> options, TimeProvider time, ILogger<ReviewPullWorker> log,
    Otklik.Web.Features.Cluster.IClusterLease? lease = null) : PeriodicWorker(time, log, lease)
{
    protected override TimeSpan Interval => options.Value.PullCheckInterval;

    protected override string FailureMessage => "Pulling review sources failed";

    protected override Task RunRoundAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>Pulls the due sources; returns how many snapshots were stored.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var dueBefore = Time.GetUtcNow() - options.Value.PullEvery;
        List<(Guid Id, Guid Org)> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
            due = (await db.ReviewSources.AsNoTracking().Where(s => s.Enabled && (s.LastPulledAt == null || s.LastPulledAt <= dueBefore))
                .Select(s => new { s.Id, s.OrganizationId }).Take(500).ToListAsync(ct)).Select(s => (s.Id, s.OrganizationId)).ToList();
        }
        var stored = 0;
        foreach (var (id, org) in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetOrganization(org);
            var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
            var source = await db.ReviewSources.FirstOrDefaultAsync(s => s.Id == id, ct);
            if (source is null) continue;
            var (snapshot, _) = await scope.ServiceProvider.GetRequiredService<ReviewPuller>().PullAsync(db, source, ct);
            if (snapshot is not null) stored++;
        }
        return stored;
    }
}
