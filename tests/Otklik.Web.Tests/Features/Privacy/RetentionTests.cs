using System.Net;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Privacy;
using Otklik.Web.Features.Security;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tests.Features.Alerts;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Privacy;

/// <summary>The retention job as it runs in the host: fake time moves months ahead and the worker's hourly round does the work.</summary>
public abstract class RetentionTests(IAlertsApp fixture)
{
    private readonly OtklikApp app = fixture.App;

    private async Task<Guid> ComplaintAsync(HttpClient owner, Seed seed, string tag)
    {
        var created = await (await owner.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = seed.Location.Id, channel = "CallCentre", sentiment = "Negative", reasonIds = new[] { seed.Reason.Id }, text = $"Rude waiter {tag}",
            contactName = $"Oleg {tag}", contactEmail = $"oleg.{tag}@example.com", contactConsent = true, attachments = new[] { Convert.ToBase64String(Files.Jpeg) }, attachmentConsent = true,
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);
        return created.Id;
    }

    private async Task<List<RetentionRunDto>> AdvanceAndWaitAsync(HttpClient owner, DateTimeOffset to, int expectedRuns)
    {
        fixture.Time.Advance(to - fixture.Time.GetUtcNow());
        for (var i = 0; i < 600; i++)
        {
            var runs = await (await owner.GetAsync("/api/v1/privacy/retention/runs")).ReadAsync<List<RetentionRunDto>>();
            if (runs.Count >= expectedRuns && runs[0].At == to) return runs;
            await Task.Delay(100);
        }
        throw new TimeoutException($"The retention job did not record run {expectedRuns} at {to:O}.");
    }

    private Task<Otklik.Web.Features.Feedback.Feedback> RowAsync(Seed seed, Guid id) =>
        app.WithDbAsync(db => db.Feedback.AsNoTracking().Include(f => f.Attachments).Include(f => f.Reasons).SingleAsync(f => f.Id == id), seed.Org.Id);

    [Fact]
    public async Task PastEachLimit_ContactsAttachmentsAndTexts_AreRemoved_WithAReport_AndTheSignalStays()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        await (await owner.PutJsonAsync("/api/v1/privacy/retention", new { contactMonths = 0 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await owner.PutJsonAsync("/api/v1/privacy/retention", new { contactMonths = 12, attachmentMonths = 6, freeTextMonths = 24 })).ReadAsync<RetentionDto>();
        var start = fixture.Time.GetUtcNow();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var old = await ComplaintAsync(owner, seed, tag);
        var oldFile = (await RowAsync(seed, old)).Attachments.Single().StorageKey;
        var filePath = Path.Combine(app.DataFolder, "attachments", oldFile);
        Assert.True(File.Exists(filePath));

        // 7 months on: the photos (this one and the seed's) are past their 6 months; contact and text stay.
        var runs = await AdvanceAndWaitAsync(owner, start.AddMonths(7).AddHours(2), 1);
        Assert.Equal((0, 2, 0), (runs[0].ContactsCleared, runs[0].AttachmentsDeleted, runs[0].TextsCleared));
        var row = await RowAsync(seed, old);
        Assert.Empty(row.Attachments);
        Assert.False(File.Exists(filePath));
        Assert.Equal(($"oleg.{tag}@example.com", $"Rude waiter {tag}"), (row.ContactEmail, row.Text));
        var fresh = await ComplaintAsync(owner, seed, tag + "n");

        // 12 months and a day: the old contact goes, the fresh complaint (5 months old) keeps everything.
        runs = await AdvanceAndWaitAsync(owner, start.AddMonths(12).AddDays(1), 2);
        Assert.Equal((1, 0, 0), (runs[0].ContactsCleared, runs[0].AttachmentsDeleted, runs[0].TextsCleared));
        row = await RowAsync(seed, old);
        Assert.Equal((null, null, (int?)null), (row.ContactEmail, row.ContactName, row.ContactConsentVersion));
        Assert.Equal($"Rude waiter {tag}", row.Text);
        var kept = await RowAsync(seed, fresh);
        Assert.Equal(($"oleg.{tag}n@example.com", 1), (kept.ContactEmail, kept.Attachments.Count));

        // 25 months: the old texts (this one and the seed's) go too, with the case summary that quoted it; the signal stays.
        runs = await AdvanceAndWaitAsync(owner, start.AddMonths(25), 3);
        Assert.Equal(2, runs[0].TextsCleared);
        Assert.Equal($"Rude waiter {tag}n", (await RowAsync(seed, fresh)).Text);
        row = await RowAsync(seed, old);
        Assert.Null(row.Text);
        Assert.Equal((Sentiment.Negative, seed.Reason.Id), (row.Sentiment, Assert.Single(row.Reasons).ReasonId));
        var summary = await app.WithDbAsync(db => db.Cases.Where(c => c.FeedbackId == old).Select(c => c.Summary).SingleAsync(), seed.Org.Id);
        Assert.Equal(Anonymizer.Erased, summary);

        var audit = await (await owner.GetAsync($"/api/v1/audit?action={PrivacyAudit.RetentionApplied}")).ReadAsync<Page<AuditEntryDto>>();
        Assert.True(audit.Items.Count >= 3, "Each retention run is in the audit log.");
        Assert.DoesNotContain(audit.Items, e => e.Detail!.Contains(tag, StringComparison.Ordinal));
    }
}

public sealed class RetentionSqliteTests(AlertsSqliteApp app) : RetentionTests(app), IClassFixture<AlertsSqliteApp>;

[Trait("Database", "Postgres")]
public sealed class RetentionPostgresTests(AlertsPostgresApp app) : RetentionTests(app), IClassFixture<AlertsPostgresApp>;
