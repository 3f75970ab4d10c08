using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Cases;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Cases;

public enum CaseOutcome
{
    Ok,
    NotFound,
    Conflict,
    Invalid,
}

/// <summary>What a case operation did: the case as saved, or why nothing changed.</summary>
public sealed record CaseResult(CaseOutcome Outcome, Case? Case = null, string? Error = null, Errors? Errors = null)
{
    public static CaseResult Missing => new(CaseOutcome.NotFound);
    public static CaseResult Refused(string error) => new(CaseOutcome.Conflict, Error: error);
    public static CaseResult Bad(string field, string message) => new(CaseOutcome.Invalid, Errors: new Errors().Add(field, message));
}

/// <summary>A timeline entry a person adds by hand.</summary>
public sealed record TimelineInput(CaseEventKind Kind, string? Text, CompensationKind? CompensationKind, decimal? Amount);

/// <summary>
/// Every change of a case, for the API and the pages alike. Each change loads the case, checks it, raises its
/// <see cref="Case.Version"/> and saves together with its timeline entry (and outbox rows); the save is conditional on the
/// version read, so of two managers moving the same case one wins and the other gets a conflict with nothing changed.
/// </summary>
public sealed class CaseService(OtklikDb db, TenantContext tenant, TimeProvider time, DeliverySignal signal)
{
    public const int FollowUpTokenBytes = 24;

    public async Task<CaseResult> TransitionAsync(Guid id, CaseStatus to, string? resolution, int? expectedVersion, CancellationToken ct,
        bool followUp = false, string? baseUrl = null)
    {
        return await ChangeAsync(id, expectedVersion, async (c, now, by) =>
        {
            var from = c.Status;
            if (!CaseWorkflow.TryTransition(from, to, out var error)) return CaseResult.Refused(error!);
            var text = Clean(resolution);
            if (text is { Length: > Limits.LongText }) return CaseResult.Bad("resolution", $"The resolution may be at most {Limits.LongText} characters.");
            if (to == CaseStatus.Resolved && text is null && c.Resolution is null)
                return CaseResult.Bad("resolution", "Say how the case was resolved.");
            if (to == CaseStatus.Qualified && c.Qualification is null) return CaseResult.Bad("qualification", "Qualify the case to move it to Qualified.");
            c.Status = to;
            if (text is not null) c.Resolution = text;
            if (to == CaseStatus.Resolved) c.ResolvedAt = now;
            if (to is CaseStatus.Closed or CaseStatus.Dismissed) c.ClosedAt = now;
            if (to == CaseStatus.InProgress) c.ResolvedAt = null;
            AddEvent(c, CaseEventKind.StatusChanged, now, by, text, e => { e.FromStatus = from; e.ToStatus = to; });
            if (!CaseWorkflow.IsOpen(to))
                await db.Alerts.Where(a => a.OpenKey == OverdueKey(c.Id)).ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.ResolvedAt, now).SetProperty(a => a.OpenKey, (string?)null).SetProperty(a => a.NextEscalationAt, (DateTimeOffset?)null), ct);
            if (to == CaseStatus.Closed && followUp)
            {
                c.FollowUpToken ??= NewToken();
                var contact = await ContactAsync(c, ct);
                if (contact is { Consent: true } && baseUrl is not null)
                {
                    var link = $"{baseUrl.TrimEnd('/')}/c/{c.FollowUpToken}";
                    var lang = await LanguageAsync(c.OrganizationId, ct);
                    var (subject, body) = lang == "ru"
                        ? ("Ваша проблема решена?", $"Здравствуйте! Ответьте, пожалуйста, одним нажатием: удалось ли решить вашу проблему?\n{link}")
                        : ("Was your problem solved?", $"Hello! Please tell us with one click: was your problem solved?\n{link}");
                    var channel = contact.Email is not null ? MessageChannel.Email : MessageChannel.Sms;
                    var delivery = await QueueAsync(c, contact, channel, subject, body, "case.follow-up", now, ct);
                    if (delivery is not null)
                        AddEvent(c, CaseEventKind.MessageSent, now, by, body, e => { e.Channel = channel; e.DeliveryId = delivery.Id; });
                }
            }
            return null;
        }, ct);
    }

    public Task<CaseResult> QualifyAsync(Guid id, CaseQualification qualification, int? expectedVersion, CancellationToken ct) =>
        ChangeAsync(id, expectedVersion, async (c, now, by) =>
        {
            if (!Enum.IsDefined(qualification)) return CaseResult.Bad("qualification", "Use NotWorthAttention, NeedsReaction or ConsumerTerrorism.");
            if (!CaseWorkflow.IsOpen(c.Status)) return CaseResult.Refused($"A {c.Status} case cannot be qualified.");
            var sla = await CaseOpener.SlaAsync(db, c.OrganizationId, ct);
            c.Qualification = qualification;
            c.DueAt = CaseSla.Due(c.CreatedAt, qualification, sla).DueAt;
            // A new deadline may be met again: allow one more overdue alert for it.
            c.OverdueAlertedAt = null;
            AddEvent(c, CaseEventKind.Qualified, now, by, qualification.ToString(), _ => { });
            if (c.Status == CaseStatus.New)
            {
                c.Status = CaseStatus.Qualified;
                AddEvent(c, CaseEventKind.StatusChanged, now, by, null, e => { e.FromStatus = CaseStatus.New; e.ToStatus = CaseStatus.Qualified; });
            }
            return null;
        }, ct);

    public Task<CaseResult> AssignAsync(Guid id, Guid? userId, int? expectedVersion, CancellationToken ct) =>
        ChangeAsync(id, expectedVersion, async (c, now, by) =>
        {
            if (CaseWorkflow.IsFinal(c.Status)) return CaseResult.Refused($"A {c.Status} case cannot be reassigned.");
            string? name = null;
            if (userId is { } u)
            {
                name = await db.Users.AsNoTracking().Where(x => x.Id == u && x.OrganizationId == c.OrganizationId).Select(x => x.DisplayName ?? x.Email).FirstOrDefaultAsync(ct);
                if (name is null) return CaseResult.Bad("userId", "No such user.");
            }
            c.AssigneeUserId = userId;
            AddEvent(c, CaseEventKind.Assigned, now, by, name, _ => { });
            return null;
        }, ct);

    public Task<CaseResult> SetRootCauseAsync(Guid id, Guid? reasonId, int? expectedVersion, CancellationToken ct) =>
        ChangeAsync(id, expectedVersion, async (c, now, by) =>
        {
            if (CaseWorkflow.IsFinal(c.Status)) return CaseResult.Refused($"A {c.Status} case cannot change its root cause.");
            string? name = null;
            if (reasonId is { } r)
            {
                var reason = await db.Reasons.AsNoTracking().FirstOrDefaultAsync(x => x.Id == r, ct);
                if (reason is null || reason.IsArchived) return CaseResult.Bad("reasonId", "No such reason.");
                name = reason.NameEn;
            }
            c.RootCauseId = reasonId;
            AddEvent(c, CaseEventKind.RootCauseSet, now, by, name, _ => { });
            return null;
        }, ct);

    public Task<CaseResult> AddTimelineAsync(Guid id, TimelineInput input, int? expectedVersion, CancellationToken ct) =>
        ChangeAsync(id, expectedVersion, (c, now, by) =>
        {
            var errors = new Errors();
            errors.Check(input.Kind is CaseEventKind.Note or CaseEventKind.Call or CaseEventKind.Compensation, "kind", "Use Note, Call or Compensation.");
            var text = Clean(input.Text);
            errors.Check(text is null || text.Length <= Limits.LongText, "text", $"The text may be at most {Limits.LongText} characters.");
            if (input.Kind == CaseEventKind.Compensation)
            {
                errors.Check(input.CompensationKind is { } k && Enum.IsDefined(k), "compensationKind", "Use Material or Goodwill.");
                errors.Check(input.Amount is >= 0 and <= 10_000_000, "amount", "Give an amount between 0 and 10 000 000.");
            }
            else errors.Check(text is not null, "text", "Write what happened.");
            if (errors.Any) return Task.FromResult<CaseResult?>(new CaseResult(CaseOutcome.Invalid, Errors: errors));
            if (CaseWorkflow.IsFinal(c.Status)) return Task.FromResult<CaseResult?>(CaseResult.Refused($"A {c.Status} case is read-only."));
            AddEvent(c, input.Kind, now, by, text, e =>
            {
                if (input.Kind != CaseEventKind.Compensation) return;
                e.CompensationKind = input.CompensationKind;
                e.Amount = input.Amount;
            });
            if (input.Kind == CaseEventKind.Call) c.FirstResponseAt ??= now;
            return Task.FromResult<CaseResult?>(null);
        }, ct);

    /// <summary>
    /// Answers the customer: an e-mail through the alert SMTP settings, or SMS / WhatsApp through the organization's messaging
    /// webhook. Refused (409) without the customer's consent or without a contact for that channel.
    /// </summary>
    public Task<CaseResult> SendMessageAsync(Guid id, MessageChannel channel, string? subject, string? text, int? expectedVersion, CancellationToken ct) =>
        ChangeAsync(id, expectedVersion, async (c, now, by) =>
        {
            var errors = new Errors();
            errors.Check(Enum.IsDefined(channel), "channel", "Use Email, Sms or WhatsApp.");
            var body = Clean(text);
            errors.Check(body is not null, "text", "Write the message.");
            errors.Check(body is null || body.Length <= Limits.LongText * 2, "text", "The message is too long.");
            var subj = Clean(subject) ?? "";
            errors.Check(subj.Length <= Limits.Text, "subject", $"The subject may be at most {Limits.Text} characters.");
            if (errors.Any) return new CaseResult(CaseOutcome.Invalid, Errors: errors);
            if (CaseWorkflow.IsFinal(c.Status)) return CaseResult.Refused($"A {c.Status} case is read-only.");
            var contact = await ContactAsync(c, ct);
            if (contact is not { Consent: true }) return CaseResult.Refused("The customer left no contact with consent to be answered.");
            if (channel == MessageChannel.Email && contact.Email is null) return CaseResult.Refused("The customer left no e-mail address.");
            if (channel != MessageChannel.Email && contact.Phone is null) return CaseResult.Refused("The customer left no phone number.");
            var delivery = await QueueAsync(c, contact, channel, subj, body!, "case.message", now, ct);
            if (delivery is null) return CaseResult.Refused("SMS and WhatsApp need the messaging webhook in the case settings.");
            AddEvent(c, CaseEventKind.MessageSent, now, by, subj.Length > 0 ? subj + "\n\n" + body : body, e => { e.Channel = channel; e.DeliveryId = delivery.Id; });
            c.FirstResponseAt ??= now;
            return null;
        }, ct);

    public sealed record Contact(bool Consent, string? Name, string? Email, string? Phone);

    /// <summary>The customer's contact, present only when they gave consent.</summary>
    public async Task<Contact?> ContactAsync(Case c, CancellationToken ct)
    {
        if (c.FeedbackId is not { } fid) return null;
        var f = await db.Feedback.AsNoTracking().Where(x => x.Id == fid)
            .Select(x => new { x.ContactConsentVersion, x.ContactName, x.ContactEmail, x.ContactPhone }).FirstOrDefaultAsync(ct);
        if (f is null) return null;
        var consent = f.ContactConsentVersion is not null && (f.ContactEmail is not null || f.ContactPhone is not null);
        return new Contact(consent, f.ContactName, consent ? f.ContactEmail : null, consent ? f.ContactPhone : null);
    }

    private async Task<NotificationDelivery?> QueueAsync(Case c, Contact contact, MessageChannel channel, string subject, string text, string @event,
        DateTimeOffset now, CancellationToken ct)
    {
        if (channel != MessageChannel.Email)
        {
            var settings = await db.CaseSettings.AsNoTracking().FirstOrDefaultAsync(s => s.OrganizationId == c.OrganizationId, ct);
            if (settings?.MessagingWebhookUrl is null) return null;
        }
        var payload = JsonSerializer.Serialize(new
        {
            type = @event,
            timestamp = now,
            data = new { caseId = c.Id, locationId = c.LocationId, channel = channel.ToString(), to = channel == MessageChannel.Email ? contact.Email : contact.Phone, subject, text },
        }, AlertRaiser.PayloadJson);
        var delivery = new NotificationDelivery
        {
            OrganizationId = c.OrganizationId, LocationId = c.LocationId, Kind = channel == MessageChannel.Email ? ChannelKind.Email : ChannelKind.Webhook,
            Address = channel == MessageChannel.Email ? contact.Email : null, Event = @event,
            Subject = subject.Length > Limits.Text ? subject[..Limits.Text] : subject, Text = text, Payload = payload,
            Status = DeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now,
        };
        db.NotificationDeliveries.Add(delivery);
        return delivery;
    }

    private async Task<string> LanguageAsync(Guid organizationId, CancellationToken ct) =>
        await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => o.Language).FirstOrDefaultAsync(ct) ?? "en";

    public static string OverdueKey(Guid caseId) => "case:" + caseId.ToString("N");

    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(FollowUpTokenBytes));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Loads, applies, raises the version and saves conditionally; a null from <paramref name="apply"/> means success.</summary>
    private async Task<CaseResult> ChangeAsync(Guid id, int? expectedVersion, Func<Case, DateTimeOffset, (Guid? UserId, string? Name), Task<CaseResult?>> apply, CancellationToken ct)
    {
        var c = await db.Cases.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (c is null) return CaseResult.Missing;
        if (expectedVersion is { } v && v != c.Version) return CaseResult.Refused("The case was changed by someone else. Reload it and try again.");
        var by = await WhoAsync(ct);
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var refused = await apply(c, now, by);
        if (refused is not null)
        {
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return refused;
        }
        c.Version++;
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            await tx.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            return CaseResult.Refused("The case was changed by someone else. Reload it and try again.");
        }
        if (db.ChangeTracker.Entries<NotificationDelivery>().Any()) signal.Wake();
        return new CaseResult(CaseOutcome.Ok, c);
    }

    private void AddEvent(Case c, CaseEventKind kind, DateTimeOffset now, (Guid? UserId, string? Name) by, string? text, Action<CaseEvent> fill)
    {
        var e = new CaseEvent
        {
            OrganizationId = c.OrganizationId, LocationId = c.LocationId, CaseId = c.Id, Kind = kind, At = now, ByUserId = by.UserId, By = by.Name,
            Text = text is { Length: > Limits.LongText } ? text[..Limits.LongText] : text,
        };
        fill(e);
        db.CaseEvents.Add(e);
    }

    private async Task<(Guid? UserId, string? Name)> WhoAsync(CancellationToken ct)
    {
        if (tenant.UserId is { } userId)
            return (userId, await db.Users.AsNoTracking().Where(u => u.Id == userId && u.OrganizationId == tenant.OrganizationId)
                .Select(u => u.DisplayName ?? u.Email).FirstOrDefaultAsync(ct));
        if (tenant.ApiKeyId is { } keyId)
            return (null, await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId).Select(k => k.Name).FirstOrDefaultAsync(ct));
        return (null, null);
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
