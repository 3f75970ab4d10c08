using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Live;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Ingestion;

public sealed record HeartbeatInput(
    DateTimeOffset? At,
    [property: StringLength(Limits.Name)] string? Firmware,
    [property: Range(0, 100)] int? Battery,
    [property: Range(0, 100)] int? Signal,
    [property: Range(0, int.MaxValue)] int? QueueLength,
    long? ClockOffsetMs,
    [property: StringLength(Limits.Text)] string? LastError);

public sealed record PairInput([property: Required, StringLength(20)] string Code);

public sealed record PairedDevice(Guid DeviceId, string Token, string Name, DeviceKind Kind);

/// <summary>
/// The device protocol over HTTPS (see docs/device-protocol.md): devices authenticate with their own token
/// (<c>Authorization: Bearer</c>), never with a user's cookie or API key.
/// </summary>
public static class IngestionApi
{
    public const string PairingPolicy = "pairing";

    public static IEndpointRouteBuilder MapIngestion(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/devices").WithTags("Device protocol").AllowAnonymous();
        api.MapPost("/{deviceId:guid}/events", PostEvents).DisableAntiforgery();
        api.MapPost("/{deviceId:guid}/heartbeat", PostHeartbeat).DisableAntiforgery();
        api.MapPost("/pair", Pair).DisableAntiforgery().RequireRateLimiting(PairingPolicy);
        return routes;
    }

    /// <summary>Stores one event or a batch; answers 202 only after they are durable.</summary>
    private static async Task<IResult> PostEvents(Guid deviceId, HttpContext http, DeviceDirectory devices, PressIngestor ingestor,
        IOptions<IngestionOptions> options, TimeProvider time, CancellationToken ct)
    {
        var device = await devices.AuthenticateAsync(deviceId, BearerToken(http), ct);
        if (device is null) return Unauthorized(http);
        if (device.Kind is not (DeviceKind.ButtonSmart or DeviceKind.ButtonStart or DeviceKind.SellerButton or DeviceKind.VisitorCounter))
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "This kind of device does not send events.");

        var body = await ReadBodyAsync(http.Request, options.Value.MaxBodyBytes, ct);
        if (body is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
                detail: $"Send at most {options.Value.MaxBodyBytes} bytes ({DeviceEventParser.MaxBatch} events) per request.");

        var parsed = DeviceEventParser.Parse(body, time.GetUtcNow(), device.Kind);
        if (!parsed.IsValid) return EventProblem(parsed.Errors);
        var result = await ingestor.IngestAsync(device, parsed, IngestChannel.Http, ct);
        return TypedResults.Json(result, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> PostHeartbeat(Guid deviceId, HeartbeatInput input, HttpContext http, DeviceDirectory devices,
        OtklikDb db, TenantContext tenant, LiveNotifier live, TimeProvider time, CancellationToken ct)
    {
        var device = await devices.AuthenticateAsync(deviceId, BearerToken(http), ct);
        if (device is null) return Unauthorized(http);
        tenant.SetOrganization(device.OrganizationId);
        var now = time.GetUtcNow();
        await db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.LastSeenAt, now)
            .SetProperty(d => d.Firmware, d => input.Firmware ?? d.Firmware)
            .SetProperty(d => d.BatteryPercent, d => input.Battery ?? d.BatteryPercent)
            .SetProperty(d => d.SignalPercent, d => input.Signal ?? d.SignalPercent)
            .SetProperty(d => d.QueueLength, d => input.QueueLength ?? d.QueueLength)
            .SetProperty(d => d.ClockOffsetMs, d => input.ClockOffsetMs ?? d.ClockOffsetMs)
            .SetProperty(d => d.LastError, input.LastError), ct);
        await live.PublishAsync(new DeviceSeen(device.OrganizationId, device.LocationId, deviceId, now, input.Battery, input.Signal));
        return TypedResults.NoContent();
    }

    /// <summary>Trades a pairing code shown in the UI for the device's credentials. The token is new: the old one stops working.</summary>
    private static async Task<Results<Ok<PairedDevice>, ProblemHttpResult>> Pair(PairInput input, OtklikDb db, TenantContext tenant,
        DeviceDirectory devices, TimeProvider time, IDeviceAccounts accounts, ILogger<PairInput> log, CancellationToken ct)
    {
        tenant.SetSystem();
        var hash = Secrets.Hash(input.Code.Trim().ToUpperInvariant());
        var now = time.GetUtcNow();
        var device = await db.Devices.FirstOrDefaultAsync(d => d.PairingCodeHash == hash, ct);
        if (device is null || device.PairingCodeExpiresAt is not { } expires || expires <= now)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown or expired pairing code.",
                detail: "Create a new pairing code on the device's page in Otklik.");
        var token = Secrets.NewToken(DevicesApi.TokenPrefix);
        device.TokenHash = Secrets.Hash(token);
        device.TokenIssuedAt = now;
        device.PairingCodeHash = null;
        device.PairingCodeExpiresAt = null;
        try { await accounts.IssuedAsync(device.Id, token, ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Writing device {Device}'s account to the MQTT broker failed", device.Id);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The MQTT broker is not reachable.",
                detail: "The device's account could not be written to the broker; the pairing code still works. Try again.");
        }
        await db.SaveChangesAsync(ct);
        devices.Evict(device.Id);
        return TypedResults.Ok(new PairedDevice(device.Id, token, device.Name, device.Kind));
    }

    private static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    private static IResult Unauthorized(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unknown device or wrong token.",
            detail: "Send the device's own token as 'Authorization: Bearer <token>' to /api/v1/devices/{its id}/….");
    }

    /// <summary>400 naming each bad event: "events[3].type": ["…"].</summary>
    internal static IResult EventProblem(IReadOnlyList<EventError> errors) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Index < 0 ? e.Field : $"events[{e.Index}].{e.Field}")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: "Some events are invalid; nothing from this request was stored.");

    /// <summary>The body, or null when it is larger than allowed.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
