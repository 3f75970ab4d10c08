using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Cases;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Cases;

public sealed record ResponseTemplateDto(ResponseKind Kind, string Language, string Subject, string Body, bool IsDefault, IReadOnlyList<ResponseStep> Steps);

public sealed record ResponseTemplateInput(
    [property: Required, StringLength(Limits.Text, MinimumLength = 1)] string Subject,
    [property: Required, StringLength(Limits.LongText, MinimumLength = 1)] string Body);

/// <summary>Response templates: the organization's own where it wrote one, Otklik's defaults otherwise; filled for a case.</summary>
public sealed class CaseTemplates(OtklikDb db)
{
    public static readonly string[] Languages = ["ru", "en"];

    /// <summary>Every kind in both languages, as the organization would use them now.</summary>
    public async Task<List<ResponseTemplateDto>> ListAsync(CancellationToken ct)
    {
        var own = await db.ResponseTemplates.AsNoTracking().ToListAsync(ct);
        return (from kind in Enum.GetValues<ResponseKind>()
                from lang in Languages
                let mine = own.FirstOrDefault(t => t.Kind == kind && t.Language == lang)
                let shipped = DefaultResponseTemplates.For(kind, lang)
                select new ResponseTemplateDto(kind, lang, mine?.Subject ?? shipped.Subject, mine?.Body ?? shipped.Body, mine is null, ResponseAlgorithm.Steps(kind)))
            .ToList();
    }

    public async Task<ResponseTemplateDto> GetAsync(ResponseKind kind, string language, CancellationToken ct) =>
        (await ListAsync(ct)).First(t => t.Kind == kind && t.Language == language);

    /// <summary>The template filled for a case: the customer's name, the location, the root cause (or the customer's first reason).</summary>
    public async Task<RenderedTemplate?> RenderAsync(Guid caseId, ResponseKind kind, string? language, CancellationToken ct)
    {
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null) return null;
        language ??= await db.Organizations.AsNoTracking().Select(o => o.Language).FirstOrDefaultAsync(ct) ?? "ru";
        var location = await db.Locations.AsNoTracking().Where(l => l.Id == c.LocationId).Select(l => l.Name).FirstOrDefaultAsync(ct);
        string? name = null;
        var reasonId = c.RootCauseId;
        if (c.FeedbackId is { } fid)
        {
            var f = await db.Feedback.AsNoTracking().Include(x => x.Reasons).FirstOrDefaultAsync(x => x.Id == fid, ct);
            if (f?.ContactConsentVersion is not null) name = f.ContactName;
            reasonId ??= f?.Reasons.Select(r => (Guid?)r.ReasonId).FirstOrDefault();
        }
        string? reason = null;
        if (reasonId is { } rid)
            reason = (await db.Reasons.AsNoTracking().FirstOrDefaultAsync(r => r.Id == rid, ct))?.NameIn(language).ToLowerInvariant();
        var template = await GetAsync(kind, language, ct);
        var fallback = language == "ru" ? "Здравствуйте" : "Customer";
        return new RenderedTemplate(kind, language,
            ResponseAlgorithm.Render(template.Subject, name, location, reason, fallback),
            ResponseAlgorithm.Render(template.Body, name, location, reason, fallback));
    }

    public static IEndpointRouteBuilder MapResponseTemplates(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/response-templates").WithTags("Cases");
        api.MapGet("/", async (CaseTemplates t, CancellationToken ct) => TypedResults.Ok(await t.ListAsync(ct))).RequireAuthorization(Policies.Read);
        api.MapPut("/{kind}/{language}", Put).RequireAuthorization(Policies.Manage);
        api.MapDelete("/{kind}/{language}", Reset).RequireAuthorization(Policies.Manage);
        return routes;
    }

    private static ValidationProblem? Check(string kind, string language, out ResponseKind k)
    {
        if (!Enum.TryParse(kind, true, out k) || !Enum.IsDefined(k)) return Problem.Invalid("kind", "Use Question, Complaint, Praise or Changed.");
        if (!Languages.Contains(language)) return Problem.Invalid("language", "Use ru or en.");
        return null;
    }

    private static async Task<Results<Ok<ResponseTemplateDto>, ValidationProblem>> Put(string kind, string language, ResponseTemplateInput input, OtklikDb db,
        CaseTemplates templates, TenantContext tenant, TimeProvider time, CancellationToken ct)
    {
        if (Check(kind, language, out var k) is { } bad) return bad;
        var errors = new Errors();
        var subject = input.Subject?.Trim() ?? "";
        var body = input.Body?.Trim() ?? "";
        errors.Check(subject.Length > 0, "subject", "The subject must not be blank.");
        errors.Check(body.Length > 0, "body", "The text must not be blank.");
        foreach (var unknown in ResponseAlgorithm.UnknownPlaceholders(subject + " " + body))
            errors.Add("body", $"Unknown placeholder {unknown}; use {{customerName}}, {{location}} or {{reason}}.");
        if (errors.Any) return errors.ToProblem();
        var row = await db.ResponseTemplates.FirstOrDefaultAsync(t => t.Kind == k && t.Language == language, ct);
        if (row is null) db.ResponseTemplates.Add(row = new ResponseTemplate { OrganizationId = tenant.OrganizationId, Kind = k, Language = language, Subject = "", Body = "" });
        row.Subject = subject;
        row.Body = body;
        row.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await templates.GetAsync(k, language, ct));
    }

    private static async Task<Results<Ok<ResponseTemplateDto>, ValidationProblem>> Reset(string kind, string language, OtklikDb db, CaseTemplates templates, CancellationToken ct)
    {
        if (Check(kind, language, out var k) is { } bad) return bad;
        await db.ResponseTemplates.Where(t => t.Kind == k && t.Language == language).ExecuteDeleteAsync(ct);
        return TypedResults.Ok(await templates.GetAsync(k, language, ct));
    }
}
