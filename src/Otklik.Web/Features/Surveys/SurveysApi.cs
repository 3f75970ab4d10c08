using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Surveys;

public sealed record SurveyQuestionDto(Guid Id, int SortOrder, string TextRu, string TextEn, Guid? ReasonId, Servqual? Dimension);

public sealed record SurveyDto(
    Guid Id, string Name, string Slug, KeyQuestionKind KeyKind, string KeyTextRu, string KeyTextEn, bool Active,
    DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, int InvitationDelayHours, Guid? InvitationChannelId,
    IReadOnlyList<Guid> LocationIds, IReadOnlyList<SurveyQuestionDto> Questions, DateTimeOffset CreatedAt);

/// <param name="Id">An existing question to keep (its answers stay); null for a new question.</param>
public sealed record SurveyQuestionInput(
    Guid? Id,
    [property: StringLength(Limits.Text)] string? TextRu,
    [property: StringLength(Limits.Text)] string? TextEn,
    Guid? ReasonId,
    Servqual? Dimension);

public sealed record SurveyInput(
    [property: StringLength(Limits.Name)] string? Name,
    [property: StringLength(Limits.Slug)] string? Slug,
    KeyQuestionKind KeyKind,
    [property: StringLength(Limits.Text)] string? KeyTextRu,
    [property: StringLength(Limits.Text)] string? KeyTextEn,
    bool? Active,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    int? InvitationDelayHours,
    Guid? InvitationChannelId,
    [property: MaxLength(1000)] List<Guid>? LocationIds,
    [property: MaxLength(SurveysApi.MaxQuestions)] List<SurveyQuestionInput>? Questions);

/// <summary>An interviewer's (or a script's) record of one customer: answers, or a refusal.</summary>
public sealed record SurveyResponseInput(
    Guid LocationId,
    SurveyChannel? Channel,
    bool Declined,
    int? KeyScore,
    [property: MaxLength(SurveyIntake.MaxAnswers)] Dictionary<Guid, int>? Answers,
    [property: StringLength(Limits.LongText)] string? Comment);

public sealed record SurveyResponseCreated(Guid Id, bool Declined);

/// <summary>A customer to invite: e-mail, or a phone for the survey's webhook channel (an SMS gateway).</summary>
public sealed record InvitationInput(
    Guid LocationId,
    [property: StringLength(Limits.Email)] string? Email,
    [property: StringLength(Limits.Phone)] string? Phone,
    DateTimeOffset VisitedAt);

public sealed record InvitationDto(Guid Id, Guid SurveyId, Guid LocationId, DateTimeOffset VisitedAt, DateTimeOffset DueAt, string Link);

/// <summary>Surveys: CRUD (managers), results, interviewer records and invitations.</summary>
public static class SurveysApi
{
    public const int MaxQuestions = 30;
    public const int MinInvitationDelayHours = 12;
    public const int MaxInvitationDelayHours = 72;

    public static IEndpointRouteBuilder MapSurveys(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/surveys").WithTags("Surveys");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read);
        api.MapPost("/", Create).RequireAuthorization(Policies.Manage);
        api.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.Manage);
        api.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Manage);
        api.MapGet("/{id:guid}/results", GetResults).RequireAuthorization(Policies.Read);
        api.MapPost("/{id:guid}/responses", Record).RequireAuthorization(Policies.Operate);
        api.MapPost("/{id:guid}/invitations", Invite).RequireAuthorization(Policies.Operate);
        return routes;
    }

    private static async Task<Ok<List<SurveyDto>>> List(OtklikDb db, CancellationToken ct)
    {
        var surveys = await Load(db).OrderByDescending(s => s.CreatedAt).ToListAsync(ct);
        var visible = await VisibleLocationsAsync(db, ct);
        return TypedResults.Ok(surveys.Select(s => ToDto(s, visible)).ToList());
    }

    private static async Task<Results<Ok<SurveyDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, CancellationToken ct) =>
        await Load(db).FirstOrDefaultAsync(s => s.Id == id, ct) is { } s
            ? TypedResults.Ok(ToDto(s, await VisibleLocationsAsync(db, ct)))
            : Problem.NotFound("Survey");

    private static async Task<Results<Created<SurveyDto>, ValidationProblem>> Create(SurveyInput input, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var survey = new Survey { Name = "", Slug = "", KeyTextRu = "", KeyTextEn = "", CreatedAt = time.GetUtcNow() };
        var errors = await ApplyAsync(db, survey, input, ct);
        if (errors.Any) return errors.ToProblem();
        db.Surveys.Add(survey);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/surveys/{survey.Id}", ToDto(survey, await VisibleLocationsAsync(db, ct)));
    }

    private static async Task<Results<Ok<SurveyDto>, ValidationProblem, ProblemHttpResult>> Update(Guid id, SurveyInput input, OtklikDb db, CancellationToken ct)
    {
        var survey = await db.Surveys.Include(s => s.Questions).Include(s => s.Locations).AsSplitQuery().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (survey is null) return Problem.NotFound("Survey");
        var errors = await ApplyAsync(db, survey, input, ct);
        if (errors.Any) return errors.ToProblem();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(survey, await VisibleLocationsAsync(db, ct)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, OtklikDb db, CancellationToken ct)
    {
        var survey = await db.Surveys.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (survey is null) return Problem.NotFound("Survey");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Answers point at questions with Restrict; remove them with their responses first.
        await db.SurveyAnswers.Where(a => db.SurveyResponses.IgnoreQueryFilters().Any(r => r.Id == a.ResponseId && r.SurveyId == id && r.OrganizationId == survey.OrganizationId))
            .ExecuteDeleteAsync(ct);
        db.Surveys.Remove(survey);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<SurveyResultsDto>, ValidationProblem, ProblemHttpResult>> GetResults(
        Guid id, Guid? locationId, DateTimeOffset? from, DateTimeOffset? to, OtklikDb db, CancellationToken ct)
    {
        var survey = await Load(db).FirstOrDefaultAsync(s => s.Id == id, ct);
        if (survey is null) return Problem.NotFound("Survey");
        if (locationId is { } l && !await db.Locations.AnyAsync(x => x.Id == l, ct)) return Problem.NotFound("Location");
        if (from is { } f && to is { } t && t <= f) return Problem.Invalid("to", "The end must be after the start.");
        return TypedResults.Ok(await SurveyResults.ComputeAsync(db, survey, locationId, from, to, ct));
    }

    private static async Task<Results<Created<SurveyResponseCreated>, ValidationProblem, ProblemHttpResult>> Record(
        Guid id, SurveyResponseInput input, OtklikDb db, SurveyIntake intake, TenantContext tenant, CancellationToken ct)
    {
        if (!await db.Surveys.AnyAsync(s => s.Id == id, ct)) return Problem.NotFound("Survey");
        var result = await intake.SubmitAsync(new SurveySubmission(
            id, input.LocationId, input.Channel ?? SurveyChannel.Interviewer, input.Declined, input.KeyScore, input.Answers ?? new Dictionary<Guid, int>(), input.Comment,
            tenant.UserId), ct);
        if (result.Errors is { } errors) return errors.ToProblem();
        return TypedResults.Created($"/api/v1/surveys/{id}/responses/{result.Response!.Id}", new SurveyResponseCreated(result.Response.Id, result.Response.Declined));
    }

    private static async Task<Results<Created<InvitationDto>, ValidationProblem, ProblemHttpResult>> Invite(
        Guid id, InvitationInput input, OtklikDb db, TimeProvider time, IOptions<SurveyOptions> options, HttpContext http, CancellationToken ct)
    {
        var survey = await Load(db).FirstOrDefaultAsync(s => s.Id == id, ct);
        if (survey is null) return Problem.NotFound("Survey");
        var errors = new Errors();
        var email = string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim();
        var phone = string.IsNullOrWhiteSpace(input.Phone) ? null : input.Phone.Trim();
        errors.Check(email is null || FeedbackIntake.IsEmail(email), "email", "Give an e-mail address such as name@example.com.");
        errors.Check(phone is null || FeedbackIntake.IsPhone(phone), "phone", "Give a phone number of 5–20 digits.");
        errors.Check(email is not null || phone is not null, "email", "Give an e-mail address or a phone number.");
        errors.Check(email is not null || survey.InvitationChannelId is not null, "phone", "This survey has no invitation channel for phone numbers; give an e-mail address.");
        var location = await db.Locations.AsNoTracking().FirstOrDefaultAsync(l => l.Id == input.LocationId, ct);
        errors.Check(location is not null && survey.Locations.Any(l => l.LocationId == input.LocationId), "locationId", "The survey does not run at this location.");
        var now = time.GetUtcNow();
        errors.Check(input.VisitedAt <= now.AddMinutes(5) && input.VisitedAt > now.AddDays(-30), "visitedAt", "The visit must be within the last 30 days.");
        if (errors.Any) return errors.ToProblem();

        var invitation = new SurveyInvitation
        {
            OrganizationId = survey.OrganizationId, LocationId = location!.Id, SurveyId = survey.Id, ContactEmail = email, ContactPhone = phone,
            VisitedAt = input.VisitedAt, DueAt = input.VisitedAt.AddHours(survey.InvitationDelayHours), Token = NewToken(),
            LinkBase = BaseUrl(options.Value, http), CreatedAt = now,
        };
        db.SurveyInvitations.Add(invitation);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/surveys/{id}/invitations/{invitation.Id}",
            new InvitationDto(invitation.Id, survey.Id, location.Id, invitation.VisitedAt, invitation.DueAt, LinkOf(invitation, survey, location)));
    }

    /// <summary>The public page of a survey at a location, relative to the site root.</summary>
    public static string PagePath(Survey survey, Location location) => $"/s/{Uri.EscapeDataString(survey.Slug)}/{Uri.EscapeDataString(location.Slug)}";

    public static string LinkOf(SurveyInvitation invitation, Survey survey, Location location) =>
        $"{invitation.LinkBase.TrimEnd('/')}{PagePath(survey, location)}?i={Uri.EscapeDataString(invitation.Token)}";

    private static string BaseUrl(SurveyOptions options, HttpContext http) =>
        !string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? options.PublicBaseUrl.TrimEnd('/') : $"{http.Request.Scheme}://{http.Request.Host}";

    private static string NewToken() => Secrets.NewToken("").Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal)[..32];

    internal static IQueryable<Survey> Load(OtklikDb db) =>
        db.Surveys.AsNoTracking().Include(s => s.Questions).Include(s => s.Locations).AsSplitQuery();

    /// <summary>Locations the caller may see; a location manager does not learn where else a survey runs.</summary>
    private static async Task<HashSet<Guid>> VisibleLocationsAsync(OtklikDb db, CancellationToken ct) =>
        [.. await db.Locations.AsNoTracking().Select(l => l.Id).ToListAsync(ct)];

    public static SurveyDto ToDto(Survey s, IReadOnlySet<Guid> visible) => new(
        s.Id, s.Name, s.Slug, s.KeyKind, s.KeyTextRu, s.KeyTextEn, s.Active, s.StartsAt, s.EndsAt, s.InvitationDelayHours, s.InvitationChannelId,
        s.Locations.Select(l => l.LocationId).Where(visible.Contains).Order().ToList(),
        s.Questions.OrderBy(q => q.SortOrder).Select(q => new SurveyQuestionDto(q.Id, q.SortOrder, q.TextRu, q.TextEn, q.ReasonId, q.Dimension)).ToList(),
        s.CreatedAt);

    /// <summary>Validates the input and applies it to a new or tracked survey; nothing is changed when there are errors.</summary>
    internal static async Task<Errors> ApplyAsync(OtklikDb db, Survey survey, SurveyInput input, CancellationToken ct)
    {
        var errors = new Errors();
        var name = input.Name?.Trim();
        errors.Check(!string.IsNullOrEmpty(name), "name", "Give the survey a name.");
        errors.Check(Enum.IsDefined(input.KeyKind), "keyKind", "Use Nps or Csat.");
        var keyRu = input.KeyTextRu?.Trim() ?? "";
        var keyEn = input.KeyTextEn?.Trim() ?? "";
        errors.Check(keyRu.Length > 0 || keyEn.Length > 0, "keyTextRu", "Write the key question in Russian or English.");
        var slug = input.Slug?.Trim();
        if (slug is not null)
        {
            if (!Slugs.IsValid(slug) || Guid.TryParse(slug, out _)) errors.Add("slug", "Use 3–80 lower-case latin letters, digits and dashes.");
            else if (await db.Surveys.IgnoreQueryFilters().AnyAsync(s => s.Slug == slug && s.Id != survey.Id, ct)) errors.Add("slug", "This address is taken.");
        }
        var delay = input.InvitationDelayHours ?? survey.InvitationDelayHours;
        errors.Check(delay is >= MinInvitationDelayHours and <= MaxInvitationDelayHours, "invitationDelayHours",
            $"Send invitations {MinInvitationDelayHours}–{MaxInvitationDelayHours} hours after the visit.");
        errors.Check(input.StartsAt is null || input.EndsAt is null || input.EndsAt > input.StartsAt, "endsAt", "The end must be after the start.");

        var locationIds = (input.LocationIds ?? []).Distinct().ToList();
        errors.Check(locationIds.Count > 0, "locationIds", "Choose at least one location.");
        if (locationIds.Count > 0 && await db.Locations.CountAsync(l => locationIds.Contains(l.Id), ct) != locationIds.Count)
            errors.Add("locationIds", "No such location.");
        if (input.InvitationChannelId is { } channelId
            && !await db.NotificationChannels.AnyAsync(c => c.Id == channelId && c.Kind == ChannelKind.Webhook, ct))
            errors.Add("invitationChannelId", "No such webhook channel.");

        var questions = input.Questions ?? [];
        var reasonIds = questions.Where(q => q.ReasonId is not null).Select(q => q.ReasonId!.Value).Distinct().ToList();
        var reasons = await db.Reasons.AsNoTracking().Where(r => reasonIds.Contains(r.Id)).Select(r => r.Id).ToListAsync(ct);
        for (var i = 0; i < questions.Count; i++)
        {
            var q = questions[i];
            if (q is null) { errors.Add($"questions[{i}]", "A question is missing."); continue; }
            errors.Check(!string.IsNullOrWhiteSpace(q.TextRu) || !string.IsNullOrWhiteSpace(q.TextEn), $"questions[{i}].textRu", "Write the question in Russian or English.");
            errors.Check(q.ReasonId is not null || q.Dimension is not null, $"questions[{i}].reasonId", "Tie the factor to a reason or a SERVQUAL dimension.");
            errors.Check(q.ReasonId is null || reasons.Contains(q.ReasonId.Value), $"questions[{i}].reasonId", "No such reason.");
            errors.Check(q.Dimension is null || Enum.IsDefined(q.Dimension.Value), $"questions[{i}].dimension", "Unknown SERVQUAL dimension.");
            errors.Check(q.Id is null || survey.Questions.Any(x => x.Id == q.Id), $"questions[{i}].id", "No such question in this survey.");
        }
        var kept = questions.Where(q => q?.Id is not null).Select(q => q.Id!.Value).ToHashSet();
        var removed = survey.Questions.Where(q => !kept.Contains(q.Id)).Select(q => q.Id).ToList();
        if (removed.Count > 0 && await db.SurveyAnswers.AnyAsync(a => removed.Contains(a.QuestionId), ct))
            errors.Add("questions", "A question that already has answers cannot be removed; keep it (with its id) or make a new survey.");
        if (survey.Questions.Count > 0 && input.KeyKind != survey.KeyKind && await db.SurveyResponses.IgnoreQueryFilters().AnyAsync(r => r.SurveyId == survey.Id, ct))
            errors.Add("keyKind", "The key question's scale cannot change once there are responses.");
        if (errors.Any) return errors;

        survey.Name = name!;
        survey.Slug = slug ?? (survey.Slug.Length > 0 ? survey.Slug : Slugs.From(name!));
        survey.KeyKind = input.KeyKind;
        survey.KeyTextRu = keyRu;
        survey.KeyTextEn = keyEn;
        survey.Active = input.Active ?? survey.Active;
        survey.StartsAt = input.StartsAt;
        survey.EndsAt = input.EndsAt;
        survey.InvitationDelayHours = delay;
        survey.InvitationChannelId = input.InvitationChannelId;

        survey.Locations.RemoveAll(l => !locationIds.Contains(l.LocationId));
        foreach (var l in locationIds.Where(l => survey.Locations.All(x => x.LocationId != l)))
        {
            var link = new SurveyLocation { SurveyId = survey.Id, LocationId = l, OrganizationId = survey.OrganizationId };
            survey.Locations.Add(link);
            db.SurveyLocations.Add(link);
        }

        survey.Questions.RemoveAll(q => removed.Contains(q.Id));
        for (var i = 0; i < questions.Count; i++)
        {
            var input_ = questions[i];
            var q = input_.Id is { } qid ? survey.Questions.First(x => x.Id == qid) : null;
            if (q is null)
            {
                q = new SurveyQuestion { SurveyId = survey.Id, OrganizationId = survey.OrganizationId, TextRu = "", TextEn = "" };
                survey.Questions.Add(q);
                // Explicitly added: a new row with a client-made key found through a tracked survey would otherwise be taken for an update.
                db.SurveyQuestions.Add(q);
            }
            q.SortOrder = i;
            q.TextRu = input_.TextRu?.Trim() ?? "";
            q.TextEn = input_.TextEn?.Trim() ?? "";
            q.ReasonId = input_.ReasonId;
            q.Dimension = input_.Dimension;
        }
        return errors;
    }
}
