using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Ingestion;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Devices;

public sealed record DeviceDto(
    Guid Id, string Name, DeviceKind Kind, Guid LocationId, Guid? StaffMemberId, bool Active,
    DateTimeOffset? LastSeenAt, int? BatteryPercent, int? SignalPercent, string? Firmware, DateTimeOffset TokenIssuedAt)
{
    public static DeviceDto From(Device d) =>
        new(d.Id, d.Name, d.Kind, d.LocationId, d.StaffMemberId, d.Active, d.LastSeenAt, d.BatteryPercent, d.SignalPercent, d.Firmware, d.TokenIssuedAt);
}

/// <summary>The device and its secret token. The token is shown here once and never again.</summary>
public sealed record DeviceWithToken(DeviceDto Device, string Token);

public sealed record PairingCodeDto(string Code, DateTimeOffset ExpiresAt);

public sealed record DeviceInput(
    [property: Required, StringLength(Limits.Name, MinimumLength = 1)] string Name,
    [property: Required] DeviceKind? Kind,
    [property: Required] Guid? LocationId,
    Guid? StaffMemberId,
    bool? Active);

public static class DevicesApi
{
    public const string TokenPrefix = "otd_";
    public static readonly TimeSpan PairingCodeLifetime = TimeSpan.FromMinutes(30);

    public static IEndpointRouteBuilder MapDevices(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/devices").WithTags("Devices");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read);
        api.MapPost("/", Create).RequireAuthorization(Policies.Operate);
        api.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.Operate);
        api.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Operate);
        api.MapPost("/{id:guid}/token", RotateToken).RequireAuthorization(Policies.Operate);
        api.MapPost("/{id:guid}/pairing-code", NewPairingCode).RequireAuthorization(Policies.Operate);
        return routes;
    }

    private static async Task<Ok<Page<DeviceDto>>> List(OtklikDb db, [AsParameters] Paging paging, Guid? locationId, DeviceKind? kind, CancellationToken ct)
    {
        var query = db.Devices.AsNoTracking();
        if (locationId is { } l) query = query.Where(d => d.LocationId == l);
        if (kind is { } k) query = query.Where(d => d.Kind == k);
        return TypedResults.Ok(await paging.ApplyAsync(query.OrderBy(d => d.Name).ThenBy(d => d.Id), DeviceDto.From, ct));
    }

    private static async Task<Results<Ok<DeviceDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) is { } d
            ? TypedResults.Ok(DeviceDto.From(d))
            : Problem.NotFound("Device");

    private static async Task<Results<Created<DeviceWithToken>, ValidationProblem, ProblemHttpResult>> Create(DeviceInput input, OtklikDb db, TimeProvider time,
        IDeviceAccounts accounts, ILogger<Device> log, CancellationToken ct)
    {
        var errors = await ValidateAsync(input, db, ct);
        if (errors.Any) return errors.ToProblem();
        var device = new Device { Name = input.Name.Trim(), TokenHash = "", CreatedAt = time.GetUtcNow() };
        var token = IssueToken(device, time.GetUtcNow());
        Apply(device, input);
        db.Devices.Add(device);
        // An external broker learns the account first: no device in the database that could never connect.
        if (await ProvisionAsync(accounts, device.Id, token, log, ct) is { } failed) return failed;
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/devices/{device.Id}", new DeviceWithToken(DeviceDto.From(device), token));
    }

    private static async Task<Results<Ok<DeviceDto>, ValidationProblem, ProblemHttpResult>> Update(Guid id, DeviceInput input, OtklikDb db, DeviceDirectory directory, CancellationToken ct)
    {
        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (device is null) return Problem.NotFound("Device");
        var errors = await ValidateAsync(input, db, ct);
        if (errors.Any) return errors.ToProblem();
        device.Name = input.Name.Trim();
        Apply(device, input);
        await db.SaveChangesAsync(ct);
        directory.Evict(id);
        return TypedResults.Ok(DeviceDto.From(device));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, OtklikDb db, DeviceDirectory directory, IDeviceAccounts accounts,
        ILogger<Device> log, CancellationToken ct)
    {
        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (device is null) return Problem.NotFound("Device");
        if (await db.ButtonPresses.AnyAsync(p => p.DeviceId == id, ct))
            return Problem.Conflict("The device has recorded presses; deactivate it instead, so its history stays.");
        db.Devices.Remove(device);
        await db.SaveChangesAsync(ct);
        directory.Evict(id);
        try { await accounts.RemovedAsync(id, ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Removing device {Device}'s account from the MQTT broker failed; remove it there by hand", id);
        }
        return TypedResults.NoContent();
    }

    /// <summary>Issues a new token; the old one stops working at once.</summary>
    private static async Task<Results<Ok<DeviceWithToken>, ProblemHttpResult>> RotateToken(Guid id, OtklikDb db, DeviceDirectory directory, TimeProvider time,
        IDeviceAccounts accounts, ILogger<Device> log, CancellationToken ct)
    {
        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (device is null) return Problem.NotFound("Device");
        var token = IssueToken(device, time.GetUtcNow());
        if (await ProvisionAsync(accounts, device.Id, token, log, ct) is { } failed) return failed;
        await db.SaveChangesAsync(ct);
        directory.Evict(id);
        return TypedResults.Ok(new DeviceWithToken(DeviceDto.From(device), token));
    }

    /// <summary>A short-lived code typed into <c>otklik-bridge pair</c>, so nobody copies tokens by hand.</summary>
    private static async Task<Results<Ok<PairingCodeDto>, ProblemHttpResult>> NewPairingCode(Guid id, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (device is null) return Problem.NotFound("Device");
        var code = IssuePairingCode(device, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(code);
    }

    /// <summary>Gives the device a new secret token (stored hashed) and returns it; the caller saves.</summary>
    private static async Task<ProblemHttpResult?> ProvisionAsync(IDeviceAccounts accounts, Guid id, string token, ILogger log, CancellationToken ct)
    {
        try
        {
            await accounts.IssuedAsync(id, token, ct);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Writing device {Device}'s account to the MQTT broker failed", id);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The MQTT broker is not reachable.",
                detail: "The device's account could not be written to the broker; nothing was changed. Try again.");
        }
    }

    internal static string IssueToken(Device device, DateTimeOffset now)
    {
        var token = Secrets.NewToken(TokenPrefix);
        device.TokenHash = Secrets.Hash(token);
        device.TokenIssuedAt = now;
        return token;
    }

    /// <summary>Gives the device a new pairing code (stored hashed) and returns it with its expiry; the caller saves.</summary>
    internal static PairingCodeDto IssuePairingCode(Device device, DateTimeOffset now)
    {
        var code = Secrets.NewPairingCode();
        device.PairingCodeHash = Secrets.Hash(code);
        device.PairingCodeExpiresAt = now + PairingCodeLifetime;
        return new PairingCodeDto(code, device.PairingCodeExpiresAt.Value);
    }

    internal static void Apply(Device device, DeviceInput input)
    {
        device.Kind = input.Kind!.Value;
        device.LocationId = input.LocationId!.Value;
        device.StaffMemberId = input.StaffMemberId;
        device.Active = input.Active ?? device.Active;
    }

    internal static async Task<Errors> ValidateAsync(DeviceInput input, OtklikDb db, CancellationToken ct)
    {
        var errors = new Errors().Check(!string.IsNullOrWhiteSpace(input.Name), "name", "The name must not be blank.");
        if (input.Kind is { } k && !Enum.IsDefined(k)) errors.Add("kind", "Unknown device kind.");
        if (input.LocationId is { } l && !await db.Locations.AnyAsync(x => x.Id == l, ct))
            errors.Add("locationId", "No such location.");
        if (input.StaffMemberId is { } s && !await db.StaffMembers.AnyAsync(x => x.Id == s, ct))
            errors.Add("staffMemberId", "No such staff member.");
        return errors;
    }
}
