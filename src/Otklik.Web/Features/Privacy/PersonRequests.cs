using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Cases;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Security;
using Otklik.Web.Features.Surveys;
using Otklik.Web.Infrastructure;

namespace Otklik.Web.Features.Privacy;

/// <summary>A person as a data request names them: an e-mail address, a phone number, or both.</summary>
public sealed record PersonKey(string? Email, string? Phone)
{
    public static (PersonKey? Key, Errors Errors) Parse(string? email, string? phone)
    {
        email = string.IsNullOrWhiteSpace(email) ? null : email.Trim();
        phone = string.IsNullOrWhiteSpace(phone) ? null : phone.Trim();
        var errors = new Errors()
            .Check(email is not null || phone is not null, "email", "Give the person's e-mail address or phone number.")
            .Check(email is null || FeedbackIntake.IsEmail(email), "email", "Give an e-mail address such as name@example.com.")
            .Check(phone is null || FeedbackIntake.IsPhone(phone), "phone", "Give a phone number of 5–20 digits.");
        return errors.Any ? (null, errors) : (new PersonKey(email, phone), errors);
    }

    public string? EmailLower => Email?.ToLowerInvariant();

    /// <summary>Phone numbers match by their digits; with ten or more digits the last ten decide (+7 900… and 8 900… are one number).</summary>
    public bool MatchesPhone(string? stored)
    {
        if (Phone is null || stored is null) return false;
        var a = Digits(Phone);
        var b = Digits(stored);
        return a == b || (a.Length >= 10 && b.Length >= 10 && a[^10..] == b[^10..]);
    }

    public bool MatchesEmail(string? stored) => Email is not null && stored is not null && string.Equals(Email, stored.Trim(), StringComparison.OrdinalIgnoreCase);

    private static string Digits(string s) => new([.. s.Where(char.IsAsciiDigit)]);
}

/// <summary>What a data request found, counted.</summary>
public sealed record PersonSummary(string? Email, string? Phone, IReadOnlyList<string> Names, int Feedback, int Cases, int Messages, int Attachments,
    int SurveyInvitations, int SurveyResponses, DateTimeOffset? First, DateTimeOffset? Last, IReadOnlyList<PersonFeedbackItem> Items);

public sealed record PersonFeedbackItem(Guid Id, Guid LocationId, string Location, DateTimeOffset CreatedAt, FeedbackChannel Channel, Sentiment Sentiment,
    string? Text, int? ConsentVersion, DateTimeOffset? ConsentAt, int Attachments, Guid? CaseId);

/// <summary>What an erasure removed, counted (never what it was).</summary>
public sealed record PersonErased(int Feedback, int Cases, int Messages, int Attachments, int SurveyInvitations, int SurveyResponses);

/// <summary>person.json of an export: everything Otklik holds about the person, in their own words.</summary>
public sealed record PersonExport(DateTimeOffset ExportedAt, string Organization, string? Email, string? Phone, IReadOnlyList<ExportedFeedback> Feedback,
    IReadOnlyList<ExportedCase> Cases, IReadOnlyList<ExportedInvitation> SurveyInvitations, IReadOnlyList<ExportedResponse> SurveyResponses);

public sealed record ExportedFeedback(Guid Id, DateTimeOffset CreatedAt, string Location, FeedbackChannel Channel, Sentiment Sentiment, string? Text,
    IReadOnlyList<string> Reasons, string? ContactName, string? ContactPhone, string? ContactEmail, ExportedConsent? Consent, bool TestimonialConsent,
    IReadOnlyList<ExportedAttachment> Attachments);

public sealed record ExportedConsent(int Version, string Text, DateTimeOffset? At, FeedbackChannel Channel);

public sealed record ExportedAttachment(Guid Id, AttachmentKind Kind, string ContentType, long Size, DateTimeOffset CreatedAt, string File, ExportedConsent Consent);

public sealed record ExportedCase(Guid Id, Guid? FeedbackId, DateTimeOffset CreatedAt, CaseStatus Status, string Summary, string? Resolution,
    IReadOnlyList<ExportedCaseEvent> Timeline);

public sealed record ExportedCaseEvent(DateTimeOffset At, CaseEventKind Kind, string? By, string? Text, MessageChannel? Channel);

public sealed record ExportedInvitation(Guid Id, string Survey, string? ContactEmail, string? ContactPhone, DateTimeOffset VisitedAt, DateTimeOffset? SentAt, DateTimeOffset? RespondedAt);

public sealed record ExportedResponse(Guid Id, string Survey, DateTimeOffset CreatedAt, int? KeyScore, string? Comment, IReadOnlyList<int> FactorScores);

/// <summary>
/// Finds, exports and erases what the organization holds about one person (feedback with its contact, cases and their
/// messages, photos and voice notes, survey invitations and answers). Each request is written to the audit log with counts only.
/// </summary>
public sealed class PersonRequests(OtklikDb db, IAttachmentStore store, AlertRaiser raiser, TimeProvider time, ILogger<PersonRequests> log)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Converters = { new JsonStringEnumConverter() }, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed record Found(List<Feedback.Feedback> Feedback, List<Case> Cases, List<CaseEvent> Events, List<SurveyInvitation> Invitations, List<SurveyResponse> Responses)
    {
        public bool Any => Feedback.Count > 0 || Invitations.Count > 0;
        public int Messages => Events.Count(e => e.Kind == CaseEventKind.MessageSent);
        public int Attachments => Feedback.Sum(f => f.Attachments.Count);
        public string Counts => $"feedback: {Feedback.Count}, cases: {Cases.Count}, messages: {Messages}, attachments: {Attachments}, "
            + $"survey invitations: {Invitations.Count}, survey responses: {Responses.Count}";
    }

    private async Task<Found> FindAsync(PersonKey key, bool track, CancellationToken ct)
    {
        var email = key.EmailLower;
        IQueryable<Feedback.Feedback> feedback = db.Feedback.Include(f => f.Attachments).Include(f => f.Reasons);
        if (!track) feedback = feedback.AsNoTracking();
        var ids = new HashSet<Guid>();
        if (email is not null)
            ids.UnionWith(await db.Feedback.Where(f => f.ContactEmail != null && f.ContactEmail.ToLower() == email).Select(f => f.Id).ToListAsync(ct));
        if (key.Phone is not null)
            ids.UnionWith((await db.Feedback.Where(f => f.ContactPhone != null).Select(f => new { f.Id, f.ContactPhone }).ToListAsync(ct))
                .Where(f => key.MatchesPhone(f.ContactPhone)).Select(f => f.Id));
        var items = ids.Count == 0 ? [] : await feedback.Where(f => ids.Contains(f.Id)).OrderBy(f => f.CreatedAt).ToListAsync(ct);
        var cases = ids.Count == 0 ? [] : await db.Cases.AsNoTracking().Where(c => c.FeedbackId != null && ids.Contains(c.FeedbackId.Value)).OrderBy(c => c.CreatedAt).ToListAsync(ct);
        var caseIds = cases.Select(c => c.Id).ToList();
        var events = caseIds.Count == 0 ? [] : await db.CaseEvents.AsNoTracking().Where(e => caseIds.Contains(e.CaseId)).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);

        IQueryable<SurveyInvitation> invitations = track ? db.SurveyInvitations : db.SurveyInvitations.AsNoTracking();
        var invitationIds = new HashSet<Guid>();
        if (email is not null)
            invitationIds.UnionWith(await db.SurveyInvitations.Where(i => i.ContactEmail != null && i.ContactEmail.ToLower() == email).Select(i => i.Id).ToListAsync(ct));
        if (key.Phone is not null)
            invitationIds.UnionWith((await db.SurveyInvitations.Where(i => i.ContactPhone != null).Select(i => new { i.Id, i.ContactPhone }).ToListAsync(ct))
                .Where(i => key.MatchesPhone(i.ContactPhone)).Select(i => i.Id));
        var invites = invitationIds.Count == 0 ? [] : await invitations.Where(i => invitationIds.Contains(i.Id)).OrderBy(i => i.CreatedAt).ToListAsync(ct);
        IQueryable<SurveyResponse> responses = track ? db.SurveyResponses : db.SurveyResponses.AsNoTracking();
        var answered = invitationIds.Count == 0 ? [] : await responses.Include(r => r.Answers)
            .Where(r => r.InvitationId != null && invitationIds.Contains(r.InvitationId.Value)).OrderBy(r => r.CreatedAt).ToListAsync(ct);
        return new Found(items, cases, events, invites, answered);
    }

    /// <summary>What the organization holds about the person; null when nothing. Viewing it is audited.</summary>
    public async Task<PersonSummary?> SummaryAsync(PersonKey key, CancellationToken ct)
    {
        var found = await FindAsync(key, track: false, ct);
        if (!found.Any) return null;
        var locationIds = found.Feedback.Select(f => f.LocationId).Distinct().ToList();
        var locations = await db.Locations.AsNoTracking().Where(l => locationIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, l => l.Name, ct);
        db.Record(PrivacyAudit.Viewed, "person", null, found.Counts);
        await db.SaveChangesAsync(ct);
        var dates = found.Feedback.Select(f => f.CreatedAt).Concat(found.Invitations.Select(i => i.CreatedAt)).ToList();
        return new PersonSummary(key.Email, key.Phone,
            [.. found.Feedback.Select(f => f.ContactName).OfType<string>().Distinct(StringComparer.Ordinal)],
            found.Feedback.Count, found.Cases.Count, found.Messages, found.Attachments, found.Invitations.Count, found.Responses.Count,
            dates.Count > 0 ? dates.Min() : null, dates.Count > 0 ? dates.Max() : null,
            [.. found.Feedback.Select(f => new PersonFeedbackItem(f.Id, f.LocationId, locations.GetValueOrDefault(f.LocationId, ""), f.CreatedAt, f.Channel, f.Sentiment,
                f.Text, f.ContactConsentVersion, f.ContactConsentAt, f.Attachments.Count, found.Cases.FirstOrDefault(c => c.FeedbackId == f.Id)?.Id))]);
    }

    /// <summary>Writes a ZIP (person.json and the attachment files) to <paramref name="output"/>; false when nothing was found.</summary>
    public async Task<bool> ExportAsync(PersonKey key, Stream output, CancellationToken ct)
    {
        var found = await FindAsync(key, track: false, ct);
        if (!found.Any) return false;
        var org = await db.Organizations.AsNoTracking().FirstAsync(ct);
        var locationIds = found.Feedback.Select(f => f.LocationId).Distinct().ToList();
        var locations = await db.Locations.AsNoTracking().Where(l => locationIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, l => l.Name, ct);
        var reasonIds = found.Feedback.SelectMany(f => f.Reasons).Select(r => r.ReasonId).Distinct().ToList();
        var reasons = await db.Reasons.AsNoTracking().Where(r => reasonIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => org.Language == "en" ? r.NameEn : r.NameRu, ct);
        var consents = (await ConsentHistory.VersionsAsync(db, ct)).ToDictionary(v => v.Version, v => ConsentTexts.Effective(v.Text, org.Language));
        var surveyIds = found.Invitations.Select(i => i.SurveyId).Concat(found.Responses.Select(r => r.SurveyId)).Distinct().ToList();
        var surveys = await db.Surveys.AsNoTracking().Where(s => surveyIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);

        var export = new PersonExport(time.GetUtcNow(), org.Name, key.Email, key.Phone,
            [.. found.Feedback.Select(f => new ExportedFeedback(f.Id, f.CreatedAt, locations.GetValueOrDefault(f.LocationId, ""), f.Channel, f.Sentiment, f.Text,
                [.. f.Reasons.Select(r => reasons.GetValueOrDefault(r.ReasonId, ""))], f.ContactName, f.ContactPhone, f.ContactEmail,
                f.ContactConsentVersion is { } v ? new ExportedConsent(v, consents.GetValueOrDefault(v) ?? ConsentTexts.Effective(null, org.Language), f.ContactConsentAt, f.Channel) : null,
                f.TestimonialConsent,
                [.. f.Attachments.OrderBy(a => a.CreatedAt).Select(a => new ExportedAttachment(a.Id, a.Kind, a.ContentType, a.Size, a.CreatedAt, FileName(a),
                    new ExportedConsent(a.ConsentVersion, consents.GetValueOrDefault(a.ConsentVersion) ?? ConsentTexts.Effective(null, org.Language), a.ConsentAt, f.Channel)))]))],
            [.. found.Cases.Select(c => new ExportedCase(c.Id, c.FeedbackId, c.CreatedAt, c.Status, c.Summary, c.Resolution,
                [.. found.Events.Where(e => e.CaseId == c.Id).Select(e => new ExportedCaseEvent(e.At, e.Kind, e.By, e.Text, e.Channel))]))],
            [.. found.Invitations.Select(i => new ExportedInvitation(i.Id, surveys.GetValueOrDefault(i.SurveyId, ""), i.ContactEmail, i.ContactPhone, i.VisitedAt, i.SentAt, i.RespondedAt))],
            [.. found.Responses.Select(r => new ExportedResponse(r.Id, surveys.GetValueOrDefault(r.SurveyId, ""), r.CreatedAt, r.KeyScore, r.Comment, [.. r.Answers.Select(a => a.Score)]))]);

        // The audit line is committed before any byte leaves, so an export is never unrecorded.
        db.Record(PrivacyAudit.Exported, "person", null, found.Counts);
        await db.SaveChangesAsync(ct);
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        await using (var json = await zip.CreateEntry("person.json", CompressionLevel.Optimal).OpenAsync(ct))
            await JsonSerializer.SerializeAsync(json, export, Json, ct);
        foreach (var a in found.Feedback.SelectMany(f => f.Attachments))
        {
            await using var source = await store.OpenAsync(a.StorageKey, ct);
            if (source is null)
            {
                log.LogWarning("Attachment {Id} has no file in the store; the export lists it without its bytes", a.Id);
                continue;
            }
            await using var entry = await zip.CreateEntry(FileName(a), CompressionLevel.NoCompression).OpenAsync(ct);
            await source.CopyToAsync(entry, ct);
        }
        return true;
    }

    /// <summary>
    /// Removes everything personal about the person in one transaction, then their files; the anonymous signal stays so
    /// metrics do not move. Null when nothing was found. The audit line carries counts only.
    /// </summary>
    public async Task<PersonErased?> EraseAsync(PersonKey key, CancellationToken ct)
    {
        var found = await FindAsync(key, track: true, ct);
        if (!found.Any) return null;
        var result = new PersonErased(found.Feedback.Count, found.Cases.Count, found.Messages, found.Attachments, found.Invitations.Count, found.Responses.Count);
        var anonymizer = new Anonymizer(db, raiser);
        var ids = found.Feedback.Select(f => f.Id).ToList();
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await anonymizer.ClearContactsAsync(ids, ct);
            await anonymizer.DeleteAttachmentsAsync(ids, ct);
            await anonymizer.ClearTextAsync(ids, ct);
            await ClearSurveyDataAsync(db, found.Invitations, found.Responses, ct);
            await ScrubLeftoversAsync(key, ct);
            db.Record(PrivacyAudit.Erased, "person", null, found.Counts);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        await DeleteFilesAsync(store, anonymizer.AttachmentKeys, log);
        return result;
    }

    /// <summary>Survey invitations lose their contact and outbox message; answers lose the comment, keeping the scores.</summary>
    internal static async Task ClearSurveyDataAsync(OtklikDb db, IReadOnlyList<SurveyInvitation> invitations, IReadOnlyList<SurveyResponse> responses, CancellationToken ct)
    {
        foreach (var i in invitations) (i.ContactEmail, i.ContactPhone) = (null, null);
        foreach (var r in responses) r.Comment = null;
        var deliveryIds = invitations.Where(i => i.DeliveryId != null).Select(i => i.DeliveryId!.Value).ToList();
        if (deliveryIds.Count > 0)
            foreach (var d in await db.NotificationDeliveries.IgnoreQueryFilters().Where(d => deliveryIds.Contains(d.Id)).ToListAsync(ct))
                Anonymizer.ScrubDelivery(d);
    }

    /// <summary>Any other message addressed to the person, and rows of imports that were refused but kept their cells.</summary>
    private async Task ScrubLeftoversAsync(PersonKey key, CancellationToken ct)
    {
        if (key.EmailLower is { } email)
            foreach (var d in await db.NotificationDeliveries.Where(d => d.Address != null && d.Address.ToLower() == email).ToListAsync(ct))
                Anonymizer.ScrubDelivery(d);
        var needles = new[] { key.Email, key.Phone }.OfType<string>().ToList();
        foreach (var needle in needles)
            foreach (var row in await db.ImportRowErrors.Where(e => e.CellsJson.Contains(needle)).ToListAsync(ct))
                row.CellsJson = "[]";
    }

    internal static async Task DeleteFilesAsync(IAttachmentStore store, IEnumerable<string> keys, ILogger log)
    {
        foreach (var key in keys)
        {
            try { await store.DeleteAsync(key, CancellationToken.None); }
            catch (IOException e) { log.LogError(e, "Could not delete attachment file {Key}; delete it by hand", key); }
        }
    }

    private static string FileName(FeedbackAttachment a) => $"attachments/{a.Id:N}{Extension(a.ContentType)}";

    private static string Extension(string contentType) => contentType switch
    {
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "image/webp" => ".webp",
        "image/heic" => ".heic",
        "audio/mp4" => ".m4a",
        "audio/webm" => ".webm",
        "audio/ogg" => ".ogg",
        "audio/wav" => ".wav",
        "audio/mpeg" => ".mp3",
        _ => "",
    };
}

public static class PrivacyAudit
{
    public const string Viewed = "privacy.person-viewed";
    public const string Exported = "privacy.person-exported";
    public const string Erased = "privacy.person-erased";
    public const string RetentionApplied = "privacy.retention-applied";
    public const string RetentionChanged = "privacy.retention-changed";
}
