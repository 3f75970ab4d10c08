using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Security;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Privacy;

public sealed record PersonInput(string? Email, string? Phone);

public sealed record RetentionDto(int? ContactMonths, int? AttachmentMonths, int? FreeTextMonths);

public sealed record RetentionRunDto(Guid Id, DateTimeOffset At, int ContactsCleared, int AttachmentsDeleted, int TextsCleared, int SurveyContactsCleared, int SurveyCommentsCleared);

public sealed record ConsentVersionDto(int Version, string Text, bool IsDefault, DateTimeOffset CreatedAt);

/// <summary>Data requests of customers (find, export, erase), retention settings and the consent texts; owners only.</summary>
public static class PrivacyApi
{
    public const int MaxMonths = 120;

    public static IEndpointRouteBuilder MapPrivacy(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/privacy").WithTags("Privacy").RequireAuthorization(Policies.Admin);
        api.MapGet("/person", Find)
            .WithSummary("What the organization holds about a person, found by e-mail and/or phone (digits compared); 404 when nothing. Audited.");
        api.MapGet("/person/export", Export)
            .WithSummary("A ZIP with person.json (feedback, contacts with their consent, cases and timelines, survey invitations and answers) and the photos and voice notes. Audited.");
        api.MapPost("/person/erase", Erase)
            .WithSummary("Erases the person: contacts, free text, messages, attachments (files deleted). The anonymous signal stays, so metrics do not change. Audited with counts only.");
        api.MapGet("/retention", GetRetention);
        api.MapPut("/retention", PutRetention)
            .WithSummary("Months to keep contacts, attachments and free text (null: until erased by hand); the retention job applies them hourly.");
        api.MapGet("/retention/runs", Runs).WithSummary("What the retention job removed, newest first.");
        api.MapGet("/consents", Consents).WithSummary("Every version of the consent text customers may have agreed to.");
        return routes;
    }

    private static async Task<Results<Ok<PersonSummary>, ValidationProblem, ProblemHttpResult>> Find(string? email, string? phone, PersonRequests requests, CancellationToken ct)
    {
        var (key, errors) = PersonKey.Parse(email, phone);
        if (key is null) return errors.ToProblem();
        return await requests.SummaryAsync(key, ct) is { } summary ? TypedResults.Ok(summary) : Problem.NotFound("Data about this person");
    }

    private static async Task<IResult> Export(string? email, string? phone, PersonRequests requests, CancellationToken ct)
    {
        var (key, errors) = PersonKey.Parse(email, phone);
        if (key is null) return errors.ToProblem();
        // Built in memory (attachments are at most a few MB each) so a failure is a clean error, not half a file.
        var buffer = new MemoryStream();
        if (!await requests.ExportAsync(key, buffer, ct)) return Problem.NotFound("Data about this person");
        buffer.Position = 0;
        return TypedResults.File(buffer, "application/zip", $"person-{DateTime.UtcNow:yyyyMMdd}.zip");
    }

    private static async Task<Results<Ok<PersonErased>, ValidationProblem, ProblemHttpResult>> Erase(PersonInput input, PersonRequests requests, CancellationToken ct)
    {
        var (key, errors) = PersonKey.Parse(input.Email, input.Phone);
        if (key is null) return errors.ToProblem();
        return await requests.EraseAsync(key, ct) is { } erased ? TypedResults.Ok(erased) : Problem.NotFound("Data about this person");
    }

    private static async Task<Ok<RetentionDto>> GetRetention(OtklikDb db, CancellationToken ct)
    {
        var p = await db.RetentionPolicies.AsNoTracking().FirstOrDefaultAsync(ct);
        return TypedResults.Ok(new RetentionDto(p?.ContactMonths, p?.AttachmentMonths, p?.FreeTextMonths));
    }

    private static async Task<Results<Ok<RetentionDto>, ValidationProblem>> PutRetention(RetentionDto input, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var errors = new Errors();
        foreach (var (field, value) in new[] { ("contactMonths", input.ContactMonths), ("attachmentMonths", input.AttachmentMonths), ("freeTextMonths", input.FreeTextMonths) })
            errors.Check(value is null or (>= 1 and <= MaxMonths), field, $"Give 1 to {MaxMonths} months, or nothing to keep until erased by hand.");
        if (errors.Any) return errors.ToProblem();
        await SaveRetentionAsync(db, input, time.GetUtcNow(), ct);
        return TypedResults.Ok(input);
    }

    public static async Task SaveRetentionAsync(OtklikDb db, RetentionDto input, DateTimeOffset now, CancellationToken ct)
    {
        var p = await db.RetentionPolicies.FirstOrDefaultAsync(ct);
        if (p is null) db.RetentionPolicies.Add(p = new RetentionPolicy { OrganizationId = db.Tenant.OrganizationId });
        (p.ContactMonths, p.AttachmentMonths, p.FreeTextMonths, p.UpdatedAt) = (input.ContactMonths, input.AttachmentMonths, input.FreeTextMonths, now);
        db.Record(PrivacyAudit.RetentionChanged, "organization", db.Tenant.OrganizationId,
            $"contacts: {Months(input.ContactMonths)}, attachments: {Months(input.AttachmentMonths)}, free text: {Months(input.FreeTextMonths)}");
        await db.SaveChangesAsync(ct);
    }

    private static string Months(int? m) => m is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) + " months" : "kept";

    private static async Task<Ok<List<RetentionRunDto>>> Runs(OtklikDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.RetentionRuns.AsNoTracking().OrderByDescending(r => r.At).Take(100)
            .Select(r => new RetentionRunDto(r.Id, r.At, r.ContactsCleared, r.AttachmentsDeleted, r.TextsCleared, r.SurveyContactsCleared, r.SurveyCommentsCleared))
            .ToListAsync(ct));

    private static async Task<Ok<List<ConsentVersionDto>>> Consents(OtklikDb db, CancellationToken ct)
    {
        var language = await db.Organizations.AsNoTracking().Select(o => o.Language).FirstOrDefaultAsync(ct) ?? "en";
        return TypedResults.Ok((await ConsentHistory.VersionsAsync(db, ct))
            .Select(v => new ConsentVersionDto(v.Version, Feedback.ConsentTexts.Effective(v.Text, language), v.Text is null, v.CreatedAt)).ToList());
    }
}
