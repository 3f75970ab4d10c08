using System.Text.Encodings.Web;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Cases;

/// <summary>
/// The one-question follow-up after a case is closed: <c>/c/{token}</c> asks "was your problem solved?" with two buttons.
/// Plain HTML, no script; the token is the only key (24 random bytes), and the first answer counts.
/// </summary>
public static class CaseFollowUp
{
    public static IEndpointRouteBuilder MapCaseFollowUp(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/c/{token}", (string token, HttpContext http, CancellationToken ct) => PageAsync(token, null, http, ct)).AllowAnonymous();
        routes.MapPost("/c/{token}", async (string token, HttpContext http, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormAsync(ct);
            bool? answer = form["answer"].ToString() switch { "yes" => true, "no" => false, _ => null };
            return await PageAsync(token, answer, http, ct);
        }).AllowAnonymous().DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> PageAsync(string token, bool? answer, HttpContext http, CancellationToken ct)
    {
        var services = http.RequestServices;
        services.GetRequiredService<TenantContext>().SetSystem();
        var db = services.GetRequiredService<OtklikDb>();
        var time = services.GetRequiredService<TimeProvider>();
        var c = token.Length is > 10 and <= 64 ? await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.FollowUpToken == token, ct) : null;
        if (c is null) return Html("en", "Page not found", "<h1>Page not found</h1><p>Check the link.</p>", StatusCodes.Status404NotFound);
        var lang = await db.Organizations.AsNoTracking().Where(o => o.Id == c.OrganizationId).Select(o => o.Language).FirstAsync(ct);
        var location = await db.Locations.AsNoTracking().Where(l => l.Id == c.LocationId).Select(l => l.Name).FirstAsync(ct);
        var ru = lang == "ru";
        if (answer is { } solved && c.FollowUpSolved is null)
        {
            var now = time.GetUtcNow();
            var won = await db.Cases.Where(x => x.Id == c.Id && x.FollowUpSolved == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.FollowUpSolved, solved).SetProperty(x => x.FollowUpAnsweredAt, now), ct);
            if (won == 1)
            {
                db.CaseEvents.Add(new CaseEvent
                {
                    OrganizationId = c.OrganizationId, LocationId = c.LocationId, CaseId = c.Id, Kind = CaseEventKind.FollowUpAnswered, At = now,
                    By = ru ? "Клиент" : "Customer", Text = solved ? "yes" : "no", StaffMemberId = c.StaffMemberId,
                });
                await db.SaveChangesAsync(ct);
            }
            c.FollowUpSolved = solved;
        }
        var place = $"<p class=\"place\">{HtmlEncoder.Default.Encode(location)}</p>";
        if (c.FollowUpSolved is not null)
            return Html(lang, ru ? "Спасибо" : "Thank you",
                place + $"<h1 id=\"followup-thanks\">{(ru ? "Спасибо за ответ!" : "Thank you for your answer!")}</h1>");
        var body = place + $"""
            <h1>{(ru ? "Удалось ли решить вашу проблему?" : "Was your problem solved?")}</h1>
            <form method="post" action="/c/{HtmlEncoder.Default.Encode(token)}">
            <nav class="moods">
            <button class="mood good" type="submit" name="answer" value="yes" id="followup-yes">{(ru ? "Да" : "Yes")}</button>
            <button class="mood bad" type="submit" name="answer" value="no" id="followup-no">{(ru ? "Нет" : "No")}</button>
            </nav>
            </form>
            """;
        return Html(lang, ru ? "Ваша проблема решена?" : "Was your problem solved?", body);
    }

    private static IResult Html(string lang, string title, string body, int status = StatusCodes.Status200OK) => Results.Content($"""
        <!DOCTYPE html>
        <html lang="{lang}"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" /><title>{HtmlEncoder.Default.Encode(title)}</title><link rel="stylesheet" href="/f.css" /></head>
        <body><main>{body}</main></body></html>
        """, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
}
