using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Users;

public sealed record UserDto(Guid Id, string Email, string? DisplayName, OtklikRole Role, string? Language,
    IReadOnlyList<Guid> LocationIds, IReadOnlyList<Guid> LocationGroupIds);

public sealed record UserInput(
    [property: Required, EmailAddress, StringLength(Limits.Email)] string Email,
    [property: StringLength(Limits.Name)] string? DisplayName,
    [property: Required] OtklikRole? Role,
    [property: StringLength(128)] string? Password,
    [property: RegularExpression("^(ru|en)$")] string? Language,
    [property: MaxLength(1000)] List<Guid>? LocationIds,
    [property: MaxLength(1000)] List<Guid>? LocationGroupIds);

/// <summary>
/// People who sign in. Users are the one entity the DbContext does not filter (sign-in needs them before a tenant
/// is known), so every query here names the organization itself.
/// </summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        api.MapGet("/", List);
        api.MapGet("/{id:guid}", Get);
        api.MapPost("/", Create);
        api.MapPut("/{id:guid}", Update);
        api.MapDelete("/{id:guid}", Delete);
        return routes;
    }

    internal static IQueryable<AppUser> Members(OtklikDb db, TenantContext tenant) =>
        db.Users.Where(u => u.OrganizationId == tenant.OrganizationId);

    private static async Task<Ok<Page<UserDto>>> List(OtklikDb db, TenantContext tenant, [AsParameters] Paging paging, CancellationToken ct)
    {
        var page = await paging.ApplyAsync(Members(db, tenant).AsNoTracking().OrderBy(u => u.Email).ThenBy(u => u.Id), u => u, ct);
        var scopes = await ScopesAsync(db, page.Items.Select(u => u.Id).ToList(), ct);
        return TypedResults.Ok(new Page<UserDto>(page.Items.Select(u => ToDto(u, scopes)).ToList(), page.Total, page.PageNumber, page.PageSize));
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, TenantContext tenant, CancellationToken ct)
    {
        var user = await Members(db, tenant).AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        return user is null ? Problem.NotFound("User") : TypedResults.Ok(ToDto(user, await ScopesAsync(db, [id], ct)));
    }

    private static async Task<Results<Created<UserDto>, ValidationProblem>> Create(UserInput input, OtklikDb db, TenantContext tenant,
        UserManager<AppUser> users, TimeProvider time, CancellationToken ct)
    {
        var errors = await ValidateScopesAsync(input.Role, input.LocationIds, input.LocationGroupIds, db, ct);
        if (string.IsNullOrEmpty(input.Password)) errors.Add("password", "A first password is required.");
        if (await users.FindByEmailAsync(input.Email) is not null) errors.Add("email", "A user with this e-mail already exists.");
        if (errors.Any) return errors.ToProblem();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = new AppUser
        {
            OrganizationId = tenant.OrganizationId, UserName = input.Email, Email = input.Email, EmailConfirmed = true,
            DisplayName = input.DisplayName?.Trim(), Role = input.Role!.Value, Language = input.Language, CreatedAt = time.GetUtcNow(),
        };
        var result = await users.CreateAsync(user, input.Password!);
        if (!result.Succeeded) return IdentityProblem(result);
        ReplaceScopes(db, user.Id, input);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/users/{user.Id}", ToDto(user, await ScopesAsync(db, [user.Id], ct)));
    }

    private static async Task<Results<Ok<UserDto>, ValidationProblem, ProblemHttpResult>> Update(Guid id, UserInput input, OtklikDb db,
        TenantContext tenant, UserManager<AppUser> users, CancellationToken ct)
    {
        var user = await Members(db, tenant).FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return Problem.NotFound("User");
        var errors = await ValidateScopesAsync(input.Role, input.LocationIds, input.LocationGroupIds, db, ct);
        if (!string.Equals(user.Email, input.Email, StringComparison.OrdinalIgnoreCase) && await users.FindByEmailAsync(input.Email) is not null)
            errors.Add("email", "A user with this e-mail already exists.");
        if (user.Role == OtklikRole.Owner && input.Role != OtklikRole.Owner && !await HasAnotherOwnerAsync(db, tenant, id, ct))
            errors.Add("role", "The organization must keep at least one owner.");
        if (errors.Any) return errors.ToProblem();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        user.Email = user.UserName = input.Email;
        user.DisplayName = input.DisplayName?.Trim();
        user.Role = input.Role!.Value;
        user.Language = input.Language;
        var result = await users.UpdateAsync(user);
        if (!result.Succeeded) return IdentityProblem(result);
        if (!string.IsNullOrEmpty(input.Password))
        {
            await users.RemovePasswordAsync(user);
            result = await users.AddPasswordAsync(user, input.Password);
            if (!result.Succeeded) return IdentityProblem(result);
        }
        await db.AccessScopes.Where(s => s.UserId == id).ExecuteDeleteAsync(ct);
        ReplaceScopes(db, id, input);
        await db.SaveChangesAsync(ct);
        // Role and scope live in the cookie: a new security stamp signs the user out everywhere.
        await users.UpdateSecurityStampAsync(user);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(ToDto(user, await ScopesAsync(db, [id], ct)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, OtklikDb db, TenantContext tenant, UserManager<AppUser> users, CancellationToken ct)
    {
        var user = await Members(db, tenant).FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return Problem.NotFound("User");
        if (user.Id == tenant.UserId) return Problem.Conflict("You cannot delete yourself.");
        if (user.Role == OtklikRole.Owner && !await HasAnotherOwnerAsync(db, tenant, id, ct))
            return Problem.Conflict("The organization must keep at least one owner.");
        await users.DeleteAsync(user);
        return TypedResults.NoContent();
    }

    internal static Task<bool> HasAnotherOwnerAsync(OtklikDb db, TenantContext tenant, Guid except, CancellationToken ct) =>
        Members(db, tenant).AnyAsync(u => u.Role == OtklikRole.Owner && u.Id != except, ct);

    private static ValidationProblem IdentityProblem(IdentityResult result) =>
        TypedResults.ValidationProblem(result.Errors
            .GroupBy(e => e.Code.Contains("Password", StringComparison.Ordinal) ? "password" : e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal) ? "email" : "user")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));

    /// <summary>Checks a role and, for a location manager, the locations and groups it is limited to.</summary>
    internal static async Task<Errors> ValidateScopesAsync(OtklikRole? role, List<Guid>? locationIds, List<Guid>? groupIds, OtklikDb db, CancellationToken ct)
    {
        var errors = new Errors();
        if (role is { } r && !Enum.IsDefined(r)) errors.Add("role", "Unknown role.");
        var locations = locationIds ?? [];
        var groups = groupIds ?? [];
        if (locations.Count > 0 && await db.Locations.CountAsync(l => locations.Contains(l.Id), ct) != locations.Distinct().Count())
            errors.Add("locationIds", "One or more locations do not exist.");
        if (groups.Count > 0 && await db.LocationGroups.CountAsync(g => groups.Contains(g.Id), ct) != groups.Distinct().Count())
            errors.Add("locationGroupIds", "One or more location groups do not exist.");
        if (role == OtklikRole.LocationManager && locations.Count == 0 && groups.Count == 0)
            errors.Add("locationIds", "A location manager needs at least one location or location group.");
        return errors;
    }

    internal static void ReplaceScopes(OtklikDb db, Guid userId, UserInput input)
    {
        if (input.Role != OtklikRole.LocationManager) return;
        foreach (var l in (input.LocationIds ?? []).Distinct()) db.AccessScopes.Add(new AccessScope { UserId = userId, LocationId = l });
        foreach (var g in (input.LocationGroupIds ?? []).Distinct()) db.AccessScopes.Add(new AccessScope { UserId = userId, LocationGroupId = g });
    }

    private static async Task<ILookup<Guid, AccessScope>> ScopesAsync(OtklikDb db, List<Guid> userIds, CancellationToken ct) =>
        (await db.AccessScopes.AsNoTracking().Where(s => s.UserId != null && userIds.Contains(s.UserId.Value)).ToListAsync(ct))
            .ToLookup(s => s.UserId!.Value);

    private static UserDto ToDto(AppUser u, ILookup<Guid, AccessScope> scopes) =>
        new(u.Id, u.Email ?? "", u.DisplayName, u.Role, u.Language,
            scopes[u.Id].Where(s => s.LocationId is not null).Select(s => s.LocationId!.Value).ToList(),
            scopes[u.Id].Where(s => s.LocationGroupId is not null).Select(s => s.LocationGroupId!.Value).ToList());
}
