using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Staff;

public sealed record StaffDto(Guid Id, string Name, Guid LocationId, string? Position, string? ExternalId, bool Active)
{
    public static StaffDto From(StaffMember s) => new(s.Id, s.Name, s.LocationId, s.Position, s.ExternalId, s.Active);
}

public sealed record StaffInput(
    [property: Required, StringLength(Limits.Name, MinimumLength = 1)] string Name,
    [property: Required] Guid? LocationId,
    [property: StringLength(Limits.Name)] string? Position,
    [property: StringLength(Limits.Name)] string? ExternalId,
    bool? Active);

public sealed record ShiftDto(Guid Id, Guid StaffMemberId, Guid LocationId, DateTimeOffset StartsAt, DateTimeOffset EndsAt)
{
    public static ShiftDto From(Shift s) => new(s.Id, s.StaffMemberId, s.LocationId, s.StartsAt, s.EndsAt);
}

public sealed record ShiftInput(
    [property: Required] Guid? StaffMemberId,
    [property: Required] Guid? LocationId,
    [property: Required] DateTimeOffset? StartsAt,
    [property: Required] DateTimeOffset? EndsAt);

public static class StaffApi
{
    public static readonly TimeSpan MaxShift = TimeSpan.FromHours(24);

    public static IEndpointRouteBuilder MapStaff(this IEndpointRouteBuilder routes)
    {
        var staff = routes.MapGroup("/api/v1/staff").WithTags("Staff");
        staff.MapGet("/", List).RequireAuthorization(Policies.Read);
        staff.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read);
        staff.MapPost("/", Create).RequireAuthorization(Policies.Operate);
        staff.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.Operate);
        staff.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Operate);

        var shifts = routes.MapGroup("/api/v1/shifts").WithTags("Staff");
        shifts.MapGet("/", ListShifts).RequireAuthorization(Policies.Read);
        shifts.MapGet("/{id:guid}", GetShift).RequireAuthorization(Policies.Read);
        shifts.MapPost("/", CreateShift).RequireAuthorization(Policies.Operate);
        shifts.MapPut("/{id:guid}", UpdateShift).RequireAuthorization(Policies.Operate);
        shifts.MapDelete("/{id:guid}", DeleteShift).RequireAuthorization(Policies.Operate);
        return routes;
    }

    private static async Task<Ok<Page<StaffDto>>> List(OtklikDb db, [AsParameters] Paging paging, Guid? locationId, CancellationToken ct)
    {
        var query = db.StaffMembers.AsNoTracking();
        if (locationId is { } l) query = query.Where(s => s.LocationId == l);
        return TypedResults.Ok(await paging.ApplyAsync(query.OrderBy(s => s.Name).ThenBy(s => s.Id), StaffDto.From, ct));
    }

    private static async Task<Results<Ok<StaffDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.StaffMembers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } s
            ? TypedResults.Ok(StaffDto.From(s))
            : Problem.NotFound("Staff member");

    private static async Task<Results<Created<StaffDto>, ValidationProblem>> Create(StaffInput input, OtklikDb db, CancellationToken ct)
    {
        var errors = await ValidateAsync(input, db, ct);
        if (errors.Any) return errors.ToProblem();
        var member = new StaffMember { Name = input.Name.Trim() };
        Apply(member, input);
        db.StaffMembers.Add(member);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/staff/{member.Id}", StaffDto.From(member));
    }

    private static async Task<Results<Ok<StaffDto>, ValidationProblem, ProblemHttpResult>> Update(Guid id, StaffInput input, OtklikDb db, CancellationToken ct)
    {
        var member = await db.StaffMembers.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (member is null) return Problem.NotFound("Staff member");
        var errors = await ValidateAsync(input, db, ct);
        if (errors.Any) return errors.ToProblem();
        member.Name = input.Name.Trim();
        Apply(member, input);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(StaffDto.From(member));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, OtklikDb db, CancellationToken ct)
    {
        var member = await db.StaffMembers.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (member is null) return Problem.NotFound("Staff member");
        db.StaffMembers.Remove(member);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    internal static void Apply(StaffMember member, StaffInput input)
    {
        member.LocationId = input.LocationId!.Value;
        member.Position = input.Position?.Trim();
        member.ExternalId = input.ExternalId?.Trim();
        member.Active = input.Active ?? member.Active;
    }

    internal static async Task<Errors> ValidateAsync(StaffInput input, OtklikDb db, CancellationToken ct)
    {
        var errors = new Errors().Check(!string.IsNullOrWhiteSpace(input.Name), "name", "The name must not be blank.");
        // The location filter also hides locations outside a location manager's scope.
        if (input.LocationId is { } l && !await db.Locations.AnyAsync(x => x.Id == l, ct))
            errors.Add("locationId", "No such location.");
        return errors;
    }

    private static async Task<Ok<Page<ShiftDto>>> ListShifts(OtklikDb db, [AsParameters] Paging paging, Guid? locationId, Guid? staffMemberId,
        DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var query = db.Shifts.AsNoTracking();
        if (locationId is { } l) query = query.Where(s => s.LocationId == l);
        if (staffMemberId is { } m) query = query.Where(s => s.StaffMemberId == m);
        if (from is { } f) query = query.Where(s => s.EndsAt > f);
        if (to is { } t) query = query.Where(s => s.StartsAt < t);
        return TypedResults.Ok(await paging.ApplyAsync(query.OrderBy(s => s.StartsAt).ThenBy(s => s.Id), ShiftDto.From, ct));
    }

    private static async Task<Results<Ok<ShiftDto>, ProblemHttpResult>> GetShift(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.Shifts.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } s
            ? TypedResults.Ok(ShiftDto.From(s))
            : Problem.NotFound("Shift");

    private static async Task<Results<Created<ShiftDto>, ValidationProblem>> CreateShift(ShiftInput input, OtklikDb db, CancellationToken ct)
    {
        var errors = await ValidateShiftAsync(input, null, db, ct);
        if (errors.Any) return errors.ToProblem();
        var shift = new Shift();
        Apply(shift, input);
        db.Shifts.Add(shift);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/shifts/{shift.Id}", ShiftDto.From(shift));
    }

    private static async Task<Results<Ok<ShiftDto>, ValidationProblem, ProblemHttpResult>> UpdateShift(Guid id, ShiftInput input, OtklikDb db, CancellationToken ct)
    {
        var shift = await db.Shifts.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (shift is null) return Problem.NotFound("Shift");
        var errors = await ValidateShiftAsync(input, id, db, ct);
        if (errors.Any) return errors.ToProblem();
        Apply(shift, input);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ShiftDto.From(shift));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteShift(Guid id, OtklikDb db, CancellationToken ct)
    {
        var shift = await db.Shifts.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (shift is null) return Problem.NotFound("Shift");
        db.Shifts.Remove(shift);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    internal static void Apply(Shift shift, ShiftInput input)
    {
        shift.StaffMemberId = input.StaffMemberId!.Value;
        shift.LocationId = input.LocationId!.Value;
        shift.StartsAt = input.StartsAt!.Value.ToUniversalTime();
        shift.EndsAt = input.EndsAt!.Value.ToUniversalTime();
    }

    internal static async Task<Errors> ValidateShiftAsync(ShiftInput input, Guid? self, OtklikDb db, CancellationToken ct)
    {
        var errors = new Errors();
        if (input.StaffMemberId is { } m && !await db.StaffMembers.AnyAsync(s => s.Id == m, ct))
            errors.Add("staffMemberId", "No such staff member.");
        if (input.LocationId is { } l && !await db.Locations.AnyAsync(x => x.Id == l, ct))
            errors.Add("locationId", "No such location.");
        if (input is { StartsAt: { } start, EndsAt: { } end })
        {
            if (end <= start) errors.Add("endsAt", "A shift must end after it starts.");
            else if (end - start > MaxShift) errors.Add("endsAt", "A shift may last at most 24 hours.");
            else if (input.StaffMemberId is { } who && await db.Shifts.AnyAsync(s => s.StaffMemberId == who && s.Id != self && s.StartsAt < end && s.EndsAt > start, ct))
                errors.Add("startsAt", "This employee already has a shift at that time.");
        }
        return errors;
    }
}
