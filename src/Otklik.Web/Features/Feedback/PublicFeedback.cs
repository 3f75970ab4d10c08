using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Feedback.Pages;
using Otklik.Web.Features.Locations;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Feedback;

public enum PublicStep
{
    Start,
    Bad,
    Good,
    Thanks,
    NotFound,
}

public sealed record ReasonOption(Guid Id, string Name, int Depth);

public sealed record MapsLink(string Name, string Url);

/// <summary>Everything the public page shows; filled by <see cref="PublicFeedback"/>, rendered by <see cref="FeedbackPage"/>.</summary>
public sealed class PublicPageModel
{
    public PublicStep Step { get; set; }
    public string Language { get; set; } = "ru";
    public string Slug { get; set; } = "";
    public string LocationName { get; set; } = "";
    public IReadOnlyList<ReasonOption> Reasons { get; set; } = [];
    public IReadOnlyList<MapsLink> Maps { get; set; } = [];
    public string Token { get; set; } = "";
    public string ConsentText { get; set; } = "";
    /// <summary>The version of <see cref="ConsentText"/>; the form sends it back, so the stored consent names the text shown.</summary>
    public int ConsentVersion { get; set; }
    /// <summary>Field name → message, shown next to the field.</summary>
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);
    /// <summary>The longest voice message the page's script records.</summary>
    public int VoiceMaxSeconds { get; set; } = 60;
    public PublicForm Form { get; set; } = new();
    /// <summary>Parts of the submission not kept for want of consent ("contact", "photo", "voice"), told on the thank-you page.</summary>
    public IReadOnlyList<string> NotStored { get; set; } = [];
    /// <summary>Review gating is on: maps links only on the praise path.</summary>
    public bool ReviewLinksOnlyAfterPraise { get; set; }
    /// <summary>The thank-you page follows praise.</summary>
    public bool Praised { get; set; }

    /// <summary>Maps links are offered to everyone unless the organization chose review gating.</summary>
    public IReadOnlyList<MapsLink> MapsFor(PublicStep step) =>
        !ReviewLinksOnlyAfterPraise || step == PublicStep.Good || (step == PublicStep.Thanks && Praised) ? Maps : [];
}

/// <summary>What the customer typed, to fill the form again after an error and to echo on the thank-you page.</summary>
public sealed class PublicForm
{
    public HashSet<Guid> ReasonIds { get; init; } = [];
    public string? Text { get; init; }
    public string? Name { get; init; }
    public string? Phone { get; init; }
    public string? Email { get; init; }
    public bool Consent { get; init; }
    /// <summary>The consent box of the photo and voice section.</summary>
    public bool MediaConsent { get; init; }
    public bool Testimonial { get; init; }
}

/// <summary>
/// The customer's page behind the QR code: <c>/f/{slug}</c>. Plain server-rendered HTML and a multipart form that
/// works without script; one small first-party script (<c>/f.js</c>) adds voice recording where the browser can.
/// No third-party requests; Russian unless the browser asks for English.
/// </summary>
public static class PublicFeedback
{
    public const string Honeypot = "website";
    /// <summary>Whole form post: the largest photo and voice message plus text fields.</summary>
    public const long MaxRequestBytes = ContentSniffer.PhotoMaxBytes + ContentSniffer.VoiceMaxBytes + 256 * 1024;

    public static IEndpointRouteBuilder MapPublicFeedback(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/f/{slug}", Show).AllowAnonymous().ExcludeFromDescription();
        routes.MapPost("/f/{slug}", Submit).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription()
            .RequireRateLimiting(FeedbackOptions.PublicFormPolicy)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxRequestBytes * 2));
        // Browsers ask for /favicon.ico whatever the page says; answer with the app's icon instead of a 404.
        routes.MapGet("/favicon.ico", () => TypedResults.Redirect("/favicon.svg", permanent: true)).AllowAnonymous().ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> Show(string slug, string? mood, HttpContext http, IServiceProvider services, CancellationToken ct)
    {
        var language = LanguageOf(http);
        var page = await LoadAsync(services, slug, language, ct);
        if (page is null) return Render(http, NotFound(slug, language), StatusCodes.Status404NotFound);
        var (model, location) = page.Value;
        model.Step = mood switch { "bad" => PublicStep.Bad, "good" => PublicStep.Good, _ => PublicStep.Start };
        if (model.Step != PublicStep.Start) await FillFormAsync(services, model, location, ct);
        return Render(http, model, StatusCodes.Status200OK);
    }

    private static async Task<IResult> Submit(string slug, HttpContext http, IServiceProvider services, FeedbackLimits limits, FormTokens tokens, CancellationToken ct)
    {
        var language = LanguageOf(http);
        if (!http.Request.HasFormContentType) return Render(http, NotFound(slug, language), StatusCodes.Status400BadRequest);
        var form = await http.Request.ReadFormAsync(ct);
        var page = await LoadAsync(services, slug, language, ct);
        if (page is null) return Render(http, NotFound(slug, language), StatusCodes.Status404NotFound);
        var (model, location) = page.Value;

        var sentiment = form["mood"].ToString() == "good" ? Sentiment.Positive : Sentiment.Negative;
        model.Step = sentiment == Sentiment.Positive ? PublicStep.Good : PublicStep.Bad;
        var posted = new PublicForm
        {
            ReasonIds = [.. form["reason"].Select(v => Guid.TryParse(v, out var g) ? g : Guid.Empty)],
            Text = form["text"].ToString(), Name = form["name"].ToString(), Phone = form["phone"].ToString(), Email = form["email"].ToString(),
            Consent = form["consent"].ToString() == "yes", MediaConsent = form["mediaConsent"].ToString() == "yes", Testimonial = form["testimonial"].ToString() == "yes",
        };
        model.Form = posted;
        await FillFormAsync(services, model, location, ct);

        // Bots: a filled hidden field, or a stamp that is missing, forged or too fresh. Nothing is stored.
        var check = tokens.Check(form["t"], location.Id);
        if (!string.IsNullOrEmpty(form[Honeypot]) || check != FormTokenCheck.Valid)
        {
            model.Errors["form"] = check == FormTokenCheck.TooFast ? "too-fast" : "expired";
            return Render(http, model, StatusCodes.Status400BadRequest);
        }
        model.Token = form["t"].ToString();

        if (limits.TryAcquire(location.Id) is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            model.Errors["form"] = "busy";
            return Render(http, model, StatusCodes.Status429TooManyRequests);
        }

        var files = new List<ReadOnlyMemory<byte>>();
        foreach (var file in form.Files.Where(f => f.Name == "photo" && f.Length > 0))
        {
            if (file.Length > ContentSniffer.PhotoMaxBytes) { model.Errors["photo"] = "too-large"; break; }
            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            var bytes = buffer.ToArray();
            if (ContentSniffer.Detect(bytes) is not (AttachmentKind.Photo, _)) { model.Errors["photo"] = "not-a-photo"; break; }
            files.Add(bytes);
        }
        foreach (var file in form.Files.Where(f => f.Name == "voice" && f.Length > 0))
        {
            if (file.Length > ContentSniffer.VoiceMaxBytes) { model.Errors["voice"] = "too-large"; break; }
            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            var bytes = buffer.ToArray();
            if (ContentSniffer.Detect(bytes) is not (AttachmentKind.Voice, _)) { model.Errors["voice"] = "not-audio"; break; }
            files.Add(bytes);
        }
        if (model.Errors.Count > 0) return Render(http, model, StatusCodes.Status400BadRequest);

        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetOrganization(location.OrganizationId);
        var intake = scope.ServiceProvider.GetRequiredService<FeedbackIntake>();
        var result = await intake.SubmitAsync(new FeedbackSubmission(
            location.Id, FeedbackChannel.QrPage, sentiment, [.. posted.ReasonIds], posted.Text, posted.Name, posted.Phone, posted.Email,
            posted.Consent, posted.Testimonial, files, http.Request.Headers.UserAgent.ToString(),
            ConsentVersion: int.TryParse(form["consentVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var shown) && shown <= model.ConsentVersion ? shown : null,
            AttachmentConsent: posted.MediaConsent), ct);
        if (result.Errors is { } errors)
        {
            foreach (var (field, _) in errors.Fields) model.Errors[field] = "invalid";
            return Render(http, model, StatusCodes.Status400BadRequest);
        }
        model.Step = PublicStep.Thanks;
        model.Praised = sentiment == Sentiment.Positive;
        model.NotStored = result.NotStored;
        return Render(http, model, StatusCodes.Status200OK);
    }

    /// <summary>Russian unless the browser prefers English.</summary>
    internal static string LanguageOf(HttpContext http)
    {
        var accepted = http.Request.GetTypedHeaders().AcceptLanguage
            .OrderByDescending(l => l.Quality ?? 1)
            .Select(l => l.Value.Value ?? "")
            .FirstOrDefault(v => v.StartsWith("ru", StringComparison.OrdinalIgnoreCase) || v.StartsWith("en", StringComparison.OrdinalIgnoreCase));
        return accepted?.StartsWith("en", StringComparison.OrdinalIgnoreCase) == true ? "en" : "ru";
    }

    private static PublicPageModel NotFound(string slug, string language) => new() { Step = PublicStep.NotFound, Slug = slug, Language = language };

    /// <summary>Public pages have no tenant: the location is found by its globally unique slug as the system.</summary>
    private static async Task<(PublicPageModel Model, Location Location)?> LoadAsync(IServiceProvider services, string slug, string language, CancellationToken ct)
    {
        if (slug.Length > Limits.Slug) return null;
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var location = await db.Locations.AsNoTracking().FirstOrDefaultAsync(l => l.Slug == slug, ct);
        if (location is null) return null;
        var org = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == location.OrganizationId, ct);
        var maps = new List<MapsLink>();
        if (SafeUrl(location.YandexMapsUrl) is { } y) maps.Add(new("Yandex Maps", y));
        if (SafeUrl(location.TwoGisUrl) is { } g) maps.Add(new("2GIS", g));
        if (SafeUrl(location.GoogleMapsUrl) is { } m) maps.Add(new("Google Maps", m));
        var options = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<FeedbackOptions>>().Value;
        return (new PublicPageModel
        {
            VoiceMaxSeconds = Math.Clamp(options.VoiceMaxSeconds, 5, 600),
            Slug = location.Slug, LocationName = location.Name, Language = language, Maps = maps,
            ConsentText = ConsentTexts.Effective(org.FeedbackConsentText, language), ConsentVersion = org.FeedbackConsentVersion,
            ReviewLinksOnlyAfterPraise = org.ReviewLinksOnlyAfterPraise,
        }, location);
    }

    private static async Task FillFormAsync(IServiceProvider services, PublicPageModel model, Location location, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetOrganization(location.OrganizationId);
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var kind = model.Step == PublicStep.Good ? Reasons.ReasonKind.Positive : Reasons.ReasonKind.Negative;
        var reasons = await db.Reasons.AsNoTracking().Where(r => r.Kind == kind && r.ArchivedAt == null).ToListAsync(ct);
        var byId = reasons.ToDictionary(r => r.Id);
        model.Reasons = Reasons.ReasonTree.Ordered(reasons)
            .Select(r => new ReasonOption(r.Id, r.NameIn(model.Language), Reasons.ReasonTree.Depth(r, byId))).ToList();
        model.Token = scope.ServiceProvider.GetRequiredService<FormTokens>().Issue(location.Id);
    }

    /// <summary>Only http(s) links are offered to customers.</summary>
    internal static string? SafeUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) ? u.AbsoluteUri : null;

    private static IResult Render(HttpContext http, PublicPageModel model, int status)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        // Nothing but our own stylesheet, script and form target; the customer may listen to their own recording (blob:).
        http.Response.Headers.ContentSecurityPolicy =
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; media-src 'self' blob:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        http.Response.Headers["Permissions-Policy"] = "microphone=(self), camera=()";
        return new CultureResult(new RazorComponentResult<FeedbackPage>(new { Model = model }) { StatusCode = status }, model.Language);
    }

    /// <summary>Runs the inner result under the customer's language, so the component's texts follow it.</summary>
    internal sealed class CultureResult(IResult inner, string language) : IResult
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
