using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Live;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Infrastructure;

namespace Otklik.Web.Features.Feedback;

/// <summary>What any channel hands in; the same rules apply to the public page, the API and later channels.</summary>
public sealed record FeedbackSubmission(
    Guid LocationId,
    FeedbackChannel Channel,
    Sentiment Sentiment,
    IReadOnlyList<Guid> ReasonIds,
    string? Text,
    string? ContactName,
    string? ContactPhone,
    string? ContactEmail,
    bool ContactConsent,
    bool TestimonialConsent,
    IReadOnlyList<ReadOnlyMemory<byte>> Attachments,
    string? UserAgent,
    string? Author = null,
    int? ConsentVersion = null,
    /// <summary>An id made by the client (the kiosk's offline queue), so a resend can be recognised; null: a new id.</summary>
    Guid? Id = null,
    /// <summary>The customer agreed (to the consent text of <see cref="ConsentVersion"/>) that photos and voice notes are kept; without it they are dropped.</summary>
    bool AttachmentConsent = false);

/// <summary>
/// What intake did. <see cref="NotStored"/> names the personal parts that arrived without consent and were dropped
/// ("contact", "photo", "voice"), so the caller can tell the customer; the anonymous rest was stored.
/// </summary>
public sealed record IntakeResult(Feedback? Feedback, Errors? Errors, IReadOnlyList<string> NotStored)
{
    public bool ContactDropped => NotStored.Contains(NotStoredParts.Contact);
}

/// <summary>Names of the parts of a submission that are kept only with consent.</summary>
public static class NotStoredParts
{
    public const string Contact = "contact";
    public const string Photo = "photo";
    public const string Voice = "voice";

    public static string Of(AttachmentKind kind) => kind == AttachmentKind.Photo ? Photo : Voice;
}

/// <summary>Validates and stores feedback: all of it or nothing; attachments first, removed again if the row is not written.</summary>
public sealed class FeedbackIntake(
    OtklikDb db, IAttachmentStore store, LiveNotifier live, TimeProvider time, ILogger<FeedbackIntake> log, AlertRaiser alerts, DeliverySignal deliveries,
    IEnumerable<Cases.IFeedbackStoringHook> hooks)
{
    public const int MaxReasons = 20;
    public const int MaxAttachments = 3;

    public async Task<IntakeResult> SubmitAsync(FeedbackSubmission s, CancellationToken ct)
    {
        var errors = new Errors();
        errors.Check(Enum.IsDefined(s.Channel), "channel", "Unknown channel.");
        errors.Check(Enum.IsDefined(s.Sentiment), "sentiment", "Use Positive, Negative or Neutral.");
        var text = string.IsNullOrWhiteSpace(s.Text) ? null : s.Text.Trim();
        errors.Check(text is null || text.Length <= Limits.LongText, "text", $"The text may be at most {Limits.LongText} characters.");
        var author = Clean(s.Author);
        errors.Check(author is null || author.Length <= Limits.Url, "author", $"The author may be at most {Limits.Url} characters.");
        var location = await db.Locations.AsNoTracking().FirstOrDefaultAsync(l => l.Id == s.LocationId, ct);
        errors.Check(location is not null, "locationId", "No such location.");

        var reasonIds = s.ReasonIds.Distinct().ToList();
        if (reasonIds.Count > MaxReasons) errors.Add("reasonIds", $"Choose at most {MaxReasons} reasons.");
        else if (reasonIds.Count > 0)
        {
            var reasons = await db.Reasons.AsNoTracking().Where(r => reasonIds.Contains(r.Id)).ToListAsync(ct);
            if (reasons.Count != reasonIds.Count || reasons.Any(r => r.IsArchived)) errors.Add("reasonIds", "No such reason.");
            else if (s.Sentiment != Sentiment.Neutral && reasons.Any(r => r.Kind != KindFor(s.Sentiment)))
                errors.Add("reasonIds", "A reason does not fit the sentiment.");
        }

        // Contact data only with consent: without the tick it is not kept at all.
        var name = Clean(s.ContactName);
        var phone = Clean(s.ContactPhone);
        var email = Clean(s.ContactEmail);
        var contactGiven = name is not null || phone is not null || email is not null;
        var keepContact = contactGiven && s.ContactConsent;
        if (keepContact)
        {
            errors.Check(name is null || name.Length <= Limits.Name, "contactName", $"The name may be at most {Limits.Name} characters.");
            errors.Check(phone is null || IsPhone(phone), "contactPhone", "Give a phone number of 5–20 digits.");
            errors.Check(email is null || IsEmail(email), "contactEmail", "Give an e-mail address such as name@example.com.");
            errors.Check(phone is not null || email is not null, "contactPhone", "Give a phone number or an e-mail address to be contacted.");
        }

        var files = new List<(AttachmentKind Kind, string Type, ReadOnlyMemory<byte> Bytes)>();
        if (s.Attachments.Count > MaxAttachments) errors.Add("attachments", $"Attach at most {MaxAttachments} files.");
        else
            for (var i = 0; i < s.Attachments.Count; i++)
            {
                var bytes = s.Attachments[i];
                var field = $"attachments[{i}]";
                if (bytes.Length == 0) { errors.Add(field, "The file is empty."); continue; }
                if (ContentSniffer.Detect(bytes.Span) is not var (kind, type))
                {
                    errors.Add(field, "Only photos (JPEG, PNG, WebP, HEIC) and voice notes (WebM, Ogg, MP4, WAV, MP3) are accepted.");
                    continue;
                }
                if (bytes.Length > ContentSniffer.MaxBytes(kind))
                    errors.Add(field, $"The file is too large: at most {ContentSniffer.MaxBytes(kind) / 1024 / 1024} MB.");
                else files.Add((kind, type, bytes));
            }

        if (errors.Any) return new IntakeResult(null, errors, []);

        // Photos and voice notes only with consent: without it they are dropped (never written to the store) and named in the answer.
        var notStored = new List<string>();
        if (contactGiven && !keepContact) notStored.Add(NotStoredParts.Contact);
        if (!s.AttachmentConsent)
        {
            notStored.AddRange(files.Select(f => NotStoredParts.Of(f.Kind)).Distinct());
            files.Clear();
        }

        var org = await db.Organizations.AsNoTracking().Where(o => o.Id == location!.OrganizationId).Select(o => new { o.FeedbackConsentVersion }).FirstAsync(ct);
        // A call centre or an auditor may record which consent text the customer agreed to earlier, and a kiosk page sends the
        // version it showed (it may have waited offline); never a future one.
        if ((keepContact || files.Count > 0) && s.ConsentVersion is { } version && (version < 0 || version > org.FeedbackConsentVersion))
            return new IntakeResult(null, errors.Add("contactConsentVersion", $"No such consent version: use 0 to {org.FeedbackConsentVersion}."), []);
        var consentVersion = s.ConsentVersion ?? org.FeedbackConsentVersion;
        var now = time.GetUtcNow();
        var feedback = new Feedback
        {
            Id = s.Id ?? Guid.CreateVersion7(),
            OrganizationId = location!.OrganizationId, LocationId = location.Id, Channel = s.Channel, Sentiment = s.Sentiment, Text = text,
            ContactName = keepContact ? name : null, ContactPhone = keepContact ? phone : null, ContactEmail = keepContact ? email : null,
            ContactConsentVersion = keepContact ? consentVersion : null,
            ContactConsentAt = keepContact ? now : null,
            Author = author,
            TestimonialConsent = s.TestimonialConsent && text is not null,
            UserAgentHash = HashUserAgent(location.OrganizationId, s.UserAgent), CreatedAt = now,
        };
        feedback.Reasons.AddRange(reasonIds.Select(r => new FeedbackReason { ReasonId = r, OrganizationId = feedback.OrganizationId }));

        var saved = new List<string>();
        Alert? alert;
        try
        {
            foreach (var (kind, type, bytes) in files)
            {
                var attachment = new FeedbackAttachment
                {
                    OrganizationId = feedback.OrganizationId, FeedbackId = feedback.Id, Kind = kind, ContentType = type, Size = bytes.Length,
                    StorageKey = "", CreatedAt = now, ConsentVersion = consentVersion, ConsentAt = now,
                };
                attachment.StorageKey = await store.SaveAsync(feedback.OrganizationId, attachment.Id, bytes, ct);
                saved.Add(attachment.StorageKey);
                feedback.Attachments.Add(attachment);
            }
            db.Feedback.Add(feedback);
            foreach (var hook in hooks) await hook.OnStoringAsync(db, feedback, ct);
            alert = await RaiseAlertAsync(feedback, now, ct);
            // The feedback and its count in the hourly rollups commit together.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            await RollupStore.AddAsync(db, [RollupStore.Of(feedback)], ct);
            await tx.CommitAsync(ct);
        }
        catch
        {
            foreach (var key in saved)
            {
                try { await store.DeleteAsync(key, CancellationToken.None); }
                catch (IOException e) { log.LogWarning(e, "Could not remove attachment {Key} of a feedback that was not stored", key); }
            }
            throw;
        }

        if (feedback.Sentiment == Sentiment.Negative)
            await live.PublishAsync(new FeedbackReceived(feedback.OrganizationId, feedback.LocationId, feedback.Id, feedback.Sentiment.ToString(),
                feedback.Channel.ToString(), Excerpt(text), feedback.Attachments.Count > 0, now));
        if (alert is not null)
        {
            deliveries.Wake();
            try { await AlertPublisher.PublishRaisedAsync(db, live, [alert], ct); }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Publishing the alert of feedback {Id} failed", feedback.Id); }
        }
        return new IntakeResult(feedback, null, notStored);
    }

    /// <summary>
    /// A complaint from a customer-facing channel raises the same alert as a red press, in the transaction that stores it,
    /// unless the location turned the rule off.
    /// </summary>
    private async Task<Alert?> RaiseAlertAsync(Feedback feedback, DateTimeOffset now, CancellationToken ct)
    {
        if (feedback.Sentiment != Sentiment.Negative || feedback.Channel is not (FeedbackChannel.QrPage or FeedbackChannel.Kiosk)) return null;
        var enabled = await db.AlertSettings.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.LocationId == feedback.LocationId).Select(s => (bool?)s.NegativeFeedbackEnabled).FirstOrDefaultAsync(ct) ?? true;
        if (!enabled) return null;
        var alert = new Alert
        {
            OrganizationId = feedback.OrganizationId, LocationId = feedback.LocationId, Kind = AlertKind.NegativeFeedback, Title = "", FeedbackId = feedback.Id,
        };
        var detail = feedback.Text is { } t ? (t.Length <= 60 ? t : t[..60] + "…") : "";
        await alerts.AddAsync(db, [alert], now, ct, new Dictionary<Guid, string> { [alert.Id] = detail });
        return alert;
    }

    public static ReasonKind KindFor(Sentiment sentiment) => sentiment == Sentiment.Positive ? ReasonKind.Positive : ReasonKind.Negative;

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string? Excerpt(string? text) => text is null ? null : text.Length <= 140 ? text : text[..140] + "…";

    internal static bool IsPhone(string phone)
    {
        if (phone.Length > Limits.Phone || phone.Any(c => !(char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')'))) return false;
        var digits = phone.Count(char.IsAsciiDigit);
        return digits is >= 5 and <= 20;
    }

    internal static bool IsEmail(string email)
    {
        if (email.Length > Limits.Email || email.Any(char.IsWhiteSpace)) return false;
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == email.LastIndexOf('@') && email.IndexOf('.', at) > at + 1 && !email.EndsWith('.');
    }

    /// <summary>Keyed by organization, so the same browser cannot be followed from one company to another.</summary>
    internal static string? HashUserAgent(Guid organizationId, string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent)) return null;
        var hash = HMACSHA256.HashData(organizationId.ToByteArray(), Encoding.UTF8.GetBytes(userAgent));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}

/// <summary>
/// The per-location limit, shared by every channel. Per-address limits are a rate-limiter policy on the public form.
/// </summary>
public sealed class FeedbackLimits(IOptions<FeedbackOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<Guid> _perLocation = PartitionedRateLimiter.Create<Guid, Guid>(id =>
        RateLimitPartition.GetFixedWindowLimiter(id, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.PerLocationPerMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
        }));

    /// <summary>Null when allowed; otherwise how long to wait.</summary>
    public TimeSpan? TryAcquire(Guid locationId)
    {
        using var lease = _perLocation.AttemptAcquire(locationId);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _perLocation.Dispose();
}
