using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Otklik.Devices.Simulator.Tests.Fakes;

/// <summary>
/// A real Kestrel server on 127.0.0.1 speaking the device HTTP contract: bearer token per device, one event or a batch,
/// 202 {"accepted","duplicates"} once "stored", 400 ProblemDetails for bad events, 401 for a wrong token, and 503 on demand.
/// Validation is written independently of the simulator's own encoder.
/// </summary>
public sealed partial class FakeOtklikServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failNext;
    private int _failEvery;
    private long _requests;

    private FakeOtklikServer(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public ConcurrentDictionary<string, string> Tokens { get; } = new();

    /// <summary>Stored events by id (the first arrival wins, later ones are duplicates).</summary>
    public ConcurrentDictionary<Guid, StoredEvent> Stored { get; } = new();

    /// <summary>Every request to the events endpoint, in arrival order.</summary>
    public ConcurrentQueue<Attempt> Attempts { get; } = new();

    public long DuplicatesReported => Attempts.Where(a => a.Status == 202).Sum(a => (long)a.Duplicates);

    /// <summary>Events for which this returns true get a 400 (nothing stored).</summary>
    public Func<JsonElement, bool>? Reject { get; set; }

    public string ApiKey { get; set; } = "otk_test_key";

    public ConcurrentQueue<JsonElement> CreatedDevices { get; } = new();

    /// <summary>The next <paramref name="requests"/> event requests get 503 without storing anything.</summary>
    public void FailNext(int requests) => Volatile.Write(ref _failNext, requests);

    /// <summary>Every n-th event request gets 503 (0 = never).</summary>
    public void FailEvery(int n) => Volatile.Write(ref _failEvery, n);

    public void AddDevice(string id, string token) => Tokens[id] = token;

    public static async Task<FakeOtklikServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        var fake = new FakeOtklikServer(app);
        app.MapPost("/api/v1/devices/{id}/events", fake.PostEventsAsync);
        app.MapPost("/api/v1/devices", (Func<HttpContext, Task<IResult>>)fake.CreateDeviceAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.Address = new Uri(address);
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> PostEventsAsync(string id, HttpContext context)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        if (!Tokens.TryGetValue(id, out var token) || auth != $"Bearer {token}")
        {
            Attempts.Enqueue(new Attempt(id, [], 401, 0, 0));
            return Results.Problem(statusCode: 401, title: "Unknown device or wrong token.");
        }
        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement;
        }
        catch (JsonException)
        {
            Attempts.Enqueue(new Attempt(id, [], 400, 0, 0));
            return Results.Problem(statusCode: 400, title: "Body is not JSON.");
        }
        var events = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("events", out var list) ? list.EnumerateArray().ToList() : [body];
        var ids = new List<Guid>();
        foreach (var e in events)
        {
            var error = Validate(e);
            if (error is null && Reject?.Invoke(e) == true) error = "rejected by the test";
            if (error is not null)
            {
                Attempts.Enqueue(new Attempt(id, ids, 400, 0, 0));
                return Results.Problem(statusCode: 400, title: "Bad event.", detail: error);
            }
            ids.Add(e.GetProperty("id").GetGuid());
        }
        var n = Interlocked.Increment(ref _requests);
        var every = Volatile.Read(ref _failEvery);
        if (Interlocked.Decrement(ref _failNext) >= 0 || (every > 0 && n % every == 0))
        {
            Attempts.Enqueue(new Attempt(id, ids, 503, 0, 0));
            return Results.Problem(statusCode: 503, title: "Store unavailable.");
        }
        int accepted = 0, duplicates = 0;
        foreach (var e in events)
        {
            var type = e.GetProperty("type").GetString()!;
            var stored = type == "visitors"
                ? new StoredEvent(id, e.GetProperty("id").GetGuid(), type, e.GetProperty("from").GetDateTimeOffset(),
                    e.GetProperty("in").GetInt32(), e.GetProperty("out").GetInt32(), e.GetProperty("to").GetDateTimeOffset())
                : new StoredEvent(id, e.GetProperty("id").GetGuid(), type, e.GetProperty("at").GetDateTimeOffset());
            if (Stored.TryAdd(stored.Id, stored)) accepted++;
            else duplicates++;
        }
        Attempts.Enqueue(new Attempt(id, ids, 202, accepted, duplicates));
        return Results.Json(new { accepted, duplicates }, statusCode: 202);
    }

    private async Task<IResult> CreateDeviceAsync(HttpContext context)
    {
        if (context.Request.Headers["X-Api-Key"] != ApiKey) return Results.Problem(statusCode: 401, title: "Bad API key.");
        var body = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone();
        if (body.GetProperty("kind").GetString() != "ButtonSmart" || !body.GetProperty("locationId").TryGetGuid(out _))
            return Results.Problem(statusCode: 400, title: "Bad device.");
        CreatedDevices.Enqueue(body);
        var id = Guid.NewGuid().ToString();
        var token = "otd_" + Guid.NewGuid().ToString("N");
        AddDevice(id, token);
        return Results.Json(new { device = new { id, name = body.GetProperty("name").GetString(), kind = "ButtonSmart" }, token }, statusCode: 201);
    }

    private static string? Validate(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return "an event is an object";
        if (!e.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || !id.TryGetGuid(out _)) return "id must be a uuid";
        if (!e.TryGetProperty("type", out var type) || type.GetString() is not ("green" or "red" or "visitors" or "sales-attempt"))
            return "type must be green, red, visitors or sales-attempt";
        if (type.GetString() == "visitors")
        {
            // A visitor counter's interval: {"id","type":"visitors","in","out","from","to"}.
            foreach (var name in new[] { "in", "out" })
                if (!e.TryGetProperty(name, out var n) || n.ValueKind != JsonValueKind.Number || !n.TryGetInt32(out var count) || count < 0) return $"{name} must be a count";
            foreach (var name in new[] { "from", "to" })
                if (!e.TryGetProperty(name, out var t) || t.ValueKind != JsonValueKind.String || !WithOffset().IsMatch(t.GetString()!) || !t.TryGetDateTimeOffset(out _))
                    return $"{name} must be ISO-8601 with an offset";
            return e.GetProperty("to").GetDateTimeOffset() > e.GetProperty("from").GetDateTimeOffset() ? null : "to must be after from";
        }
        if (!e.TryGetProperty("at", out var at) || at.ValueKind != JsonValueKind.String || !WithOffset().IsMatch(at.GetString()!)
            || !at.TryGetDateTimeOffset(out _)) return "at must be ISO-8601 with an offset";
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")]
    private static partial Regex WithOffset();
}

/// <summary>A stored event; for visitor counts <paramref name="At"/> is the interval's start.</summary>
public sealed record StoredEvent(string DeviceId, Guid Id, string Type, DateTimeOffset At, int? In = null, int? Out = null, DateTimeOffset? To = null);

public sealed record Attempt(string DeviceId, IReadOnlyList<Guid> Ids, int Status, int Accepted, int Duplicates);
