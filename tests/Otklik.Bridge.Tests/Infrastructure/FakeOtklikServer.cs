using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Otklik.Bridge.Tests.Infrastructure;

public sealed record ReceivedEvent(Guid DeviceId, Guid Id, string Type, DateTimeOffset At, long? ClockOffsetMs);

public sealed record ReceivedHeartbeat(Guid DeviceId, JsonElement Body);

/// <summary>
/// A stand-in for the Otklik server's device API, on 127.0.0.1: checks bearer tokens, dedupes by event id,
/// records everything, and lets a test decide how each events request is answered.
/// </summary>
public sealed class FakeOtklikServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<Guid, byte> _seen = new();

    private FakeOtklikServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Device id → token the server accepts.</summary>
    public ConcurrentDictionary<Guid, string> Tokens { get; } = new();

    /// <summary>Pairing code → credentials to hand out.</summary>
    public ConcurrentDictionary<string, (Guid DeviceId, string Token, string Name)> PairingCodes { get; } = new();

    /// <summary>Every event of every accepted request, duplicates included (so a test can see doubles).</summary>
    public ConcurrentQueue<ReceivedEvent> Accepted { get; } = new();

    public ConcurrentQueue<ReceivedHeartbeat> Heartbeats { get; } = new();

    /// <summary>Every events request, answered or not: the ids it carried.</summary>
    public ConcurrentQueue<IReadOnlyList<Guid>> Requests { get; } = new();

    /// <summary>Ids the server refuses with 400 (a poison event).</summary>
    public ConcurrentDictionary<Guid, byte> PoisonIds { get; } = new();

    /// <summary>Decides the answer to an events request before it is accepted; return null to accept.</summary>
    public Func<HttpContext, IReadOnlyList<ReceivedEvent>, Task<IResult?>>? Behaviour { get; set; }

    /// <summary>Overrides the Date response header (to simulate a wrong PC clock).</summary>
    public Func<DateTimeOffset>? ServerClock { get; set; }

    public static async Task<FakeOtklikServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var server = new FakeOtklikServer(app);
        app.Use(async (ctx, next) =>
        {
            if (server.ServerClock is { } clock)
            {
                ctx.Response.OnStarting(() =>
                {
                    ctx.Response.Headers.Date = clock().ToString("r", System.Globalization.CultureInfo.InvariantCulture);
                    return Task.CompletedTask;
                });
            }
            await next(ctx);
        });
        app.MapPost("/api/v1/devices/{deviceId:guid}/events", server.HandleEventsAsync);
        app.MapPost("/api/v1/devices/{deviceId:guid}/heartbeat", server.HandleHeartbeatAsync);
        app.MapPost("/api/v1/devices/pair", server.HandlePair);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>Distinct event ids accepted so far.</summary>
    public int DistinctAccepted => _seen.Count;

    private bool Authorized(HttpContext ctx, Guid deviceId) =>
        Tokens.TryGetValue(deviceId, out var token) && ctx.Request.Headers.Authorization.ToString() == "Bearer " + token;

    private async Task<IResult> HandleEventsAsync(Guid deviceId, HttpContext ctx)
    {
        using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
        var items = doc.RootElement.TryGetProperty("events", out var list) ? list.EnumerateArray().ToList() : [doc.RootElement];
        var events = new List<ReceivedEvent>();
        foreach (var item in items)
        {
            events.Add(new ReceivedEvent(
                deviceId,
                item.GetProperty("id").GetGuid(),
                item.GetProperty("type").GetString()!,
                item.GetProperty("at").GetDateTimeOffset(),
                item.TryGetProperty("clockOffsetMs", out var o) ? o.GetInt64() : null));
        }
        Requests.Enqueue(events.Select(e => e.Id).ToList());
        if (!Authorized(ctx, deviceId))
        {
            return Results.Problem("bad token", statusCode: 401);
        }
        if (Behaviour is { } behaviour && await behaviour(ctx, events) is { } answer)
        {
            return answer;
        }
        if (events.FirstOrDefault(e => PoisonIds.ContainsKey(e.Id) || e.Type is not ("green" or "red")) is { } poison)
        {
            return Results.Problem($"event {poison.Id} is not acceptable", statusCode: 400);
        }
        var duplicates = 0;
        foreach (var e in events)
        {
            Accepted.Enqueue(e);
            if (!_seen.TryAdd(e.Id, 0))
            {
                duplicates++;
            }
        }
        return Results.Json(new { accepted = events.Count - duplicates, duplicates }, statusCode: 202);
    }

    private async Task<IResult> HandleHeartbeatAsync(Guid deviceId, HttpContext ctx)
    {
        if (!Authorized(ctx, deviceId))
        {
            return Results.Problem("bad token", statusCode: 401);
        }
        using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
        Heartbeats.Enqueue(new ReceivedHeartbeat(deviceId, doc.RootElement.Clone()));
        return Results.NoContent();
    }

    private IResult HandlePair(PairRequest request)
    {
        if (request.Code is null || !PairingCodes.TryRemove(request.Code, out var device))
        {
            return Results.Problem("unknown or expired pairing code", statusCode: 404);
        }
        Tokens[device.DeviceId] = device.Token;
        return Results.Json(new { deviceId = device.DeviceId, token = device.Token, name = device.Name, kind = "ButtonStart" });
    }

    public sealed record PairRequest(string? Code);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
