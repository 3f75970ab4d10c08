using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Kiosk.Pages;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Kiosk;

/// <summary>Everything the kiosk page needs; the steps themselves run in /k/kiosk.js so they work offline.</summary>
public sealed class KioskPageModel
{
    public bool Found { get; init; } = true;
    public string Language { get; init; } = "ru";
    public string Slug { get; init; } = "";
    public string LocationName { get; init; } = "";
    public IReadOnlyList<ReasonOption> NegativeReasons { get; init; } = [];
    public IReadOnlyList<ReasonOption> PositiveReasons { get; init; } = [];
    public string Token { get; init; } = "";
    public string ConsentText { get; init; } = "";
    /// <summary>The version of <see cref="ConsentText"/>; the page sends it back, so a submission that waited offline records the text it showed.</summary>
    public int ConsentVersion { get; init; }
    public int ResetSeconds { get; init; } = 45;
}

/// <summary>
/// What the kiosk endpoint answers: the feedback's id (the client's own), whether it had been stored before, and the
/// parts dropped for want of consent ("contact", "photo").
/// </summary>
public sealed record KioskAccepted(Guid Id, bool Duplicate, bool ContactStored, IReadOnlyList<string> NotStored);

public sealed record KioskToken(string Token);

/// <summary>
/// The tablet terminal at the exit: <c>/k/{slug}</c>. A full-screen page with large buttons whose steps run in the
/// browser, an installable PWA (manifest and a service worker scoped to /k/) that keeps submissions in IndexedDB while
/// the network is down. Each submission carries an id made by the tablet, so a resend after a lost answer is stored once.
/// Submissions go through the same <see cref="FeedbackIntake"/>, limits, honeypot and form stamp as the QR page.
/// </summary>
public static class Kiosk
{
    public const string SubmitPath = "/api/v1/kiosk/{slug}/feedback";

    public static IEndpointRouteBuilder MapKiosk(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/k/{slug}", Show).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/k/{slug}/manifest.webmanifest", Manifest).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/k/{slug}/token", Token).AllowAnonymous().ExcludeFromDescription();
        routes.MapPost(SubmitPath, Submit).AllowAnonymous().DisableAntiforgery().WithTags("Kiosk")
            .WithSummary("Feedback from a kiosk (multipart form; anonymous, rate-limited, idempotent by the client's id)")
            .RequireRateLimiting(FeedbackOptions.PublicFormPolicy)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(ContentSniffer.PhotoMaxBytes * 2L));
        return routes;
    }

    private static async Task<IResult> Show(string slug, string? lang, HttpContext http, IServiceProvider services, IOptions<FeedbackOptions> options, CancellationToken ct)
    {
        var language = lang is "ru" or "en" ? lang : PublicFeedback.LanguageOf(http);
        var location = await FindAsync(services, slug, ct);
        if (location is null) return Render(http, new KioskPageModel { Found = false, Language = language, Slug = slug }, StatusCodes.Status404NotFound);

        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetOrganization(location.OrganizationId);
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var org = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == location.OrganizationId, ct);
        var reasons = await db.Reasons.AsNoTracking().Where(r => r.ArchivedAt == null).ToListAsync(ct);
        var byId = reasons.ToDictionary(r => r.Id);
        List<ReasonOption> Options(ReasonKind kind) => ReasonTree.Ordered(reasons.Where(r => r.Kind == kind))
            .Select(r => new ReasonOption(r.Id, r.NameIn(language), ReasonTree.Depth(r, byId))).ToList();
        var model = new KioskPageModel
        {
            Language = language, Slug = location.Slug, LocationName = location.Name,
            NegativeReasons = Options(ReasonKind.Negative), PositiveReasons = Options(ReasonKind.Positive),
            Token = scope.ServiceProvider.GetRequiredService<FormTokens>().Issue(location.Id),
            ConsentText = ConsentTexts.Effective(org.FeedbackConsentText, language), ConsentVersion = org.FeedbackConsentVersion,
            ResetSeconds = Math.Clamp(org.KioskResetSeconds ?? options.Value.KioskResetSeconds, 1, FeedbackSettingsInput.MaxKioskResetSeconds),
        };
        return Render(http, model, StatusCodes.Status200OK);
    }

    /// <summary>A fresh stamp for the next customer; the page asks for one when its own is getting old.</summary>
    private static async Task<Results<Ok<KioskToken>, ProblemHttpResult>> Token(string slug, HttpContext http, IServiceProvider services, FormTokens tokens, CancellationToken ct)
    {
        var location = await FindAsync(services, slug, ct);
        if (location is null) return Problem.NotFound("Location");
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new KioskToken(tokens.Issue(location.Id)));
    }

    private static async Task<IResult> Manifest(string slug, string? lang, HttpContext http, IServiceProvider services, CancellationToken ct)
    {
        var location = await FindAsync(services, slug, ct);
        if (location is null) return Problem.NotFound("Location");
        var start = $"/k/{Uri.EscapeDataString(location.Slug)}";
        var manifest = new WebManifest(
            Name: location.Name, ShortName: location.Name.Length <= 12 ? location.Name : location.Name[..12], StartUrl: start, Scope: "/k/",
            Display: "fullscreen", Orientation: "any", BackgroundColor: "#f4f6fa", ThemeColor: "#2356c5",
            Icons: [new("/favicon.svg", "any", "image/svg+xml")], Lang: lang is "en" ? "en" : PublicFeedback.LanguageOf(http));
        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Json(manifest, contentType: "application/manifest+json");
    }

    private sealed record WebManifest(
        string Name,
        [property: JsonPropertyName("short_name")] string ShortName,
        [property: JsonPropertyName("start_url")] string StartUrl,
        string Scope, string Display, string Orientation,
        [property: JsonPropertyName("background_color")] string BackgroundColor,
        [property: JsonPropertyName("theme_color")] string ThemeColor,
        IReadOnlyList<ManifestIcon> Icons, string Lang);

    private sealed record ManifestIcon(string Src, string Sizes, string Type);

    private static async Task<IResult> Submit(
        string slug, HttpContext http, IServiceProvider services, FeedbackLimits limits, FormTokens tokens, IOptions<FeedbackOptions> options,
        ILogger<KioskPageModel> log, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType) return Problem.Invalid("form", "Send the feedback as multipart/form-data.");
        IFormCollection form;
        try { form = await http.Request.ReadFormAsync(ct); }
        catch (InvalidDataException) { return Problem.Invalid("form", "The form could not be read."); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return Problem.Invalid("photo", "The photo is too large: at most 5 MB."); }
        var location = await FindAsync(services, slug, ct);
        if (location is null) return Problem.NotFound("Location");

        var errors = new Errors();
        var hasId = Guid.TryParse(form["id"], out var id) && id != Guid.Empty;
        errors.Check(hasId, "id", "Give the submission's id: a GUID made by the kiosk.");
        var mood = form["mood"].ToString();
        errors.Check(mood is "good" or "bad", "mood", "Use good or bad.");
        var reasonIds = new List<Guid>();
        foreach (var value in form["reason"])
        {
            if (Guid.TryParse(value, out var reason)) reasonIds.Add(reason);
            else { errors.Add("reason", "A reason is not a valid id."); break; }
        }
        // Bots: a filled hidden field, or a stamp that is missing, forged or too fresh. Nothing is stored.
        if (!string.IsNullOrEmpty(form[PublicFeedback.Honeypot])) errors.Add("form", "The form could not be accepted.");
        var stamp = tokens.Check(form["t"], location.Id, TimeSpan.FromHours(Math.Max(1, options.Value.KioskMaxFormAgeHours)));
        if (stamp == FormTokenCheck.TooFast) errors.Add("t", "That was very quick; send it again.");
        else if (stamp != FormTokenCheck.Valid) errors.Add("t", "The form stamp is missing, forged or expired; reload the kiosk.");

        var files = new List<ReadOnlyMemory<byte>>();
        var photos = form.Files.Where(f => f.Name == "photo" && f.Length > 0).ToList();
        if (photos.Count > 1) errors.Add("photo", "Attach at most one photo.");
        else if (photos is [var photo])
        {
            if (photo.Length > ContentSniffer.PhotoMaxBytes) errors.Add("photo", "The photo is too large: at most 5 MB.");
            else
            {
                using var buffer = new MemoryStream((int)photo.Length);
                await photo.CopyToAsync(buffer, ct);
                var bytes = buffer.ToArray();
                if (ContentSniffer.Detect(bytes) is (AttachmentKind.Photo, _)) files.Add(bytes);
                else errors.Add("photo", "This file is not a photo: use JPEG, PNG, WebP or HEIC.");
            }
        }
        int? consentVersion = null;
        if (!string.IsNullOrEmpty(form["consentVersion"]))
        {
            if (int.TryParse(form["consentVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var v)) consentVersion = v;
            else errors.Add("consentVersion", "The consent version is a whole number.");
        }
        if (errors.Any) return errors.ToProblem();

        if (await StoredAtAsync(services, id, ct) is { } existing)
            return existing == location.Id ? TypedResults.Ok(new KioskAccepted(id, true, false, [])) : Problem.Conflict("This id belongs to another submission.");
        if (limits.TryAcquire(location.Id) is { } wait) return FeedbackApi.TooMany(http, wait);

        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetOrganization(location.OrganizationId);
        var intake = scope.ServiceProvider.GetRequiredService<FeedbackIntake>();
        IntakeResult result;
        try
        {
            result = await intake.SubmitAsync(new FeedbackSubmission(
                location.Id, FeedbackChannel.Kiosk, mood == "good" ? Sentiment.Positive : Sentiment.Negative, reasonIds,
                form["text"], form["name"], form["phone"], form["email"], form["consent"].ToString() == "yes", TestimonialConsent: false,
                files, http.Request.Headers.UserAgent.ToString(), ConsentVersion: consentVersion, Id: id,
                AttachmentConsent: form["photoConsent"].ToString() == "yes"), ct);
        }
        catch (DbUpdateException e)
        {
            // The same submission arrived twice at once (the queue and a retry): the other request stored it.
            if (await StoredAtAsync(services, id, CancellationToken.None) is not { } raced) throw;
            log.LogInformation(e, "Kiosk submission {Id} was stored by a concurrent request", id);
            return raced == location.Id ? TypedResults.Ok(new KioskAccepted(id, true, false, [])) : Problem.Conflict("This id belongs to another submission.");
        }
        if (result.Errors is { } invalid) return invalid.ToProblem();
        return TypedResults.Created($"/api/v1/feedback/{id}", new KioskAccepted(id, false, result.Feedback!.ContactConsentVersion is not null, result.NotStored));
    }

    /// <summary>The location of the feedback with this id, looked up across tenants so an id is never stored twice.</summary>
    private static async Task<Guid?> StoredAtAsync(IServiceProvider services, Guid id, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        return await db.Feedback.IgnoreQueryFilters().AsNoTracking().Where(f => f.Id == id).Select(f => (Guid?)f.LocationId).FirstOrDefaultAsync(ct);
    }

    /// <summary>Public pages have no tenant: the location is found by its globally unique slug as the system.</summary>
    private static async Task<Location?> FindAsync(IServiceProvider services, string slug, CancellationToken ct)
    {
        if (slug.Length > Limits.Slug) return null;
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        return await db.Locations.AsNoTracking().FirstOrDefaultAsync(l => l.Slug == slug, ct);
    }

    private static IResult Render(HttpContext http, KioskPageModel model, int status)
    {
        // The service worker keeps its own copy for offline starts; the network copy is always fresh.
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers.ContentSecurityPolicy =
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' blob:; media-src 'self' blob:; connect-src 'self'; " +
            "manifest-src 'self'; worker-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        http.Response.Headers["Permissions-Policy"] = "camera=(self), microphone=()";
        return new PublicFeedback.CultureResult(new RazorComponentResult<KioskPage>(new { Model = model }) { StatusCode = status }, model.Language);
    }

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
