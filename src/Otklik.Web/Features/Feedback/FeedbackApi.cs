using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Security;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Feedback;

public sealed record FeedbackInput(
    Guid LocationId,
    FeedbackChannel Channel,
    Sentiment Sentiment,
    [property: MaxLength(FeedbackIntake.MaxReasons)] List<Guid>? ReasonIds,
    [property: StringLength(Limits.LongText)] string? Text,
    [property: StringLength(Limits.Name)] string? ContactName,
    [property: StringLength(Limits.Phone)] string? ContactPhone,
    [property: StringLength(Limits.Email)] string? ContactEmail,
    bool ContactConsent,
    bool TestimonialConsent,
    /// <summary>Base64-encoded photos or voice notes; the format is recognised from the bytes.</summary>
    [property: MaxLength(FeedbackIntake.MaxAttachments)] List<string>? Attachments,
    /// <summary>Who recorded it (operator, auditor) or the URL of the post or review it comes from.</summary>
    [property: StringLength(Limits.Url)] string? Author = null,
    /// <summary>Which version of the consent text the customer agreed to (default: the current one); for the contact and the attachments.</summary>
    int? ContactConsentVersion = null,
    /// <summary>The customer agreed that their photos and voice notes are kept; without it attachments are not stored (named in notStored).</summary>
    bool AttachmentConsent = false);

public sealed record AttachmentDto(Guid Id, AttachmentKind Kind, string ContentType, long Size, string Url, int ConsentVersion, DateTimeOffset ConsentAt);

public sealed record FeedbackReasonDto(Guid Id, string NameRu, string NameEn, bool Archived);

public sealed record FeedbackDto(
    Guid Id, Guid LocationId, FeedbackChannel Channel, Sentiment Sentiment, string? Text, IReadOnlyList<FeedbackReasonDto> Reasons,
    string? ContactName, string? ContactPhone, string? ContactEmail, int? ContactConsentVersion, bool TestimonialConsent,
    IReadOnlyList<AttachmentDto> Attachments, DateTimeOffset CreatedAt, string? Author = null, Guid? ImportJobId = null);

/// <summary>The new feedback; <see cref="NotStored"/> names the parts dropped for want of consent ("contact", "photo", "voice").</summary>
public sealed record FeedbackCreated(Guid Id, bool ContactStored, IReadOnlyList<string> NotStored);

public sealed record FeedbackSettingsDto(
    string? ConsentText, int ConsentVersion, string EffectiveConsentText, bool ReviewLinksOnlyAfterPraise = false, int? KioskResetSeconds = null);

/// <summary>
/// The consent text (a change makes a new version); review gating and the kiosk's timeout are kept as they are when not
/// given. A kiosk timeout of 0 goes back to the server's default.
/// </summary>
public sealed record FeedbackSettingsInput(
    [property: StringLength(Limits.LongText)] string? ConsentText, bool? ReviewLinksOnlyAfterPraise = null,
    [property: Range(0, FeedbackSettingsInput.MaxKioskResetSeconds)] int? KioskResetSeconds = null)
{
    public const int MaxKioskResetSeconds = 3600;
}

/// <summary>Feedback from other channels (kiosks, call centres, imports) and the managers' read side.</summary>
public static class FeedbackApi
{
    public static IEndpointRouteBuilder MapFeedbackApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/feedback").WithTags("Feedback");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read);
        api.MapPost("/", Create).RequireAuthorization(Policies.Operate);
        api.MapGet("/attachments/{id:guid}", Attachment).RequireAuthorization(Policies.Read);
        api.MapGet("/settings", GetSettings).RequireAuthorization(Policies.Read);
        api.MapPut("/settings", UpdateSettings).RequireAuthorization(Policies.Admin);
        return routes;
    }

    private static async Task<Results<Created<FeedbackCreated>, ValidationProblem, ProblemHttpResult>> Create(
        FeedbackInput input, FeedbackIntake intake, FeedbackLimits limits, HttpContext http, CancellationToken ct)
    {
        var files = new List<ReadOnlyMemory<byte>>();
        var errors = new Errors();
        for (var i = 0; i < (input.Attachments?.Count ?? 0); i++)
        {
            // Base64 of the largest allowed file, with a little room; anything longer is refused before decoding.
            var encoded = input.Attachments![i] ?? "";
            var buffer = new byte[Math.Min(encoded.Length, ContentSniffer.VoiceMaxBytes + 4) * 3 / 4 + 3];
            if (encoded.Length > (ContentSniffer.VoiceMaxBytes + 3) / 3 * 4 + 4) errors.Add($"attachments[{i}]", "The file is too large.");
            else if (!Convert.TryFromBase64String(encoded, buffer, out var written)) errors.Add($"attachments[{i}]", "Not valid base64.");
            else files.Add(buffer.AsMemory(0, written));
        }
        if (errors.Any) return errors.ToProblem();
        if (limits.TryAcquire(input.LocationId) is { } wait) return TooMany(http, wait);

        var result = await intake.SubmitAsync(new FeedbackSubmission(
            input.LocationId, input.Channel, input.Sentiment, input.ReasonIds ?? [], input.Text, input.ContactName, input.ContactPhone, input.ContactEmail,
            input.ContactConsent, input.TestimonialConsent, files, http.Request.Headers.UserAgent.ToString(), input.Author, input.ContactConsentVersion,
            AttachmentConsent: input.AttachmentConsent), ct);
        if (result.Errors is { } invalid) return invalid.ToProblem();
        return TypedResults.Created($"/api/v1/feedback/{result.Feedback!.Id}",
            new FeedbackCreated(result.Feedback.Id, result.Feedback.ContactConsentVersion is not null, result.NotStored));
    }

    internal static ProblemHttpResult TooMany(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
            detail: $"This location receives too much feedback right now. Try again in {wait.TotalSeconds:0} seconds.");
    }

    private static async Task<Ok<Page<FeedbackDto>>> List(OtklikDb db, [AsParameters] Paging paging, [AsParameters] FeedbackFilter filter, CancellationToken ct)
    {
        var query = filter.Apply(db.Feedback.AsNoTracking()).OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.Id);
        var total = await query.CountAsync(ct);
        var items = await query.Include(f => f.Reasons).Include(f => f.Attachments).Skip((paging.Number - 1) * paging.Size).Take(paging.Size).ToListAsync(ct);
        var names = await ReasonNamesAsync(db, items, ct);
        // A page of feedback with customers' contacts is an export of them: one audit line per request, with the count only.
        var contacts = items.Count(HasContact);
        if (contacts > 0)
        {
            db.Record(AuditActions.ContactViewed, "feedback", contacts == 1 ? items.First(HasContact).Id : null, $"api list: {contacts} contacts");
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(new Page<FeedbackDto>(items.Select(f => ToDto(f, names)).ToList(), total, paging.Number, paging.Size));
    }

    private static async Task<Results<Ok<FeedbackDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, CancellationToken ct)
    {
        var feedback = await db.Feedback.AsNoTracking().Include(f => f.Reasons).Include(f => f.Attachments).FirstOrDefaultAsync(f => f.Id == id, ct);
        if (feedback is null) return Problem.NotFound("Feedback");
        if (HasContact(feedback))
        {
            db.Record(AuditActions.ContactViewed, "feedback", feedback.Id, "api");
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(ToDto(feedback, await ReasonNamesAsync(db, [feedback], ct)));
    }

    /// <summary>Streams a photo or voice note; the feedback must be visible to the caller (tenant and location scope).</summary>
    private static async Task<IResult> Attachment(Guid id, OtklikDb db, IAttachmentStore store, HttpContext http, CancellationToken ct)
    {
        var attachment = await db.FeedbackAttachments.AsNoTracking()
            .Where(a => a.Id == id && db.Feedback.Any(f => f.Id == a.FeedbackId))
            .FirstOrDefaultAsync(ct);
        if (attachment is null || await store.OpenAsync(attachment.StorageKey, ct) is not { } stream) return Problem.NotFound("Attachment");
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.Stream(stream, attachment.ContentType, enableRangeProcessing: true);
    }

    private static async Task<Results<Ok<FeedbackSettingsDto>, ProblemHttpResult>> GetSettings(OtklikDb db, CancellationToken ct) =>
        await db.Organizations.AsNoTracking().FirstOrDefaultAsync(ct) is { } o
            ? TypedResults.Ok(new FeedbackSettingsDto(o.FeedbackConsentText, o.FeedbackConsentVersion, ConsentTexts.Effective(o.FeedbackConsentText, o.Language),
                o.ReviewLinksOnlyAfterPraise, o.KioskResetSeconds))
            : Problem.NotFound("Organization");

    private static async Task<Results<Ok<FeedbackSettingsDto>, ProblemHttpResult>> UpdateSettings(FeedbackSettingsInput input, OtklikDb db, CancellationToken ct)
    {
        var org = await db.Organizations.FirstOrDefaultAsync(ct);
        if (org is null) return Problem.NotFound("Organization");
        ApplySettings(org, input);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new FeedbackSettingsDto(org.FeedbackConsentText, org.FeedbackConsentVersion, ConsentTexts.Effective(org.FeedbackConsentText, org.Language),
            org.ReviewLinksOnlyAfterPraise, org.KioskResetSeconds));
    }

    /// <summary>A changed consent text becomes a new version, so each stored consent names the text the customer saw.</summary>
    public static void ApplySettings(Organizations.Organization org, FeedbackSettingsInput input)
    {
        var text = string.IsNullOrWhiteSpace(input.ConsentText) ? null : input.ConsentText.Trim();
        if (text != org.FeedbackConsentText)
        {
            org.FeedbackConsentText = text;
            org.FeedbackConsentVersion++;
        }
        org.ReviewLinksOnlyAfterPraise = input.ReviewLinksOnlyAfterPraise ?? org.ReviewLinksOnlyAfterPraise;
        if (input.KioskResetSeconds is { } reset) org.KioskResetSeconds = reset == 0 ? null : Math.Clamp(reset, 1, FeedbackSettingsInput.MaxKioskResetSeconds);
    }

    internal static bool HasContact(Feedback f) => f.ContactPhone is not null || f.ContactEmail is not null;

    internal static async Task<Dictionary<Guid, Reasons.Reason>> ReasonNamesAsync(OtklikDb db, IEnumerable<Feedback> items, CancellationToken ct)
    {
        var ids = items.SelectMany(f => f.Reasons).Select(r => r.ReasonId).Distinct().ToList();
        return await db.Reasons.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);
    }

    private static FeedbackDto ToDto(Feedback f, IReadOnlyDictionary<Guid, Reasons.Reason> reasons) => new(
        f.Id, f.LocationId, f.Channel, f.Sentiment, f.Text,
        f.Reasons.Select(r => reasons.TryGetValue(r.ReasonId, out var reason)
            ? new FeedbackReasonDto(reason.Id, reason.NameRu, reason.NameEn, reason.IsArchived)
            : new FeedbackReasonDto(r.ReasonId, "", "", true)).ToList(),
        f.ContactName, f.ContactPhone, f.ContactEmail, f.ContactConsentVersion, f.TestimonialConsent,
        f.Attachments.OrderBy(a => a.CreatedAt).Select(a => new AttachmentDto(a.Id, a.Kind, a.ContentType, a.Size, $"/api/v1/feedback/attachments/{a.Id}", a.ConsentVersion, a.ConsentAt)).ToList(),
        f.CreatedAt, f.Author, f.ImportJobId);
}

/// <summary>Filters shared by the API list and the inbox page.</summary>
public sealed record FeedbackFilter(Guid? LocationId, Sentiment? Sentiment, Guid? ReasonId, FeedbackChannel? Channel, DateTimeOffset? From, DateTimeOffset? To)
{
    public IQueryable<Feedback> Apply(IQueryable<Feedback> query)
    {
        if (LocationId is { } l) query = query.Where(f => f.LocationId == l);
        if (Sentiment is { } s) query = query.Where(f => f.Sentiment == s);
        if (Channel is { } c) query = query.Where(f => f.Channel == c);
        if (ReasonId is { } r) query = query.Where(f => f.Reasons.Any(x => x.ReasonId == r));
        if (From is { } from) query = query.Where(f => f.CreatedAt >= from);
        if (To is { } to) query = query.Where(f => f.CreatedAt < to);
        return query;
    }
}

/// <summary>Otklik's own consent texts, used until the organization writes its own.</summary>
public static class ConsentTexts
{
    public const string DefaultRu =
        "Я согласен(на), что компания сохранит мои имя, контакт, фото и голосовое сообщение, если я их оставлю, чтобы ответить на этот отзыв, и удалит их, когда вопрос будет решён.";
    public const string DefaultEn =
        "I agree that the company keeps my name, contact, photo and voice message, if I leave them, to answer this feedback and deletes them once the matter is settled.";

    public static string Effective(string? custom, string language) => custom ?? (language == "en" ? DefaultEn : DefaultRu);
}
