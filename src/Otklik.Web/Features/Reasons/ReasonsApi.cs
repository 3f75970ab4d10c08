using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Reasons;

public sealed record ReasonDto(
    Guid Id, Guid? ParentId, ReasonKind Kind, string NameRu, string NameEn, Servqual? Dimension, string? ResponsibleRole, int SortOrder, bool Archived)
{
    public static ReasonDto From(Reason r) => new(r.Id, r.ParentId, r.Kind, r.NameRu, r.NameEn, r.Dimension, r.ResponsibleRole, r.SortOrder, r.IsArchived);
}

public sealed record ReasonInput(
    ReasonKind Kind,
    Guid? ParentId,
    [property: StringLength(Limits.Name)] string? NameRu,
    [property: StringLength(Limits.Name)] string? NameEn,
    Servqual? Dimension,
    [property: StringLength(Limits.Name)] string? ResponsibleRole);

public sealed record ReasonUpdate(
    [property: StringLength(Limits.Name)] string? NameRu,
    [property: StringLength(Limits.Name)] string? NameEn,
    Servqual? Dimension,
    [property: StringLength(Limits.Name)] string? ResponsibleRole);

public sealed record ReorderInput([property: Required, MaxLength(500)] List<Guid> Ids);

public sealed record StarterApplied(string Template, int Created);

/// <summary>The organization's reason tree: CRUD, ordering, archiving and the starter trees.</summary>
public static class ReasonsApi
{
    public static IEndpointRouteBuilder MapReasons(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/reasons").WithTags("Reasons");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read);
        api.MapPost("/", Create).RequireAuthorization(Policies.Manage);
        api.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.Manage);
        api.MapPost("/{id:guid}/archive", Archive).RequireAuthorization(Policies.Manage);
        api.MapPost("/{id:guid}/restore", Restore).RequireAuthorization(Policies.Manage);
        api.MapPost("/{id:guid}/move", Move).RequireAuthorization(Policies.Manage);
        api.MapPost("/reorder", Reorder).RequireAuthorization(Policies.Manage);
        api.MapPost("/starter", ApplyStarter).RequireAuthorization(Policies.Manage);
        return routes;
    }

    /// <summary>The whole tree as a flat list, parents before children, siblings in their order.</summary>
    private static async Task<Ok<List<ReasonDto>>> List(OtklikDb db, ReasonKind? kind, bool? includeArchived, CancellationToken ct)
    {
        var all = await db.Reasons.AsNoTracking().ToListAsync(ct);
        var tree = ReasonTree.Ordered(all).Where(r => kind is null || r.Kind == kind).Where(r => includeArchived == true || !r.IsArchived);
        return TypedResults.Ok(tree.Select(ReasonDto.From).ToList());
    }

    private static async Task<Results<Ok<ReasonDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.Reasons.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } r ? TypedResults.Ok(ReasonDto.From(r)) : Problem.NotFound("Reason");

    private static async Task<Results<Created<ReasonDto>, ValidationProblem>> Create(ReasonInput input, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var result = await ReasonTree.CreateAsync(db, input, time.GetUtcNow(), ct);
        if (result.Errors is { } errors) return errors.ToProblem();
        return TypedResults.Created($"/api/v1/reasons/{result.Reason!.Id}", ReasonDto.From(result.Reason));
    }

    private static async Task<Results<Ok<ReasonDto>, ValidationProblem, ProblemHttpResult>> Update(Guid id, ReasonUpdate input, OtklikDb db, CancellationToken ct)
    {
        var reason = await db.Reasons.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (reason is null) return Problem.NotFound("Reason");
        var errors = ReasonTree.ValidateNames(input.NameRu, input.NameEn);
        if (input.Dimension is { } d && !Enum.IsDefined(d)) errors.Add("dimension", "Unknown SERVQUAL dimension.");
        if (errors.Any) return errors.ToProblem();
        ReasonTree.ApplyNames(reason, input.NameRu, input.NameEn);
        reason.Dimension = input.Dimension;
        reason.ResponsibleRole = Blank(input.ResponsibleRole);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ReasonDto.From(reason));
    }

    private static async Task<Results<Ok<ReasonDto>, ProblemHttpResult>> Archive(Guid id, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var reason = await ReasonTree.SetArchivedAsync(db, id, time.GetUtcNow(), ct);
        return reason is null ? Problem.NotFound("Reason") : TypedResults.Ok(ReasonDto.From(reason));
    }

    private static async Task<Results<Ok<ReasonDto>, ProblemHttpResult>> Restore(Guid id, OtklikDb db, CancellationToken ct)
    {
        var reason = await ReasonTree.SetArchivedAsync(db, id, null, ct);
        return reason is null ? Problem.NotFound("Reason") : TypedResults.Ok(ReasonDto.From(reason));
    }

    private static async Task<Results<Ok<ReasonDto>, ValidationProblem, ProblemHttpResult>> Move(Guid id, string? direction, OtklikDb db, CancellationToken ct)
    {
        if (!await db.Reasons.AnyAsync(r => r.Id == id, ct)) return Problem.NotFound("Reason");
        if (direction is not ("up" or "down")) return Problem.Invalid("direction", "Use direction=up or direction=down.");
        var moved = await ReasonTree.MoveAsync(db, id, direction == "up" ? -1 : 1, ct);
        return TypedResults.Ok(ReasonDto.From(moved!));
    }

    private static async Task<Results<Ok<List<ReasonDto>>, ValidationProblem>> Reorder(ReorderInput input, OtklikDb db, CancellationToken ct)
    {
        var (siblings, errors) = await ReasonTree.ReorderAsync(db, input.Ids ?? [], ct);
        if (errors is not null) return errors.ToProblem();
        return TypedResults.Ok(siblings!.Select(ReasonDto.From).ToList());
    }

    private static async Task<Results<Ok<StarterApplied>, ValidationProblem, ProblemHttpResult>> ApplyStarter(string? template, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        if (StarterTrees.For(template) is null)
            return Problem.Invalid("template", "Choose one of: " + string.Join(", ", StarterTrees.Templates) + ".");
        if (await db.Reasons.AnyAsync(r => r.ArchivedAt == null, ct))
            return Problem.Conflict("The organization already has reasons. Archive them first to start from a template.");
        var created = await ReasonTree.ApplyStarterAsync(db, db.Tenant.OrganizationId, template!, time.GetUtcNow(), ct);
        return TypedResults.Ok(new StarterApplied(template!, created));
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>Tree rules shared by the API and the admin page.</summary>
public static class ReasonTree
{
    /// <summary>Parents before children, siblings by their order; negative reasons first.</summary>
    public static List<Reason> Ordered(IEnumerable<Reason> all)
    {
        var list = all.ToList();
        var children = list.ToLookup(r => r.ParentId);
        var result = new List<Reason>(list.Count);
        void Walk(Guid? parent)
        {
            foreach (var r in children[parent].OrderBy(r => r.Kind).ThenBy(r => r.SortOrder).ThenBy(r => r.Id))
            {
                result.Add(r);
                Walk(r.Id);
            }
        }
        Walk(null);
        return result;
    }

    /// <summary>1 for a top-level reason.</summary>
    public static int Depth(Reason reason, IReadOnlyDictionary<Guid, Reason> byId)
    {
        var depth = 1;
        for (var p = reason.ParentId; p is { } id && byId.TryGetValue(id, out var parent) && depth <= Reason.MaxDepth; p = parent.ParentId) depth++;
        return depth;
    }

    public static Errors ValidateNames(string? ru, string? en) =>
        new Errors().Check(!string.IsNullOrWhiteSpace(ru) || !string.IsNullOrWhiteSpace(en), "nameRu", "Give the name in Russian, English or both.");

    /// <summary>A missing language takes the other one's name.</summary>
    public static void ApplyNames(Reason reason, string? ru, string? en)
    {
        reason.NameRu = (string.IsNullOrWhiteSpace(ru) ? en : ru)!.Trim();
        reason.NameEn = (string.IsNullOrWhiteSpace(en) ? ru : en)!.Trim();
    }

    public static async Task<(Reason? Reason, Errors? Errors)> CreateAsync(OtklikDb db, ReasonInput input, DateTimeOffset now, CancellationToken ct)
    {
        var errors = ValidateNames(input.NameRu, input.NameEn);
        if (!Enum.IsDefined(input.Kind)) errors.Add("kind", "Use Negative or Positive.");
        if (input.Dimension is { } d && !Enum.IsDefined(d)) errors.Add("dimension", "Unknown SERVQUAL dimension.");
        if (input.ParentId is { } parentId)
        {
            var all = await db.Reasons.AsNoTracking().ToDictionaryAsync(r => r.Id, ct);
            if (!all.TryGetValue(parentId, out var parent)) errors.Add("parentId", "No such reason.");
            else if (parent.IsArchived) errors.Add("parentId", "The parent reason is archived.");
            else if (parent.Kind != input.Kind) errors.Add("parentId", "The parent is a reason of the other kind.");
            else if (Depth(parent, all) >= Reason.MaxDepth) errors.Add("parentId", "Reasons go at most three levels deep.");
        }
        if (errors.Any) return (null, errors);
        var last = await db.Reasons.Where(r => r.ParentId == input.ParentId && r.Kind == input.Kind).MaxAsync(r => (int?)r.SortOrder, ct);
        var reason = new Reason
        {
            NameRu = "", NameEn = "", Kind = input.Kind, ParentId = input.ParentId, Dimension = input.Dimension,
            ResponsibleRole = string.IsNullOrWhiteSpace(input.ResponsibleRole) ? null : input.ResponsibleRole.Trim(),
            SortOrder = (last ?? -1) + 1, CreatedAt = now,
        };
        ApplyNames(reason, input.NameRu, input.NameEn);
        db.Reasons.Add(reason);
        await db.SaveChangesAsync(ct);
        return (reason, null);
    }

    /// <summary>Archives (or restores, with null) a reason and everything under it. Null when not found.</summary>
    public static async Task<Reason?> SetArchivedAsync(OtklikDb db, Guid id, DateTimeOffset? archivedAt, CancellationToken ct)
    {
        var all = await db.Reasons.ToListAsync(ct);
        var reason = all.FirstOrDefault(r => r.Id == id);
        if (reason is null) return null;
        var subtree = LocationGroupTree.Subtree([id], all.Select(r => (r.Id, r.ParentId)));
        if (archivedAt is null)
        {
            // Restoring a child also restores its archived ancestors, so it is reachable again.
            for (var p = reason.ParentId; p is { } pid && all.FirstOrDefault(r => r.Id == pid) is { } parent; p = parent.ParentId) subtree.Add(parent.Id);
        }
        foreach (var r in all.Where(r => subtree.Contains(r.Id))) r.ArchivedAt = archivedAt is null ? null : r.ArchivedAt ?? archivedAt;
        await db.SaveChangesAsync(ct);
        return reason;
    }

    /// <summary>Swaps a reason with its previous (-1) or next (+1) sibling; at an end nothing changes.</summary>
    public static async Task<Reason?> MoveAsync(OtklikDb db, Guid id, int step, CancellationToken ct)
    {
        var reason = await db.Reasons.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (reason is null) return null;
        var siblings = await db.Reasons.Where(r => r.ParentId == reason.ParentId && r.Kind == reason.Kind)
            .OrderBy(r => r.SortOrder).ThenBy(r => r.Id).ToListAsync(ct);
        var i = siblings.FindIndex(r => r.Id == id);
        var j = i + step;
        if (j >= 0 && j < siblings.Count) (siblings[i], siblings[j]) = (siblings[j], siblings[i]);
        for (var k = 0; k < siblings.Count; k++) siblings[k].SortOrder = k;
        await db.SaveChangesAsync(ct);
        return reason;
    }

    /// <summary>
    /// Puts siblings in the given order: the listed ones first, then any siblings that were not listed, in their old order.
    /// Returns the siblings in their new order, or the errors (nothing changed).
    /// </summary>
    public static async Task<(List<Reason>? Siblings, Errors? Errors)> ReorderAsync(OtklikDb db, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0 || ids.Distinct().Count() != ids.Count) return (null, new Errors().Add("ids", "Give each reason of one level once, in the new order."));
        var reasons = await db.Reasons.Where(r => ids.Contains(r.Id)).ToListAsync(ct);
        if (reasons.Count != ids.Count) return (null, new Errors().Add("ids", "No such reason."));
        var first = reasons[0];
        if (reasons.Any(r => r.ParentId != first.ParentId || r.Kind != first.Kind))
            return (null, new Errors().Add("ids", "All reasons must share the same parent."));
        var siblings = await db.Reasons.Where(r => r.ParentId == first.ParentId && r.Kind == first.Kind).OrderBy(r => r.SortOrder).ThenBy(r => r.Id).ToListAsync(ct);
        var order = ids.Concat(siblings.Select(s => s.Id).Where(s => !ids.Contains(s))).ToList();
        foreach (var s in siblings) s.SortOrder = order.IndexOf(s.Id);
        await db.SaveChangesAsync(ct);
        return (siblings.OrderBy(s => s.SortOrder).ToList(), null);
    }

    /// <summary>
    /// The siblings' order after <paramref name="dragged"/> is dropped on <paramref name="target"/>: it takes the target's
    /// place, so dragging down puts it after the target and dragging up before it. Null when the two are not siblings.
    /// </summary>
    public static List<Guid>? DropOrder(IReadOnlyList<Guid> siblings, Guid dragged, Guid target)
    {
        var order = siblings.ToList();
        var from = order.IndexOf(dragged);
        var to = order.IndexOf(target);
        if (from < 0 || to < 0 || from == to) return null;
        order.RemoveAt(from);
        order.Insert(to, dragged);
        return order;
    }

    public static async Task<int> ApplyStarterAsync(OtklikDb db, Guid organizationId, string template, DateTimeOffset now, CancellationToken ct)
    {
        var (negative, positive) = StarterTrees.For(template) ?? throw new ArgumentException("Unknown template.", nameof(template));
        var next = await db.Reasons.Where(r => r.ParentId == null).MaxAsync(r => (int?)r.SortOrder, ct) ?? -1;
        var reasons = StarterTrees.Build(organizationId, ReasonKind.Negative, negative, next + 1, now);
        reasons.AddRange(StarterTrees.Build(organizationId, ReasonKind.Positive, positive, next + 1, now));
        db.Reasons.AddRange(reasons);
        await db.SaveChangesAsync(ct);
        return reasons.Count;
    }
}
