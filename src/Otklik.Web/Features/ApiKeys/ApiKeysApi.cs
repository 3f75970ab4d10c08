using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Users;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.ApiKeys;

public sealed record ApiKeyDto(Guid Id, string Name, OtklikRole Role, string Prefix, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyDto From(ApiKey k) => new(k.Id, k.Name, k.Role, k.Prefix, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt);
}

/// <summary>The key itself is in this answer only.</summary>
public sealed record ApiKeyWithSecret(ApiKeyDto ApiKey, string Key);

public sealed record ApiKeyInput(
    [property: Required, StringLength(Limits.Name, MinimumLength = 1)] string Name,
    [property: Required] OtklikRole? Role,
    DateTimeOffset? ExpiresAt,
    [property: MaxLength(1000)] List<Guid>? LocationIds,
    [property: MaxLength(1000)] List<Guid>? LocationGroupIds);

public static class ApiKeysApi
{
    public const string KeyPrefix = "otk_";

    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/api-keys").WithTags("API keys").RequireAuthorization(Policies.Admin);
        api.MapGet("/", List);
        api.MapGet("/{id:guid}", Get);
        api.MapPost("/", Create);
        api.MapDelete("/{id:guid}", Revoke);
        return routes;
    }

    private static async Task<Ok<Page<ApiKeyDto>>> List(OtklikDb db, [AsParameters] Paging paging, CancellationToken ct) =>
        TypedResults.Ok(await paging.ApplyAsync(db.ApiKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id), ApiKeyDto.From, ct));

    private static async Task<Results<Ok<ApiKeyDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, ct) is { } k
            ? TypedResults.Ok(ApiKeyDto.From(k))
            : Problem.NotFound("API key");

    private static async Task<Results<Created<ApiKeyWithSecret>, ValidationProblem>> Create(ApiKeyInput input, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var errors = await ValidateAsync(input, db, time.GetUtcNow(), ct);
        if (errors.Any) return errors.ToProblem();
        var (key, secret) = Add(input, db, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/api-keys/{key.Id}", new ApiKeyWithSecret(ApiKeyDto.From(key), secret));
    }

    internal static async Task<Errors> ValidateAsync(ApiKeyInput input, OtklikDb db, DateTimeOffset now, CancellationToken ct)
    {
        var errors = await UsersApi.ValidateScopesAsync(input.Role, input.LocationIds, input.LocationGroupIds, db, ct);
        errors.Check(!string.IsNullOrWhiteSpace(input.Name), "name", "The name must not be blank.");
        if (input.ExpiresAt is { } e && e <= now) errors.Add("expiresAt", "The expiry must be in the future.");
        return errors;
    }

    /// <summary>Adds a new key and its scopes to the context (the caller saves) and returns the secret, which is never stored.</summary>
    internal static (ApiKey Key, string Secret) Add(ApiKeyInput input, OtklikDb db, DateTimeOffset now)
    {
        var secret = Secrets.NewToken(KeyPrefix);
        var key = new ApiKey
        {
            Name = input.Name.Trim(), Role = input.Role!.Value, KeyHash = Secrets.Hash(secret), Prefix = secret[..10],
            CreatedAt = now, ExpiresAt = input.ExpiresAt?.ToUniversalTime(),
        };
        db.ApiKeys.Add(key);
        if (key.Role == OtklikRole.LocationManager)
        {
            foreach (var l in (input.LocationIds ?? []).Distinct()) db.AccessScopes.Add(new AccessScope { ApiKeyId = key.Id, LocationId = l });
            foreach (var g in (input.LocationGroupIds ?? []).Distinct()) db.AccessScopes.Add(new AccessScope { ApiKeyId = key.Id, LocationGroupId = g });
        }
        return (key, secret);
    }

    /// <summary>Revoked keys stay listed (who had access, and when) but stop working at once.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct);
        if (key is null) return Problem.NotFound("API key");
        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
