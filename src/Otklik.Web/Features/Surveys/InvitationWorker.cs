using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Surveys;

/// <summary>
/// Hands due invitations to the alerts' outbox (<see cref="NotificationDelivery"/>), which the <see cref="DeliveryWorker"/>
/// sends by e-mail or webhook with its retries and log. Safe on many nodes: an invitation is claimed by a conditional
/// update of <see cref="SurveyInvitation.SentAt"/>, in the same transaction that writes its outbox row, so it goes out once.
/// </summary>
public sealed class InvitationWorker(IServiceScopeFactory scopes, IOptions<SurveyOptions> options, TimeProvider time, DeliverySignal signal,
    ILogger<InvitationWorker> log, Otklik.Web.Features.Cluster.IClusterLease? lease = null) : PeriodicWorker(time, log, lease)
{
    public const string Event = "survey.invitation";

    protected override TimeSpan Interval => options.Value.InvitationInterval;

    protected override string FailureMessage => "Sending survey invitations failed";

    protected override Task RunRoundAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>Queues every invitation due now; returns how many this node queued.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var due = await db.SurveyInvitations.AsNoTracking()
            .Where(i => i.SentAt == null && i.SkippedReason == null && i.DueAt <= now)
            .OrderBy(i => i.DueAt).Take(200).ToListAsync(ct);
        var queued = 0;
        foreach (var invitation in due)
        {
            try
            {
                if (await QueueAsync(db, invitation, now, ct)) queued++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Queueing survey invitation {Invitation} failed", invitation.Id);
            }
            db.ChangeTracker.Clear();
        }
        if (queued > 0) signal.Wake();
        return queued;
    }

    private static async Task<bool> QueueAsync(OtklikDb db, SurveyInvitation invitation, DateTimeOffset now, CancellationToken ct)
    {
        var survey = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.Id == invitation.SurveyId, ct);
        var location = await db.Locations.AsNoTracking().FirstOrDefaultAsync(l => l.Id == invitation.LocationId, ct);
        var language = await db.Organizations.AsNoTracking().Where(o => o.Id == invitation.OrganizationId).Select(o => o.Language).FirstOrDefaultAsync(ct) ?? "ru";
        NotificationChannel? channel = null;
        if (invitation.ContactEmail is null && survey?.InvitationChannelId is { } channelId)
            channel = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == channelId && c.Enabled, ct);

        string? skipped = survey is null || location is null ? "The survey or the location is gone."
            : !survey.IsOpenAt(now) ? "The survey was closed when the invitation was due."
            : invitation.ContactEmail is null && channel is null ? "No e-mail address and no invitation channel."
            : null;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (skipped is not null)
        {
            await db.SurveyInvitations.Where(i => i.Id == invitation.Id && i.SentAt == null && i.SkippedReason == null)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.SkippedReason, skipped), ct);
            await tx.CommitAsync(ct);
            return false;
        }

        var delivery = Delivery(invitation, survey!, location!, language, channel, now);
        var claimed = await db.SurveyInvitations.Where(i => i.Id == invitation.Id && i.SentAt == null && i.SkippedReason == null)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.SentAt, now).SetProperty(i => i.DeliveryId, delivery.Id), ct);
        if (claimed != 1)
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        db.NotificationDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private static NotificationDelivery Delivery(SurveyInvitation invitation, Survey survey, Locations.Location location, string language,
        NotificationChannel? channel, DateTimeOffset now)
    {
        var link = SurveysApi.LinkOf(invitation, survey, location);
        var (subject, text) = language == "en"
            ? ($"How was your visit to {location.Name}?", $"Thank you for visiting {location.Name}. Tell us how it went — it takes a minute:\n{link}")
            : ($"Как прошёл ваш визит в «{location.Name}»?", $"Спасибо, что были в «{location.Name}». Расскажите, как всё прошло, — это займёт минуту:\n{link}");
        var payload = JsonSerializer.Serialize(new
        {
            type = Event, invitationId = invitation.Id, surveyId = survey.Id, locationId = location.Id, location = location.Name,
            email = invitation.ContactEmail, phone = invitation.ContactPhone, visitedAt = invitation.VisitedAt, link, text,
        }, AlertRaiser.PayloadJson);
        return new NotificationDelivery
        {
            OrganizationId = invitation.OrganizationId, LocationId = invitation.LocationId, ChannelId = channel?.Id,
            Kind = channel?.Kind ?? ChannelKind.Email, Address = channel is null ? invitation.ContactEmail : null,
            Event = Event, Subject = subject, Text = text, Payload = payload, Status = DeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now,
        };
    }
}
