using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Cases;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Cases;

public sealed record CaseDto(
    Guid Id, Guid LocationId, Guid? FeedbackId, Guid? PressId, Guid? StaffMemberId, string Summary, CaseStatus Status,
    CaseQualification? Qualification, bool ExcludedFromStaffMetrics, Guid? RootCauseId, Guid? AssigneeUserId, DateTimeOffset CreatedAt,
    DateTimeOffset? DueAt, bool Overdue, DateTimeOffset? FirstResponseAt, DateTimeOffset? ResolvedAt, DateTimeOffset? ClosedAt,
    string? Resolution, bool? FollowUpSolved, int Version, IReadOnlyList<CaseStatus> NextStatuses)
{
    public static CaseDto From(Case c, DateTimeOffset now) => new(c.Id, c.LocationId, c.FeedbackId, c.PressId, c.StaffMemberId, c.Summary, c.Status,
        c.Qualification, c.ExcludedFromStaffMetrics, c.RootCauseId, c.AssigneeUserId, c.CreatedAt, c.DueAt,
        CaseWorkflow.IsOpen(c.Status) && new SlaDeadline(c.DueAt).IsOverdue(now), c.FirstResponseAt, c.ResolvedAt, c.ClosedAt, c.Resolution,
        c.FollowUpSolved, c.Version, CaseWorkflow.NextStatuses(c.Status));
}

public sealed record CaseEventDto(
    Guid Id, CaseEventKind Kind, DateTimeOffset At, string? By, string? Text, CaseStatus? FromStatus, CaseStatus? ToStatus,
    CompensationKind? CompensationKind, decimal? Amount, MessageChannel? Channel, Guid? StaffMemberId)
{
    public static CaseEventDto From(CaseEvent e) => new(e.Id, e.Kind, e.At, e.By, e.Text, e.FromStatus, e.ToStatus, e.CompensationKind, e.Amount, e.Channel, e.StaffMemberId);
}

/// <summary>A case with its timeline and whether the customer may be answered (contact left with consent).</summary>
public sealed record CaseDetailDto(CaseDto Case, bool CanAnswer, string? CustomerName, bool HasEmail, bool HasPhone, IReadOnlyList<CaseEventDto> Timeline);

public sealed record TransitionInput([property: Required] CaseStatus? To, [property: StringLength(Limits.LongText)] string? Resolution, int? Version, bool? FollowUp);

public sealed record QualifyInput([property: Required] CaseQualification? Qualification, int? Version);

public sealed record AssignInput(Guid? UserId, int? Version);

public sealed record RootCauseInput(Guid? ReasonId, int? Version);

public sealed record TimelineEntryInput([property: Required] CaseEventKind? Kind, [property: StringLength(Limits.LongText)] string? Text,
    CompensationKind? CompensationKind, decimal? Amount, int? Version);

/// <summary>An answer to the customer; without <see cref="Text"/> the template of <see cref="Template"/> is used as is.</summary>
public sealed record MessageInput([property: Required] MessageChannel? Channel, [property: StringLength(Limits.Text)] string? Subject,
    [property: StringLength(Limits.LongText * 2)] string? Text, ResponseKind? Template, int? Version);

public sealed record RenderedTemplate(ResponseKind Kind, string Language, string Subject, string Body);

public sealed record CaseSettingsDto(int? UnqualifiedMinutes, int? NotWorthAttentionMinutes, int? NeedsReactionMinutes, int? ConsumerTerrorismMinutes,
    string? MessagingWebhookUrl, bool HasMessagingSecret);

/// <summary>SLA minutes per qualification (null: no deadline; send all four); a new webhook URL gets a new signing secret, shown once.</summary>
public sealed record CaseSettingsInput(
    [property: Range(1, 525600)] int? UnqualifiedMinutes,
    [property: Range(1, 525600)] int? NotWorthAttentionMinutes,
    [property: Range(1, 525600)] int? NeedsReactionMinutes,
    [property: Range(1, 525600)] int? ConsumerTerrorismMinutes,
    [property: StringLength(Limits.Url)] string? MessagingWebhookUrl);

public sealed record CaseSettingsSaved(CaseSettingsDto Settings, string? MessagingWebhookSecret);

public sealed record CaseRuleDto(Guid LocationId, bool OpenCaseOnRedPress);

public sealed record CaseRuleInput([property: Required] bool? OpenCaseOnRedPress);

public sealed record CaseFilter(string? Status, Guid? LocationId, Guid? AssigneeId, bool? Mine, bool? Overdue, CaseQualification? Qualification);

public static class CasesApi
{
    public static IEndpointRouteBuilder MapCases(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/cases").WithTags("Cases");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read);
        api.MapPost("/{id:guid}/transition", Transition).RequireAuthorization(Policies.Operate);
        api.MapPost("/{id:guid}/qualify", Qualify).RequireAuthorization(Policies.Operate);
        api.MapPost("/{id:guid}/assign", Assign).RequireAuthorization(Policies.Operate);
        api.MapPost("/{id:guid}/root-cause", RootCause).RequireAuthorization(Policies.Operate);
        api.MapPost("/{id:guid}/timeline", Timeline).RequireAuthorization(Policies.Operate);
        api.MapPost("/{id:guid}/messages", Message).RequireAuthorization(Policies.Operate);
        api.MapGet("/{id:guid}/templates/{kind}", Render).RequireAuthorization(Policies.Read);
        api.MapGet("/settings", GetSettings).RequireAuthorization(Policies.Read);
        api.MapPut("/settings", PutSettings).RequireAuthorization(Policies.Manage);
        api.MapGet("/follow-up-report", FollowUpReport).RequireAuthorization(Policies.Read);

        var locations = routes.MapGroup("/api/v1/locations").WithTags("Cases");
        locations.MapGet("/{id:guid}/case-rule", GetRule).RequireAuthorization(Policies.Read);
        locations.MapPut("/{id:guid}/case-rule", PutRule).RequireAuthorization(Policies.Operate);
        return routes;
    }

    /// <summary>Open cases first, overdue ones before the rest, then by deadline; closed ones last, newest first.</summary>
    public static IQueryable<Case> Apply(IQueryable<Case> q, CaseFilter f, TenantContext tenant, DateTimeOffset now, out string? error)
    {
        error = null;
        if (f.Status is { Length: > 0 } status)
        {
            if (status.Equals("open", StringComparison.OrdinalIgnoreCase))
                q = q.Where(c => c.Status == CaseStatus.New || c.Status == CaseStatus.Qualified || c.Status == CaseStatus.InProgress);
            else if (Enum.TryParse<CaseStatus>(status, true, out var s) && Enum.IsDefined(s)) q = q.Where(c => c.Status == s);
            else error = "Use open, New, Qualified, InProgress, Resolved, Closed or Dismissed.";
        }
        if (f.LocationId is { } l) q = q.Where(c => c.LocationId == l);
        if (f.AssigneeId is { } a) q = q.Where(c => c.AssigneeUserId == a);
        if (f.Mine == true) q = q.Where(c => c.AssigneeUserId == tenant.UserId);
        if (f.Overdue == true) q = q.Overdue(now);
        if (f.Qualification is { } qu) q = q.Where(c => c.Qualification == qu);
        return q;
    }

    public static IOrderedQueryable<Case> Order(IQueryable<Case> q, DateTimeOffset now) =>
        q.OrderBy(c => c.Status == CaseStatus.New || c.Status == CaseStatus.Qualified || c.Status == CaseStatus.InProgress ? 0 : 1)
            .ThenBy(c => c.DueAt != null && c.DueAt < now ? 0 : 1)
            .ThenBy(c => c.DueAt == null ? 1 : 0).ThenBy(c => c.DueAt)
            .ThenByDescending(c => c.CreatedAt).ThenBy(c => c.Id);

    private static async Task<Results<Ok<Page<CaseDto>>, ValidationProblem>> List(OtklikDb db, TenantContext tenant, TimeProvider time,
        [AsParameters] Paging paging, [AsParameters] CaseFilter filter, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var query = Apply(db.Cases.AsNoTracking(), filter, tenant, now, out var error);
        if (error is not null) return Problem.Invalid("status", error);
        return TypedResults.Ok(await paging.ApplyAsync(Order(query, now), c => CaseDto.From(c, now), ct));
    }

    private static async Task<Results<Ok<CaseDetailDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, CaseService cases, TimeProvider time, CancellationToken ct) =>
        await DetailAsync(db, cases, id, time.GetUtcNow(), ct) is { } d ? TypedResults.Ok(d) : Problem.NotFound("Case");

    public static async Task<CaseDetailDto?> DetailAsync(OtklikDb db, CaseService cases, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (c is null) return null;
        var contact = await cases.ContactAsync(c, ct);
        var timeline = await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);
        return new CaseDetailDto(CaseDto.From(c, now), contact is { Consent: true }, contact?.Name, contact?.Email is not null, contact?.Phone is not null,
            timeline.Select(CaseEventDto.From).ToList());
    }

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> Transition(Guid id, TransitionInput input, CaseService cases,
        TimeProvider time, HttpContext http, CancellationToken ct) =>
        Answer(await cases.TransitionAsync(id, input.To!.Value, input.Resolution, input.Version, ct, input.FollowUp == true, BaseUrl(http)), time);

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> Qualify(Guid id, QualifyInput input, CaseService cases, TimeProvider time, CancellationToken ct) =>
        Answer(await cases.QualifyAsync(id, input.Qualification!.Value, input.Version, ct), time);

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> Assign(Guid id, AssignInput input, CaseService cases, TimeProvider time, CancellationToken ct) =>
        Answer(await cases.AssignAsync(id, input.UserId, input.Version, ct), time);

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> RootCause(Guid id, RootCauseInput input, CaseService cases, TimeProvider time, CancellationToken ct) =>
        Answer(await cases.SetRootCauseAsync(id, input.ReasonId, input.Version, ct), time);

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> Timeline(Guid id, TimelineEntryInput input, CaseService cases, TimeProvider time, CancellationToken ct) =>
        Answer(await cases.AddTimelineAsync(id, new TimelineInput(input.Kind!.Value, input.Text, input.CompensationKind, input.Amount), input.Version, ct), time);

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> Message(Guid id, MessageInput input, OtklikDb db, CaseService cases,
        CaseTemplates templates, TimeProvider time, CancellationToken ct)
    {
        var subject = input.Subject;
        var text = input.Text;
        if (input.Template is { } kind && string.IsNullOrWhiteSpace(text))
        {
            if (!Enum.IsDefined(kind)) return Problem.Invalid("template", "Use Question, Complaint, Praise or Changed.");
            if (await templates.RenderAsync(id, kind, null, ct) is not { } rendered) return Problem.NotFound("Case");
            subject ??= rendered.Subject;
            text = rendered.Body;
        }
        return Answer(await cases.SendMessageAsync(id, input.Channel!.Value, subject, text, input.Version, ct), time);
    }

    private static async Task<Results<Ok<RenderedTemplate>, ValidationProblem, ProblemHttpResult>> Render(Guid id, string kind, string? language, CaseTemplates templates, CancellationToken ct)
    {
        if (!Enum.TryParse<ResponseKind>(kind, true, out var k) || !Enum.IsDefined(k))
            return await templates.RenderAsync(id, ResponseKind.Question, "en", ct) is null ? Problem.NotFound("Case") : Problem.Invalid("kind", "Use Question, Complaint, Praise or Changed.");
        if (language is not (null or "ru" or "en")) return Problem.Invalid("language", "Use ru or en.");
        return await templates.RenderAsync(id, k, language, ct) is { } r ? TypedResults.Ok(r) : Problem.NotFound("Case");
    }

    private static Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult> Answer(CaseResult result, TimeProvider time) => result.Outcome switch
    {
        CaseOutcome.Ok => TypedResults.Ok(CaseDto.From(result.Case!, time.GetUtcNow())),
        CaseOutcome.NotFound => Problem.NotFound("Case"),
        CaseOutcome.Invalid => result.Errors!.ToProblem(),
        _ => Problem.Conflict(result.Error ?? "The case cannot be changed this way."),
    };

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    private static CaseSettingsDto ToDto(CaseSettings s) => new(s.UnqualifiedMinutes, s.NotWorthAttentionMinutes, s.NeedsReactionMinutes, s.ConsumerTerrorismMinutes,
        s.MessagingWebhookUrl, s.MessagingWebhookSecret is not null);

    private static async Task<Results<Ok<CaseSettingsDto>, ProblemHttpResult>> GetSettings(OtklikDb db, TenantContext tenant, CancellationToken ct)
    {
        if (!await db.Organizations.AnyAsync(ct)) return Problem.NotFound("Organization");
        var s = await db.CaseSettings.AsNoTracking().FirstOrDefaultAsync(ct) ?? new CaseSettings { OrganizationId = tenant.OrganizationId };
        return TypedResults.Ok(ToDto(s));
    }

    private static async Task<Results<Ok<CaseSettingsSaved>, ValidationProblem, ProblemHttpResult>> PutSettings(CaseSettingsInput input, OtklikDb db, TenantContext tenant, CancellationToken ct)
    {
        if (!await db.Organizations.AnyAsync(ct)) return Problem.NotFound("Organization");
        var url = string.IsNullOrWhiteSpace(input.MessagingWebhookUrl) ? null : input.MessagingWebhookUrl.Trim();
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
            return Problem.Invalid("messagingWebhookUrl", "Give an absolute http(s) URL.");
        var s = await db.CaseSettings.FirstOrDefaultAsync(ct);
        if (s is null) db.CaseSettings.Add(s = new CaseSettings { OrganizationId = tenant.OrganizationId });
        s.UnqualifiedMinutes = input.UnqualifiedMinutes;
        s.NotWorthAttentionMinutes = input.NotWorthAttentionMinutes;
        s.NeedsReactionMinutes = input.NeedsReactionMinutes;
        s.ConsumerTerrorismMinutes = input.ConsumerTerrorismMinutes;
        string? secret = null;
        if (url != s.MessagingWebhookUrl)
        {
            s.MessagingWebhookUrl = url;
            s.MessagingWebhookSecret = url is null ? null : secret = WebhookSender.NewSecret();
        }
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new CaseSettingsSaved(ToDto(s), secret));
    }

    private static async Task<Results<Ok<CaseRuleDto>, ProblemHttpResult>> GetRule(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.Locations.AsNoTracking().Where(l => l.Id == id).Select(l => new CaseRuleDto(l.Id, l.OpenCaseOnRedPress)).FirstOrDefaultAsync(ct) is { } r
            ? TypedResults.Ok(r) : Problem.NotFound("Location");

    private static async Task<Results<Ok<CaseRuleDto>, ProblemHttpResult>> PutRule(Guid id, CaseRuleInput input, OtklikDb db, CancellationToken ct)
    {
        var location = await db.Locations.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (location is null) return Problem.NotFound("Location");
        location.OpenCaseOnRedPress = input.OpenCaseOnRedPress!.Value;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new CaseRuleDto(location.Id, location.OpenCaseOnRedPress));
    }

    public sealed record FollowUpRow(Guid Id, string Name, int Sent, int Answered, int Solved, int NotSolved);

    public sealed record FollowUpReportDto(IReadOnlyList<FollowUpRow> Locations, IReadOnlyList<FollowUpRow> Staff);

    /// <summary>"Was your problem solved?" answers per location and per employee involved, for cases closed in the period.</summary>
    private static async Task<Ok<FollowUpReportDto>> FollowUpReport(OtklikDb db, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
        TypedResults.Ok(await FollowUpReportAsync(db, from, to, ct));

    public static async Task<FollowUpReportDto> FollowUpReportAsync(OtklikDb db, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var q = db.Cases.AsNoTracking().Where(c => c.FollowUpToken != null);
        if (from is { } f) q = q.Where(c => c.ClosedAt >= f);
        if (to is { } t) q = q.Where(c => c.ClosedAt < t);
        var rows = await q.Select(c => new { c.LocationId, c.StaffMemberId, c.FollowUpSolved }).ToListAsync(ct);
        var locations = await db.Locations.AsNoTracking().ToDictionaryAsync(l => l.Id, l => l.Name, ct);
        var staff = await db.StaffMembers.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        FollowUpRow Row(Guid id, string name, IEnumerable<bool?> answers)
        {
            var list = answers.ToList();
            return new FollowUpRow(id, name, list.Count, list.Count(a => a is not null), list.Count(a => a == true), list.Count(a => a == false));
        }
        return new FollowUpReportDto(
            rows.GroupBy(r => r.LocationId).Select(g => Row(g.Key, locations.GetValueOrDefault(g.Key) ?? "?", g.Select(x => x.FollowUpSolved))).OrderBy(r => r.Name).ToList(),
            rows.Where(r => r.StaffMemberId is not null).GroupBy(r => r.StaffMemberId!.Value)
                .Select(g => Row(g.Key, staff.GetValueOrDefault(g.Key) ?? "?", g.Select(x => x.FollowUpSolved))).OrderBy(r => r.Name).ToList());
    }
}
