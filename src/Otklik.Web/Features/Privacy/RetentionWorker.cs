using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Security;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Privacy;

/// <summary>
/// Applies each organization's <see cref="RetentionPolicy"/> once an hour: contacts, attachments and free text older
/// than their limit are removed (the anonymous signal stays), and a <see cref="RetentionRun"/> plus an audit line say
/// what was done. Works in batches, one transaction per organization and batch; one node of a cluster runs it.
/// </summary>
public sealed class RetentionWorker(IServiceScopeFactory scopes, TimeProvider time, ILogger<RetentionWorker> log, Cluster.IClusterLease? lease = null)
    : PeriodicWorker(time, log, lease)
{
    public const int Batch = 500;

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override string FailureMessage => "Applying the retention policies failed";

    protected override Task RunRoundAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>Applies every policy now; returns the runs recorded (organizations where something was removed).</summary>
    public async Task<List<RetentionRun>> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        List<RetentionPolicy> policies;
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
            policies = await scope.ServiceProvider.GetRequiredService<OtklikDb>().RetentionPolicies.AsNoTracking()
                .Where(p => p.ContactMonths != null || p.AttachmentMonths != null || p.FreeTextMonths != null).ToListAsync(ct);
        }
        var runs = new List<RetentionRun>();
        foreach (var policy in policies)
        {
            try
            {
                var run = new RetentionRun { OrganizationId = policy.OrganizationId, At = now };
                while (await ApplyBatchAsync(policy, now, run, ct)) { }
                if (run.ContactsCleared + run.AttachmentsDeleted + run.TextsCleared + run.SurveyContactsCleared + run.SurveyCommentsCleared > 0) runs.Add(run);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Retention of organization {Organization} failed", policy.OrganizationId);
            }
        }
        return runs;
    }

    /// <summary>One batch of one organization in one transaction; true when there may be more.</summary>
    private async Task<bool> ApplyBatchAsync(RetentionPolicy policy, DateTimeOffset now, RetentionRun total, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var org = policy.OrganizationId;
        var anonymizer = new Anonymizer(db, scope.ServiceProvider.GetRequiredService<AlertRaiser>());
        var batch = new RetentionRun { OrganizationId = org, At = now };
        var more = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (policy.ContactMonths is { } contactMonths)
        {
            var cutoff = now.AddMonths(-contactMonths);
            var ids = await db.Feedback.Where(f => f.OrganizationId == org && f.CreatedAt < cutoff
                && (f.ContactName != null || f.ContactPhone != null || f.ContactEmail != null || f.ContactConsentVersion != null))
                .OrderBy(f => f.CreatedAt).Select(f => f.Id).Take(Batch).ToListAsync(ct);
            batch.ContactsCleared = await anonymizer.ClearContactsAsync(ids, ct);
            var invitations = await db.SurveyInvitations.Where(i => i.OrganizationId == org && i.CreatedAt < cutoff && (i.ContactEmail != null || i.ContactPhone != null))
                .OrderBy(i => i.CreatedAt).Take(Batch).ToListAsync(ct);
            await PersonRequests.ClearSurveyDataAsync(db, invitations, [], ct);
            batch.SurveyContactsCleared = invitations.Count;
            more |= ids.Count == Batch || invitations.Count == Batch;
        }
        if (policy.AttachmentMonths is { } attachmentMonths)
        {
            var cutoff = now.AddMonths(-attachmentMonths);
            var ids = await db.FeedbackAttachments.Where(a => a.OrganizationId == org && a.CreatedAt < cutoff)
                .OrderBy(a => a.CreatedAt).Select(a => a.FeedbackId).Take(Batch).ToListAsync(ct);
            batch.AttachmentsDeleted = await anonymizer.DeleteAttachmentsAsync([.. ids.Distinct()], ct);
            more |= ids.Count == Batch;
        }
        if (policy.FreeTextMonths is { } textMonths)
        {
            var cutoff = now.AddMonths(-textMonths);
            var ids = await db.Feedback.Where(f => f.OrganizationId == org && f.CreatedAt < cutoff && (f.Text != null || f.Author != null))
                .OrderBy(f => f.CreatedAt).Select(f => f.Id).Take(Batch).ToListAsync(ct);
            batch.TextsCleared = await anonymizer.ClearTextAsync(ids, ct);
            var responses = await db.SurveyResponses.Where(r => r.OrganizationId == org && r.CreatedAt < cutoff && r.Comment != null)
                .OrderBy(r => r.CreatedAt).Take(Batch).ToListAsync(ct);
            await PersonRequests.ClearSurveyDataAsync(db, [], responses, ct);
            batch.SurveyCommentsCleared = responses.Count;
            more |= ids.Count == Batch || responses.Count == Batch;
        }
        var changed = batch.ContactsCleared + batch.AttachmentsDeleted + batch.TextsCleared + batch.SurveyContactsCleared + batch.SurveyCommentsCleared;
        if (changed == 0 && !db.ChangeTracker.HasChanges())
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        db.RetentionRuns.Add(batch);
        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = org, At = now, Action = PrivacyAudit.RetentionApplied, TargetType = "organization", TargetId = org,
            Detail = $"contacts: {batch.ContactsCleared}, attachments: {batch.AttachmentsDeleted}, free text: {batch.TextsCleared}, "
                + $"survey contacts: {batch.SurveyContactsCleared}, survey comments: {batch.SurveyCommentsCleared}",
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await PersonRequests.DeleteFilesAsync(scope.ServiceProvider.GetRequiredService<IAttachmentStore>(), anonymizer.AttachmentKeys, log);
        total.ContactsCleared += batch.ContactsCleared;
        total.AttachmentsDeleted += batch.AttachmentsDeleted;
        total.TextsCleared += batch.TextsCleared;
        total.SurveyContactsCleared += batch.SurveyContactsCleared;
        total.SurveyCommentsCleared += batch.SurveyCommentsCleared;
        return more && changed > 0;
    }
}
