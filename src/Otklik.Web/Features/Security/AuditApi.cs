using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Security;

/// <summary>A line of the audit log as the owner reads it, with the actor and the target named.</summary>
public sealed record AuditEntryDto(Guid Id, DateTimeOffset At, string Action, string Actor, Guid? UserId, Guid? ApiKeyId,
    string? TargetType, Guid? TargetId, string? Target, string? Detail, string? Address);

/// <summary>Filters of the audit log; every field optional.</summary>
public sealed record AuditQuery(DateTimeOffset? From, DateTimeOffset? To, string? Action, Guid? UserId, Guid? ApiKeyId, Guid? TargetId);

public static class AuditApi
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/audit").WithTags("Audit log").RequireAuthorization(Policies.Admin);
        api.MapGet("/", List);
        return routes;
    }

    private static async Task<Results<Ok<Page<AuditEntryDto>>, ValidationProblem>> List(OtklikDb db, [AsParameters] Paging paging,
        DateTimeOffset? from, DateTimeOffset? to, string? action, Guid? userId, Guid? apiKeyId, Guid? targetId, CancellationToken ct)
    {
        var errors = new Errors()
            .Check(action is null || AuditActions.All.Contains(action), "action", "Unknown action; see AuditActions.")
            .Check(from is null || to is null || from < to, "to", "Must be after 'from'.");
        if (errors.Any) return errors.ToProblem();
        var query = Filter(db, new AuditQuery(from, to, action, userId, apiKeyId, targetId));
        var total = await query.CountAsync(ct);
        var rows = await query.Skip((paging.Number - 1) * paging.Size).Take(paging.Size).ToListAsync(ct);
        return TypedResults.Ok(new Page<AuditEntryDto>(await DescribeAsync(db, rows, ct), total, paging.Number, paging.Size));
    }

    public static IQueryable<AuditEntry> Filter(OtklikDb db, AuditQuery q)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (q.From is { } from) query = query.Where(e => e.At >= from);
        if (q.To is { } to) query = query.Where(e => e.At < to);
        if (!string.IsNullOrEmpty(q.Action)) query = query.Where(e => e.Action == q.Action);
        if (q.UserId is { } user) query = query.Where(e => e.UserId == user || e.TargetId == user);
        if (q.ApiKeyId is { } key) query = query.Where(e => e.ApiKeyId == key);
        if (q.TargetId is { } target) query = query.Where(e => e.TargetId == target);
        return query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id);
    }

    /// <summary>Names actors and targets now (users by e-mail, keys by name), so the log itself holds no copies.</summary>
    public static async Task<List<AuditEntryDto>> DescribeAsync(OtklikDb db, IReadOnlyList<AuditEntry> rows, CancellationToken ct)
    {
        var ids = rows.SelectMany(r => new[] { r.UserId, r.ApiKeyId, r.TargetId }).OfType<Guid>().Distinct().ToList();
        var org = db.Tenant.OrganizationId;
        var users = await db.Users.AsNoTracking().Where(u => u.OrganizationId == org && ids.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.UserName ?? u.Id.ToString(), ct);
        var keys = await db.ApiKeys.AsNoTracking().Where(k => ids.Contains(k.Id)).ToDictionaryAsync(k => k.Id, k => $"{k.Name} ({k.Prefix}…)", ct);
        string? Name(Guid? id) => id is { } g ? users.GetValueOrDefault(g) ?? keys.GetValueOrDefault(g) : null;
        return [.. rows.Select(r => new AuditEntryDto(r.Id, r.At, r.Action,
            Name(r.UserId) ?? Name(r.ApiKeyId) ?? (r.UserId ?? r.ApiKeyId)?.ToString() ?? "system",
            r.UserId, r.ApiKeyId, r.TargetType, r.TargetId, Name(r.TargetId), r.Detail, r.Address))];
    }
}
