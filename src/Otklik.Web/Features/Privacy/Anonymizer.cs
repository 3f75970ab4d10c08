using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Feedback;

namespace Otklik.Web.Features.Privacy;

/// <summary>
/// Removes the personal parts of feedback and of everything made from it (cases, their timelines and messages, alerts and
/// their outbox rows, testimonials), keeping the anonymous signal: sentiment, reasons, channel, location, times, case
/// status. Changes are tracked on the caller's context; the caller saves them in one transaction and then deletes
/// <see cref="AttachmentKeys"/> from the store. Used by per-person erasure and by the retention job.
/// </summary>
public sealed class Anonymizer(OtklikDb db, AlertRaiser raiser)
{
    /// <summary>Put where a required text was erased.</summary>
    public const string Erased = "[erased]";

    /// <summary>Timeline entries whose text is written by Otklik (a qualification, an assignee, a root cause) and stays.</summary>
    private static readonly CaseEventKind[] SystemTexts = [CaseEventKind.Qualified, CaseEventKind.Assigned, CaseEventKind.RootCauseSet];

    /// <summary>Attachment files to delete from the store once the changes are committed.</summary>
    public List<string> AttachmentKeys { get; } = [];

    /// <summary>Clears names, phone numbers and e-mail addresses (and the consent that covered them); returns how many feedback rows had one.</summary>
    public async Task<int> ClearContactsAsync(IReadOnlyCollection<Guid> feedbackIds, CancellationToken ct)
    {
        if (feedbackIds.Count == 0) return 0;
        var rows = await db.Feedback.IgnoreQueryFilters().Where(f => feedbackIds.Contains(f.Id)).ToListAsync(ct);
        var cleared = 0;
        foreach (var f in rows)
        {
            if (f.ContactName is null && f.ContactPhone is null && f.ContactEmail is null && f.ContactConsentVersion is null) continue;
            (f.ContactName, f.ContactPhone, f.ContactEmail, f.ContactConsentVersion, f.ContactConsentAt) = (null, null, null, null, null);
            cleared++;
        }
        foreach (var f in rows) f.UserAgentHash = null;
        foreach (var t in await db.Testimonials.IgnoreQueryFilters().Where(t => feedbackIds.Contains(t.Id) && t.AuthorName != null).ToListAsync(ct))
            t.AuthorName = null;
        await ScrubCustomerMessagesAsync(feedbackIds, ct);
        return cleared;
    }

    /// <summary>Removes photo and voice rows; their files go in <see cref="AttachmentKeys"/>.</summary>
    public async Task<int> DeleteAttachmentsAsync(IReadOnlyCollection<Guid> feedbackIds, CancellationToken ct)
    {
        if (feedbackIds.Count == 0) return 0;
        var rows = await db.FeedbackAttachments.IgnoreQueryFilters().Where(a => feedbackIds.Contains(a.FeedbackId)).ToListAsync(ct);
        AttachmentKeys.AddRange(rows.Select(a => a.StorageKey));
        db.FeedbackAttachments.RemoveRange(rows);
        return rows.Count;
    }

    /// <summary>
    /// Clears what the customer wrote and what carries it: the case summary and resolution, the free text of the timeline,
    /// messages to the customer, alert titles quoting it (and their outbox rows), published testimonials.
    /// Returns how many feedback rows had text.
    /// </summary>
    public async Task<int> ClearTextAsync(IReadOnlyCollection<Guid> feedbackIds, CancellationToken ct)
    {
        if (feedbackIds.Count == 0) return 0;
        var rows = await db.Feedback.IgnoreQueryFilters().Where(f => feedbackIds.Contains(f.Id)).ToListAsync(ct);
        var cleared = rows.Count(f => f.Text is not null || f.Author is not null);
        var texts = rows.Where(f => f.Text is not null).Select(f => f.Text!).ToList();
        foreach (var f in rows) (f.Text, f.Author, f.TestimonialConsent) = (null, null, false);
        db.Testimonials.RemoveRange(await db.Testimonials.IgnoreQueryFilters().Where(t => feedbackIds.Contains(t.Id)).ToListAsync(ct));

        var cases = await db.Cases.IgnoreQueryFilters().Where(c => c.FeedbackId != null && feedbackIds.Contains(c.FeedbackId.Value)).ToListAsync(ct);
        var summaries = cases.Where(c => c.Summary != Erased).Select(c => c.Summary).ToList();
        foreach (var c in cases) (c.Summary, c.Resolution) = (Erased, null);
        var caseIds = cases.Select(c => c.Id).ToList();
        foreach (var e in await db.CaseEvents.IgnoreQueryFilters().Where(e => caseIds.Contains(e.CaseId) && e.Text != null && !SystemTexts.Contains(e.Kind)).ToListAsync(ct))
            e.Text = null;
        await ScrubCustomerMessagesAsync(feedbackIds, ct);
        await RetitleAlertsAsync(feedbackIds, caseIds, summaries, texts, ct);
        return cleared;
    }

    /// <summary>Messages to the customer (answers, follow-up questions): address and words go; the row stays as a record that something was sent.</summary>
    private async Task ScrubCustomerMessagesAsync(IReadOnlyCollection<Guid> feedbackIds, CancellationToken ct)
    {
        var deliveryIds = await db.CaseEvents.IgnoreQueryFilters()
            .Where(e => e.DeliveryId != null && db.Cases.IgnoreQueryFilters().Any(c => c.Id == e.CaseId && c.FeedbackId != null && feedbackIds.Contains(c.FeedbackId.Value)))
            .Select(e => e.DeliveryId!.Value).ToListAsync(ct);
        if (deliveryIds.Count == 0) return;
        foreach (var d in await db.NotificationDeliveries.IgnoreQueryFilters().Where(d => deliveryIds.Contains(d.Id)).ToListAsync(ct))
            ScrubDelivery(d);
    }

    /// <summary>A message to a person who is erased: nothing of it remains but its existence, and it is not sent any more.</summary>
    public static void ScrubDelivery(NotificationDelivery d)
    {
        (d.Address, d.Subject, d.Text, d.Payload) = (null, Erased, Erased, "{}");
        if (d.Status == DeliveryStatus.Pending) (d.Status, d.LastError) = (DeliveryStatus.Failed, "Not sent: the recipient's data was erased.");
    }

    /// <summary>Alerts quote the customer's words in their title (negative feedback, an overdue case); they get the title without them.</summary>
    private async Task RetitleAlertsAsync(IReadOnlyCollection<Guid> feedbackIds, List<Guid> caseIds, List<string> summaries, List<string> texts, CancellationToken ct)
    {
        var alerts = await db.Alerts.IgnoreQueryFilters().Where(a => a.FeedbackId != null && feedbackIds.Contains(a.FeedbackId.Value)).ToListAsync(ct);
        var keys = caseIds.Select(CaseService.OverdueKey).ToList();
        alerts.AddRange(await db.Alerts.IgnoreQueryFilters().Where(a => a.Kind == AlertKind.CaseOverdue && a.OpenKey != null && keys.Contains(a.OpenKey)).ToListAsync(ct));
        // An overdue alert forgets its case once resolved: its title (the case summary) is what links it.
        foreach (var quote in summaries.Concat(texts).Select(Quote).Where(q => q.Length >= 8).Distinct(StringComparer.Ordinal))
            alerts.AddRange(await db.Alerts.IgnoreQueryFilters().Where(a => a.Kind == AlertKind.CaseOverdue && a.Title.Contains(quote)).ToListAsync(ct));
        alerts = [.. alerts.DistinctBy(a => a.Id)];
        if (alerts.Count == 0) return;
        var orgIds = alerts.Select(a => a.OrganizationId).Distinct().ToList();
        var languages = await db.Organizations.IgnoreQueryFilters().Where(o => orgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Language, ct);
        var retitled = new Dictionary<Guid, (string Old, string New)>();
        foreach (var a in alerts)
        {
            var title = raiser.Title(a.Kind, languages.GetValueOrDefault(a.OrganizationId, "en"), null, null, a.Kind == AlertKind.CaseOverdue ? Erased : null);
            if (title == a.Title) continue;
            retitled[a.Id] = (a.Title, title);
            a.Title = title;
        }
        var ids = retitled.Keys.ToList();
        foreach (var d in await db.NotificationDeliveries.IgnoreQueryFilters().Where(d => d.AlertId != null && ids.Contains(d.AlertId.Value)).ToListAsync(ct))
        {
            var (old, @new) = retitled[d.AlertId!.Value];
            d.Subject = d.Subject.Replace(old, @new, StringComparison.Ordinal);
            d.Text = d.Text.Replace(old, @new, StringComparison.Ordinal);
            d.Payload = d.Payload.Replace(JsonSerializer.Serialize(old, AlertRaiser.PayloadJson), JsonSerializer.Serialize(@new, AlertRaiser.PayloadJson), StringComparison.Ordinal);
        }
    }

    /// <summary>The part of a text an alert title quotes for sure (titles cut long texts).</summary>
    private static string Quote(string text) => (text.Length <= 40 ? text : text[..40]).TrimEnd('…');
}
