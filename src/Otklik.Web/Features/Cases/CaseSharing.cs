using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Cases;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Cases;

public sealed record ShareInput([property: Required] Guid? StaffMemberId, [property: StringLength(Limits.LongText)] string? Agreement);

public sealed record ShareDto(Guid Id, Guid CaseId, Guid StaffMemberId, string? Agreement, DateTimeOffset SharedAt, DateTimeOffset? ConfirmedAt, string StaffLink);

public sealed record StaffLinkDto(Guid StaffMemberId, string Url);

/// <summary>The steps a manager follows when talking a complaint through with the employee involved.</summary>
public enum TalkStep
{
    ShowFeedback,
    PraisePastResults,
    PointAtComplaint,
    AskWhy,
    AgreeHowToAct,
    Confirm,
}

/// <summary>
/// Telling the staff: a case is shared with the employee involved, who sees it on a phone page behind a personal,
/// unguessable link (/s/{token}; staff need no account) and confirms they read it — recorded in the case's timeline.
/// </summary>
public static class CaseSharing
{
    public static IReadOnlyList<TalkStep> Script { get; } = Enum.GetValues<TalkStep>();

    public static IEndpointRouteBuilder MapCaseSharing(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/cases/{id:guid}/share", Share).WithTags("Cases").RequireAuthorization(Policies.Operate);
        routes.MapPost("/api/v1/staff/{id:guid}/case-link", Link).WithTags("Cases").RequireAuthorization(Policies.Operate);
        routes.MapGet("/s/{token}", (string token, HttpContext http, CancellationToken ct) => StaffPageAsync(token, null, http, ct)).AllowAnonymous();
        routes.MapPost("/s/{token}", async (string token, HttpContext http, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormAsync(ct);
            return await StaffPageAsync(token, Guid.TryParse(form["share"], out var s) ? s : null, http, ct);
        }).AllowAnonymous().DisableAntiforgery();
        return routes;
    }

    /// <summary>The employee's personal link, made on first use.</summary>
    public static async Task<string?> LinkTokenAsync(OtklikDb db, Guid staffMemberId, DateTimeOffset now, CancellationToken ct)
    {
        var staff = await db.StaffMembers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == staffMemberId, ct);
        if (staff is null) return null;
        var link = await db.StaffLinks.AsNoTracking().FirstOrDefaultAsync(l => l.StaffMemberId == staffMemberId, ct);
        if (link is not null) return link.Token;
        var token = CaseService.NewToken();
        db.StaffLinks.Add(new StaffLink { StaffMemberId = staff.Id, OrganizationId = staff.OrganizationId, LocationId = staff.LocationId, Token = token, CreatedAt = now });
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>Shares (or re-shares with a new agreement) a case with an employee; the timeline records it.</summary>
    public static async Task<CaseShare?> ShareAsync(OtklikDb db, TenantContext tenant, Guid caseId, Guid staffMemberId, string? agreement, DateTimeOffset now, CancellationToken ct)
    {
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == caseId, ct);
        var staff = await db.StaffMembers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == staffMemberId, ct);
        if (c is null || staff is null) return null;
        await LinkTokenAsync(db, staffMemberId, now, ct);
        var text = string.IsNullOrWhiteSpace(agreement) ? null : agreement.Trim();
        var share = await db.CaseShares.FirstOrDefaultAsync(s => s.CaseId == caseId && s.StaffMemberId == staffMemberId, ct);
        if (share is null)
            db.CaseShares.Add(share = new CaseShare { OrganizationId = c.OrganizationId, LocationId = c.LocationId, CaseId = c.Id, StaffMemberId = staff.Id });
        share.Agreement = text;
        share.SharedAt = now;
        share.ConfirmedAt = null;
        var by = tenant.UserId is { } u
            ? await db.Users.AsNoTracking().Where(x => x.Id == u && x.OrganizationId == tenant.OrganizationId).Select(x => x.DisplayName ?? x.Email).FirstOrDefaultAsync(ct)
            : null;
        db.CaseEvents.Add(new CaseEvent
        {
            OrganizationId = c.OrganizationId, LocationId = c.LocationId, CaseId = c.Id, Kind = CaseEventKind.SharedWithStaff, At = now, ByUserId = tenant.UserId, By = by,
            StaffMemberId = staff.Id, Text = text is null ? staff.Name : staff.Name + ": " + text,
        });
        await db.SaveChangesAsync(ct);
        return share;
    }

    private static async Task<Results<Ok<ShareDto>, ValidationProblem, ProblemHttpResult>> Share(Guid id, ShareInput input, OtklikDb db, TenantContext tenant, TimeProvider time,
        HttpContext http, CancellationToken ct)
    {
        if (!await db.Cases.AnyAsync(c => c.Id == id, ct)) return Problem.NotFound("Case");
        if (!await db.StaffMembers.AnyAsync(s => s.Id == input.StaffMemberId, ct)) return Problem.Invalid("staffMemberId", "No such employee.");
        var share = await ShareAsync(db, tenant, id, input.StaffMemberId!.Value, input.Agreement, time.GetUtcNow(), ct);
        var token = await db.StaffLinks.AsNoTracking().Where(l => l.StaffMemberId == share!.StaffMemberId).Select(l => l.Token).FirstAsync(ct);
        return TypedResults.Ok(new ShareDto(share!.Id, share.CaseId, share.StaffMemberId, share.Agreement, share.SharedAt, share.ConfirmedAt, $"{BaseUrl(http)}/s/{token}"));
    }

    private static async Task<Results<Ok<StaffLinkDto>, ProblemHttpResult>> Link(Guid id, OtklikDb db, TimeProvider time, HttpContext http, CancellationToken ct) =>
        await LinkTokenAsync(db, id, time.GetUtcNow(), ct) is { } token
            ? TypedResults.Ok(new StaffLinkDto(id, $"{BaseUrl(http)}/s/{token}"))
            : Problem.NotFound("Staff member");

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    /// <summary>The employee's phone page: cases shared with them, newest first, each with a "I have read it" button.</summary>
    private static async Task<IResult> StaffPageAsync(string token, Guid? confirm, HttpContext http, CancellationToken ct)
    {
        var services = http.RequestServices;
        services.GetRequiredService<TenantContext>().SetSystem();
        var db = services.GetRequiredService<OtklikDb>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var link = token.Length is > 10 and <= 64 ? await db.StaffLinks.AsNoTracking().FirstOrDefaultAsync(l => l.Token == token, ct) : null;
        if (link is null) return Results.Content(Page("en", "Not found", "<h1>Page not found</h1>"), "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status404NotFound);
        var staff = await db.StaffMembers.AsNoTracking().FirstAsync(s => s.Id == link.StaffMemberId, ct);
        var lang = await db.Organizations.AsNoTracking().Where(o => o.Id == link.OrganizationId).Select(o => o.Language).FirstAsync(ct);
        var ru = lang == "ru";
        if (confirm is { } shareId)
        {
            var share = await db.CaseShares.FirstOrDefaultAsync(s => s.Id == shareId && s.StaffMemberId == staff.Id && s.ConfirmedAt == null, ct);
            if (share is not null)
            {
                share.ConfirmedAt = now;
                db.CaseEvents.Add(new CaseEvent
                {
                    OrganizationId = share.OrganizationId, LocationId = share.LocationId, CaseId = share.CaseId, Kind = CaseEventKind.StaffConfirmed, At = now,
                    By = staff.Name, StaffMemberId = staff.Id,
                });
                await db.SaveChangesAsync(ct);
            }
        }
        var shares = await db.CaseShares.AsNoTracking().Where(s => s.StaffMemberId == staff.Id).OrderByDescending(s => s.SharedAt).Take(50)
            .Join(db.Cases, s => s.CaseId, c => c.Id, (s, c) => new { s.Id, s.Agreement, s.SharedAt, s.ConfirmedAt, c.Summary, c.FeedbackId }).ToListAsync(ct);
        var feedbackIds = shares.Where(s => s.FeedbackId != null).Select(s => s.FeedbackId!.Value).ToList();
        var texts = await db.Feedback.AsNoTracking().Where(f => feedbackIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.Text, ct);
        var h = HtmlEncoder.Default;
        var sb = new StringBuilder();
        sb.Append(ru ? "<h1>Отзывы для вас, " : "<h1>Feedback for you, ").Append(h.Encode(staff.Name)).Append("</h1>");
        if (shares.Count == 0) sb.Append(ru ? "<p id=\"no-shares\">Пока ничего нет.</p>" : "<p id=\"no-shares\">Nothing yet.</p>");
        foreach (var s in shares)
        {
            var text = s.FeedbackId is { } fid ? texts.GetValueOrDefault(fid) : null;
            sb.Append("<section class=\"share\" data-share=\"").Append(s.Id).Append("\">");
            sb.Append("<blockquote>").Append(h.Encode(text ?? s.Summary)).Append("</blockquote>");
            if (s.Agreement is not null)
                sb.Append("<p><b>").Append(ru ? "Договорились: " : "We agreed: ").Append("</b>").Append(h.Encode(s.Agreement)).Append("</p>");
            if (s.ConfirmedAt is null)
                sb.Append("<form method=\"post\"><input type=\"hidden\" name=\"share\" value=\"").Append(s.Id).Append("\" /><button type=\"submit\" class=\"confirm\">")
                    .Append(ru ? "Я прочитал(а)" : "I have read it").Append("</button></form>");
            else sb.Append("<p class=\"note confirmed\">").Append(ru ? "Прочитано ✓" : "Read ✓").Append("</p>");
            sb.Append("</section>");
        }
        return Results.Content(Page(lang, staff.Name, sb.ToString()), "text/html; charset=utf-8", Encoding.UTF8);
    }

    private static string Page(string lang, string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="{lang}"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" /><title>{HtmlEncoder.Default.Encode(title)}</title><link rel="stylesheet" href="/f.css" /></head>
        <body><main>{body}</main></body></html>
        """;
}
