using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Locations;

public sealed record LocationDto(
    Guid Id, string Name, string Slug, Guid? GroupId, string? Address, string TimeZone,
    IReadOnlyList<OpeningHours> OpeningHours, string? YandexMapsUrl, string? TwoGisUrl, string? GoogleMapsUrl)
{
    public static LocationDto From(Location l) =>
        new(l.Id, l.Name, l.Slug, l.GroupId, l.Address, l.TimeZone, l.OpeningHours, l.YandexMapsUrl, l.TwoGisUrl, l.GoogleMapsUrl);
}

public sealed record LocationInput(
    [property: Required, StringLength(Limits.Name, MinimumLength = 1)] string Name,
    [property: StringLength(Limits.Slug)] string? Slug,
    Guid? GroupId,
    [property: StringLength(Limits.Text)] string? Address,
    [property: StringLength(64)] string? TimeZone,
    [property: MaxLength(28)] List<OpeningHours>? OpeningHours,
    [property: StringLength(Limits.Url), Url] string? YandexMapsUrl,
    [property: StringLength(Limits.Url), Url] string? TwoGisUrl,
    [property: StringLength(Limits.Url), Url] string? GoogleMapsUrl);

public sealed record LocationGroupDto(Guid Id, string Name, Guid? ParentId);

public sealed record LocationGroupInput(
    [property: Required, StringLength(Limits.Name, MinimumLength = 1)] string Name,
    Guid? ParentId);

public static class LocationsApi
{
    public static IEndpointRouteBuilder MapLocations(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/locations").WithTags("Locations");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read);
        api.MapPost("/", Create).RequireAuthorization(Policies.Manage);
        api.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.Manage);
        api.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Manage);

        var groups = routes.MapGroup("/api/v1/location-groups").WithTags("Locations");
        groups.MapGet("/", ListGroups).RequireAuthorization(Policies.Read);
        groups.MapGet("/{id:guid}", GetGroup).RequireAuthorization(Policies.Read);
        groups.MapPost("/", CreateGroup).RequireAuthorization(Policies.Manage);
        groups.MapPut("/{id:guid}", UpdateGroup).RequireAuthorization(Policies.Manage);
        groups.MapDelete("/{id:guid}", DeleteGroup).RequireAuthorization(Policies.Manage);
        return routes;
    }

    private static async Task<Ok<Page<LocationDto>>> List(OtklikDb db, [AsParameters] Paging paging, string? search, CancellationToken ct)
    {
        var query = db.Locations.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search)) query = query.Where(l => l.Name.Contains(search));
        return TypedResults.Ok(await paging.ApplyAsync(query.OrderBy(l => l.Name).ThenBy(l => l.Id), LocationDto.From, ct));
    }

    private static async Task<Results<Ok<LocationDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.Locations.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, ct) is { } l
            ? TypedResults.Ok(LocationDto.From(l))
            : Problem.NotFound("Location");

    private static async Task<Results<Created<LocationDto>, ValidationProblem>> Create(LocationInput input, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var errors = await ValidateAsync(input, null, db, ct);
        if (errors.Any) return errors.ToProblem();
        var location = new Location { Name = input.Name.Trim(), Slug = input.Slug ?? Slugs.From(input.Name), CreatedAt = time.GetUtcNow() };
        Apply(location, input);
        db.Locations.Add(location);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/locations/{location.Id}", LocationDto.From(location));
    }

    private static async Task<Results<Ok<LocationDto>, ValidationProblem, ProblemHttpResult>> Update(Guid id, LocationInput input, OtklikDb db, CancellationToken ct)
    {
        var location = await db.Locations.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (location is null) return Problem.NotFound("Location");
        var errors = await ValidateAsync(input, id, db, ct);
        if (errors.Any) return errors.ToProblem();
        location.Name = input.Name.Trim();
        if (input.Slug is not null) location.Slug = input.Slug;
        Apply(location, input);
        await SaveAsync(db, location, ct);
        return TypedResults.Ok(LocationDto.From(location));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, OtklikDb db, CancellationToken ct)
    {
        var location = await db.Locations.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (location is null) return Problem.NotFound("Location");
        if (await IsInUseAsync(id, db, ct)) return Problem.Conflict(InUseMessage);
        db.Locations.Remove(location);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    internal const string InUseMessage = "The location still has devices or staff. Move or delete them first.";
    internal const string HasSubgroupsMessage = "The group has subgroups. Move or delete them first.";

    /// <summary>A location with devices or staff cannot be deleted; shared by the API and the admin page.</summary>
    internal static async Task<bool> IsInUseAsync(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.Devices.AnyAsync(d => d.LocationId == id, ct) || await db.StaffMembers.AnyAsync(s => s.LocationId == id, ct);

    /// <summary>
    /// Saves a location (API and admin page). When its time zone changes, its daily and monthly rollups are summed again for
    /// the new zone's days in the same transaction: reports read them by local day.
    /// </summary>
    internal static async Task SaveAsync(OtklikDb db, Location location, CancellationToken ct)
    {
        var zone = db.Entry(location).Property(l => l.TimeZone);
        if (db.Entry(location).State != EntityState.Modified || zone.OriginalValue == zone.CurrentValue)
        {
            await db.SaveChangesAsync(ct);
            return;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await RollupRebuilder.LockAsync(db, ct);
        await db.SaveChangesAsync(ct);
        await RollupRebuilder.RetierAsync(db, location.Id, ButtonStats.Zone(location.TimeZone), ct);
        await tx.CommitAsync(ct);
    }

    internal static void Apply(Location location, LocationInput input)
    {
        location.GroupId = input.GroupId;
        location.Address = input.Address?.Trim();
        location.TimeZone = input.TimeZone ?? location.TimeZone;
        location.OpeningHours = input.OpeningHours ?? location.OpeningHours;
        location.YandexMapsUrl = input.YandexMapsUrl;
        location.TwoGisUrl = input.TwoGisUrl;
        location.GoogleMapsUrl = input.GoogleMapsUrl;
    }

    internal static async Task<Errors> ValidateAsync(LocationInput input, Guid? self, OtklikDb db, CancellationToken ct)
    {
        var errors = new Errors();
        errors.Check(!string.IsNullOrWhiteSpace(input.Name), "name", "The name must not be blank.");
        if (input.Slug is not null)
        {
            if (!Slugs.IsValid(input.Slug)) errors.Add("slug", "Use 3–80 lower-case latin letters, digits and dashes.");
            else if (await db.Locations.IgnoreQueryFilters().AnyAsync(l => l.Slug == input.Slug && l.Id != self, ct))
                errors.Add("slug", "This address is already taken.");
        }
        if (input.TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(input.TimeZone, out _))
            errors.Add("timeZone", "Unknown time zone; use an IANA id such as Europe/Moscow.");
        if (input.GroupId is { } g && !await db.LocationGroups.AnyAsync(x => x.Id == g, ct))
            errors.Add("groupId", "No such location group.");
        for (var i = 0; i < (input.OpeningHours?.Count ?? 0); i++)
        {
            var h = input.OpeningHours![i];
            if (h is null || !Enum.IsDefined(h.Day) || !IsTime(h.Open) || !IsTime(h.Close) || h.Open == h.Close)
                errors.Add($"openingHours[{i}]", "Give a weekday and two different times as HH:mm.");
        }
        return errors;
    }

    private static bool IsTime(string? s) =>
        s is not null && TimeOnly.TryParseExact(s, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static async Task<Ok<Page<LocationGroupDto>>> ListGroups(OtklikDb db, [AsParameters] Paging paging, CancellationToken ct) =>
        TypedResults.Ok(await paging.ApplyAsync(db.LocationGroups.AsNoTracking().OrderBy(g => g.Name).ThenBy(g => g.Id),
            g => new LocationGroupDto(g.Id, g.Name, g.ParentId), ct));

    private static async Task<Results<Ok<LocationGroupDto>, ProblemHttpResult>> GetGroup(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.LocationGroups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == id, ct) is { } g
            ? TypedResults.Ok(new LocationGroupDto(g.Id, g.Name, g.ParentId))
            : Problem.NotFound("Location group");

    private static async Task<Results<Created<LocationGroupDto>, ValidationProblem>> CreateGroup(LocationGroupInput input, OtklikDb db, CancellationToken ct)
    {
        var errors = await ValidateGroupAsync(input, null, db, ct);
        if (errors.Any) return errors.ToProblem();
        var group = new LocationGroup { Name = input.Name.Trim(), ParentId = input.ParentId };
        db.LocationGroups.Add(group);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/location-groups/{group.Id}", new LocationGroupDto(group.Id, group.Name, group.ParentId));
    }

    private static async Task<Results<Ok<LocationGroupDto>, ValidationProblem, ProblemHttpResult>> UpdateGroup(Guid id, LocationGroupInput input, OtklikDb db, CancellationToken ct)
    {
        var group = await db.LocationGroups.FirstOrDefaultAsync(g => g.Id == id, ct);
        if (group is null) return Problem.NotFound("Location group");
        var errors = await ValidateGroupAsync(input, id, db, ct);
        if (errors.Any) return errors.ToProblem();
        group.Name = input.Name.Trim();
        group.ParentId = input.ParentId;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new LocationGroupDto(group.Id, group.Name, group.ParentId));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteGroup(Guid id, OtklikDb db, CancellationToken ct)
    {
        var group = await db.LocationGroups.FirstOrDefaultAsync(g => g.Id == id, ct);
        if (group is null) return Problem.NotFound("Location group");
        if (await db.LocationGroups.AnyAsync(g => g.ParentId == id, ct))
            return Problem.Conflict(HasSubgroupsMessage);
        // Locations in the group fall back to no group (the foreign key sets them to null).
        db.LocationGroups.Remove(group);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Errors> ValidateGroupAsync(LocationGroupInput input, Guid? self, OtklikDb db, CancellationToken ct)
    {
        var errors = new Errors().Check(!string.IsNullOrWhiteSpace(input.Name), "name", "The name must not be blank.");
        if (input.ParentId is not { } parent) return errors;
        var groups = await db.LocationGroups.AsNoTracking().Select(g => new { g.Id, g.ParentId }).ToListAsync(ct);
        if (groups.All(g => g.Id != parent)) return errors.Add("parentId", "No such location group.");
        // A group may not become its own ancestor.
        if (self is { } me && LocationGroupTree.Subtree([me], groups.Select(g => (g.Id, g.ParentId))).Contains(parent))
            errors.Add("parentId", "A group cannot be placed inside itself or its subgroups.");
        return errors;
    }
}
