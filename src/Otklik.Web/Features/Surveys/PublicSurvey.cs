using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Surveys.Pages;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Surveys;

public enum SurveyStep
{
    Form,
    Thanks,
    Declined,
    Closed,
    NotFound,
}

public sealed record PublicQuestion(Guid Id, string Text);

/// <summary>Everything the public survey page shows; filled by <see cref="PublicSurvey"/>, rendered by <see cref="SurveyPage"/>.</summary>
public sealed class PublicSurveyModel
{
    public SurveyStep Step { get; set; }
    public string Language { get; set; } = "ru";
    public string Path { get; set; } = "";
    public string LocationName { get; set; } = "";
    public KeyQuestionKind KeyKind { get; set; }
    public string KeyText { get; set; } = "";
    public IReadOnlyList<PublicQuestion> Questions { get; set; } = [];
    public string Token { get; set; } = "";
    public string? Invitation { get; set; }
    public bool Kiosk { get; set; }
    /// <summary>Field name → error code, shown next to the field.</summary>
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);
    public int? KeyScore { get; set; }
    public Dictionary<Guid, int> Answers { get; set; } = [];
    public string? Comment { get; set; }
}

/// <summary>
/// The customer's survey page <c>/s/{survey}/{locationSlug}</c> (survey slug or id): plain server-rendered HTML and a
/// form, no script, the same protection as the feedback page (signed fill-time stamp, honeypot, per-address and
/// per-location limits). <c>?kiosk=1</c> records the kiosk channel and returns to the start after thanking;
/// <c>?i={token}</c> is a one-time invitation link.
/// </summary>
public static class PublicSurvey
{
    public static IEndpointRouteBuilder MapPublicSurveys(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/s/{survey}/{location}", Show).AllowAnonymous().ExcludeFromDescription();
        routes.MapPost("/s/{survey}/{location}", Submit).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription()
            .RequireRateLimiting(FeedbackOptions.PublicFormPolicy)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(64 * 1024));
        return routes;
    }

    private static async Task<IResult> Show(string survey, string location, string? kiosk, string? i, HttpContext http, IServiceProvider services,
        TimeProvider time, FormTokens tokens, CancellationToken ct)
    {
        var language = PublicFeedback.LanguageOf(http);
        var loaded = await LoadAsync(services, survey, location, language, ct);
        if (loaded is null) return Render(http, new PublicSurveyModel { Step = SurveyStep.NotFound, Language = language }, StatusCodes.Status404NotFound);
        var (model, s, l) = loaded.Value;
        model.Kiosk = kiosk == "1";
        model.Invitation = string.IsNullOrEmpty(i) || i.Length > 64 ? null : i;
        if (!s.IsOpenAt(time.GetUtcNow())) { model.Step = SurveyStep.Closed; return Render(http, model, StatusCodes.Status200OK); }
        model.Token = tokens.Issue(l.Id);
        return Render(http, model, StatusCodes.Status200OK);
    }

    private static async Task<IResult> Submit(string survey, string location, HttpContext http, IServiceProvider services, FeedbackLimits limits,
        FormTokens tokens, TimeProvider time, CancellationToken ct)
    {
        var language = PublicFeedback.LanguageOf(http);
        if (!http.Request.HasFormContentType)
            return Render(http, new PublicSurveyModel { Step = SurveyStep.NotFound, Language = language }, StatusCodes.Status400BadRequest);
        var form = await http.Request.ReadFormAsync(ct);
        var loaded = await LoadAsync(services, survey, location, language, ct);
        if (loaded is null) return Render(http, new PublicSurveyModel { Step = SurveyStep.NotFound, Language = language }, StatusCodes.Status404NotFound);
        var (model, s, l) = loaded.Value;
        model.Kiosk = form["kiosk"].ToString() == "1";
        model.Invitation = form["i"].ToString() is { Length: > 0 and <= 64 } inv ? inv : null;
        model.Token = tokens.Issue(l.Id);
        if (!s.IsOpenAt(time.GetUtcNow())) { model.Step = SurveyStep.Closed; return Render(http, model, StatusCodes.Status400BadRequest); }

        var declined = form["action"].ToString() == "decline";
        var comment = form["comment"].ToString();
        model.Comment = comment;
        // Read what was posted; anything that is not a number in range or not a question of this survey is an error.
        int? key = null;
        var keyRaw = form["key"].ToString();
        if (keyRaw.Length > 0)
        {
            if (int.TryParse(keyRaw, NumberStyles.None, CultureInfo.InvariantCulture, out var k)) key = k;
            else model.Errors["key"] = "invalid";
        }
        var answers = new Dictionary<Guid, int>();
        var questionIds = model.Questions.Select(q => q.Id).ToHashSet();
        foreach (var (name, value) in form)
        {
            if (!name.StartsWith("q_", StringComparison.Ordinal) || value.ToString().Length == 0) continue;
            if (!Guid.TryParseExact(name[2..], "N", out var qid) || !questionIds.Contains(qid)
                || !int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var score) || score is < 1 or > 5)
            {
                model.Errors["form"] = "invalid";
                continue;
            }
            answers[qid] = score;
        }
        model.KeyScore = key;
        model.Answers = answers;

        // Bots: a filled hidden field, or a stamp that is missing, forged or too fresh. Nothing is stored.
        var check = tokens.Check(form["t"], l.Id);
        if (!string.IsNullOrEmpty(form[PublicFeedback.Honeypot]) || check != FormTokenCheck.Valid)
        {
            model.Errors["form"] = check == FormTokenCheck.TooFast ? "too-fast" : "expired";
            return Render(http, model, StatusCodes.Status400BadRequest);
        }
        if (!declined && key is null && !model.Errors.ContainsKey("key")) model.Errors["key"] = "required";
        if (model.Errors.Count > 0) return Render(http, model, StatusCodes.Status400BadRequest);

        if (limits.TryAcquire(l.Id) is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            model.Errors["form"] = "busy";
            return Render(http, model, StatusCodes.Status429TooManyRequests);
        }

        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetOrganization(s.OrganizationId);
        var intake = scope.ServiceProvider.GetRequiredService<SurveyIntake>();
        var result = await intake.SubmitAsync(new SurveySubmission(
            s.Id, l.Id, model.Kiosk ? SurveyChannel.Kiosk : SurveyChannel.Link, declined,
            declined ? null : key, declined ? new Dictionary<Guid, int>() : answers, comment, null, model.Invitation,
            http.Request.Headers.UserAgent.ToString()), ct);
        if (result.Errors is { } errors)
        {
            foreach (var (field, _) in errors.Fields)
                model.Errors[field switch { "keyScore" => "key", "comment" => "comment", "invitation" => "invitation", _ => "form" }] = "invalid";
            return Render(http, model, StatusCodes.Status400BadRequest);
        }
        model.Step = declined ? SurveyStep.Declined : SurveyStep.Thanks;
        return Render(http, model, StatusCodes.Status200OK);
    }

    /// <summary>Public pages have no tenant: the survey is found by its globally unique slug (or id) as the system.</summary>
    private static async Task<(PublicSurveyModel Model, Survey Survey, Location Location)?> LoadAsync(
        IServiceProvider services, string surveyKey, string locationSlug, string language, CancellationToken ct)
    {
        if (surveyKey.Length > Limits.Slug || locationSlug.Length > Limits.Slug) return null;
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var byId = Guid.TryParse(surveyKey, out var id);
        var survey = await db.Surveys.AsNoTracking().Include(s => s.Questions).Include(s => s.Locations).AsSplitQuery()
            .FirstOrDefaultAsync(s => byId ? s.Id == id : s.Slug == surveyKey, ct);
        if (survey is null) return null;
        var location = await db.Locations.AsNoTracking().FirstOrDefaultAsync(l => l.Slug == locationSlug && l.OrganizationId == survey.OrganizationId, ct);
        if (location is null || survey.Locations.All(l => l.LocationId != location.Id)) return null;
        return (new PublicSurveyModel
        {
            Step = SurveyStep.Form, Language = language, Path = SurveysApi.PagePath(survey, location), LocationName = location.Name,
            KeyKind = survey.KeyKind, KeyText = survey.KeyTextIn(language),
            Questions = survey.Questions.OrderBy(q => q.SortOrder).Select(q => new PublicQuestion(q.Id, q.TextIn(language))).ToList(),
        }, survey, location);
    }

    private static IResult Render(HttpContext http, PublicSurveyModel model, int status)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        return new CultureResult(new RazorComponentResult<SurveyPage>(new { Model = model }) { StatusCode = status }, model.Language);
    }

    private sealed class CultureResult(IResult inner, string language) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var culture = CultureInfo.GetCultureInfo(language);
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            await inner.ExecuteAsync(httpContext);
        }
    }
}
