using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Core.Cases;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tests.Features.Alerts;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Cases;

public abstract class CasesTests(IAlertsApp fixture)
{
    private readonly OtklikApp app = fixture.App;
    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private Task<List<Case>> CasesAsync(Seed seed) =>
        app.WithDbAsync(db => db.Cases.AsNoTracking().OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(), seed.Org.Id);

    private async Task<Guid> FeedbackAsync(Seed seed, string sentiment, string text, bool consent = false, string? email = null, string? name = null)
    {
        var created = await (await seed.Org.Owner().PostJsonAsync("/api/v1/feedback", new
        {
            locationId = seed.Location.Id, channel = "CallCentre", sentiment, text, contactName = name, contactEmail = email, contactConsent = consent,
            reasonIds = sentiment == "Negative" ? new[] { seed.Reason.Id } : [],
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);
        return created.Id;
    }

    private async Task<Case> CaseOfAsync(Seed seed, Guid feedbackId) =>
        await app.WithDbAsync(db => db.Cases.AsNoTracking().SingleAsync(c => c.FeedbackId == feedbackId), seed.Org.Id);

    private async Task<string> StateAsync(Guid caseId) => await app.WithDbAsync(async db =>
    {
        var c = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == caseId);
        var events = await db.CaseEvents.CountAsync(e => e.CaseId == caseId);
        return $"{c.Status}|{c.Qualification}|{c.Version}|{c.Resolution}|{c.ClosedAt:O}|{events}";
    });

    [Fact]
    public async Task NegativeFeedback_OpensACase_WithTheUnqualifiedSla_PositiveDoesNot()
    {
        var seed = await Seed.CreateAsync(app);
        await FeedbackAsync(seed, "Positive", "Lovely");

        var cases = await CasesAsync(seed);

        var c = Assert.Single(cases);   // the seed's negative kiosk feedback
        Assert.Equal((seed.Feedback.Id, CaseStatus.New, seed.Location.Id), (c.FeedbackId, c.Status, c.LocationId));
        Assert.Equal(c.CreatedAt.AddHours(4), c.DueAt);
        var listed = await (await seed.Org.Owner().GetAsync("/api/v1/cases?status=open")).ReadAsync<Page<CaseDto>>();
        Assert.Equal(c.Id, Assert.Single(listed.Items).Id);
        var detail = await (await seed.Org.Owner().GetAsync($"/api/v1/cases/{c.Id}")).ReadAsync<CaseDetailDto>();
        Assert.Equal(CaseEventKind.Created, Assert.Single(detail.Timeline).Kind);
        Assert.False(detail.CanAnswer);
    }

    [Fact]
    public async Task RedPress_OpensACase_OnlyWhereTheLocationRuleIsOn()
    {
        var seed = await Seed.CreateAsync(app);
        var device = new TestDevice(app, seed.Device.Device.Id, seed.Device.Token);
        (await device.PostAsync(TestDevice.Event(Guid.NewGuid(), "red", Now.AddMinutes(-10)))).EnsureSuccessStatusCode();
        Assert.DoesNotContain(await CasesAsync(seed), c => c.PressId is not null);

        var rule = await (await seed.Org.Owner().PutJsonAsync($"/api/v1/locations/{seed.Location.Id}/case-rule", new { openCaseOnRedPress = true })).ReadAsync<CaseRuleDto>();
        Assert.True(rule.OpenCaseOnRedPress);
        var id = Guid.NewGuid();
        (await device.PostAsync(TestDevice.Event(id, "red", Now))).EnsureSuccessStatusCode();

        var press = await app.WithDbAsync(db => db.ButtonPresses.SingleAsync(p => p.EventId == id), seed.Org.Id);
        var c = Assert.Single(await CasesAsync(seed), c => c.PressId is not null);
        Assert.Equal((press.Id, seed.Staff.Id, CaseStatus.New), (c.PressId, c.StaffMemberId, c.Status));
    }

    [Fact]
    public async Task ForbiddenTransition_Is409ProblemDetails_AndChangesNothing()
    {
        var seed = await Seed.CreateAsync(app);
        var c = Assert.Single(await CasesAsync(seed));
        using var owner = seed.Org.Owner();
        var before = await StateAsync(c.Id);

        foreach (var to in new[] { "InProgress", "Resolved", "Closed", "New" })
        {
            var problem = await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to })).AssertProblemAsync(HttpStatusCode.Conflict);
            Assert.Contains("New", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        // New → Qualified needs a qualification: a 400, also with nothing changed.
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "Qualified" })).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(before, await StateAsync(c.Id));
        var dismissed = await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "Dismissed", resolution = "Duplicate" })).ReadAsync<CaseDto>();
        Assert.Equal(CaseStatus.Dismissed, dismissed.Status);
        var afterDismiss = await StateAsync(c.Id);
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "InProgress" })).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/qualify", new { qualification = "NeedsReaction" })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(afterDismiss, await StateAsync(c.Id));
    }

    [Fact]
    public async Task ACase_RunsToClosure_WithQualificationSlaRootCauseAssigneeAndTimeline()
    {
        var seed = await Seed.CreateAsync(app);
        var c = Assert.Single(await CasesAsync(seed));
        using var owner = seed.Org.Owner();

        var q = await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/qualify", new { qualification = "NeedsReaction", version = c.Version })).ReadAsync<CaseDto>();
        Assert.Equal((CaseStatus.Qualified, CaseQualification.NeedsReaction, c.CreatedAt.AddHours(24)), (q.Status, q.Qualification, q.DueAt!.Value));
        var rootCause = await (await owner.PostJsonAsync("/api/v1/reasons", new { kind = "Negative", nameRu = "Нет кассира", nameEn = "No cashier" })).ReadAsync<Otklik.Web.Features.Reasons.ReasonDto>(HttpStatusCode.Created);
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/root-cause", new { reasonId = rootCause.Id })).ReadAsync<CaseDto>();
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/assign", new { userId = seed.User.Id })).ReadAsync<CaseDto>();
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "InProgress" })).ReadAsync<CaseDto>();
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/timeline", new { kind = "Call", text = "Called the customer" })).ReadAsync<CaseDto>();
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/timeline", new { kind = "Compensation", compensationKind = "Material", amount = 500m, text = "Voucher" })).ReadAsync<CaseDto>();
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/timeline", new { kind = "Compensation", compensationKind = "Bogus", amount = 1 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "Resolved" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "Resolved", resolution = "Second cashier at peak hours" })).ReadAsync<CaseDto>();
        var closed = await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "Closed" })).ReadAsync<CaseDto>();

        Assert.Equal((CaseStatus.Closed, rootCause.Id, seed.User.Id, "Second cashier at peak hours"), (closed.Status, closed.RootCauseId!.Value, closed.AssigneeUserId!.Value, closed.Resolution));
        Assert.Empty(closed.NextStatuses);
        var detail = await (await owner.GetAsync($"/api/v1/cases/{c.Id}")).ReadAsync<CaseDetailDto>();
        var compensation = Assert.Single(detail.Timeline, e => e.Kind == CaseEventKind.Compensation);
        Assert.Equal((CompensationKind.Material, 500m), (compensation.CompensationKind!.Value, compensation.Amount!.Value));
        Assert.Equal(
            new[] { CaseStatus.Qualified, CaseStatus.InProgress, CaseStatus.Resolved, CaseStatus.Closed },
            detail.Timeline.Where(e => e.Kind == CaseEventKind.StatusChanged).Select(e => e.ToStatus!.Value).ToArray());
        Assert.NotNull(detail.Case.FirstResponseAt);
    }

    [Fact]
    public async Task TwoManagers_MovingTheSameCase_OneWins_TheOtherGets409()
    {
        var seed = await Seed.CreateAsync(app);
        var c = Assert.Single(await CasesAsync(seed));
        using var a = seed.Org.Owner();
        using var b = seed.Org.Owner();

        var first = await a.PostJsonAsync($"/api/v1/cases/{c.Id}/qualify", new { qualification = "NeedsReaction", version = c.Version });
        var second = await b.PostJsonAsync($"/api/v1/cases/{c.Id}/qualify", new { qualification = "ConsumerTerrorism", version = c.Version });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await second.AssertProblemAsync(HttpStatusCode.Conflict);
        var now = Assert.Single(await CasesAsync(seed));
        Assert.Equal((CaseQualification.NeedsReaction, c.Version + 1), (now.Qualification!.Value, now.Version));

        // Racing without a version: the conditional save still lets exactly one of each pair through.
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => a.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "InProgress" })));
        Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(results.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Single((await (await a.GetAsync($"/api/v1/cases/{c.Id}")).ReadAsync<CaseDetailDto>()).Timeline, e => e.ToStatus == CaseStatus.InProgress);
    }

    [Fact]
    public async Task ConsumerTerrorism_IsFlagged_AndTheQueryHelperLeavesItOut()
    {
        var seed = await Seed.CreateAsync(app);
        var other = await FeedbackAsync(seed, "Negative", "Rude");
        var c = Assert.Single(await CasesAsync(seed), x => x.FeedbackId == seed.Feedback.Id);
        var dto = await (await seed.Org.Owner().PostJsonAsync($"/api/v1/cases/{c.Id}/qualify", new { qualification = "ConsumerTerrorism" })).ReadAsync<CaseDto>();

        Assert.True(dto.ExcludedFromStaffMetrics);
        var counting = await app.WithDbAsync(db => db.Cases.CountingForStaff().Select(x => x.FeedbackId).ToListAsync(), seed.Org.Id);
        Assert.Equal(new[] { other }, counting.Select(x => x!.Value).ToArray());
        Assert.Equal(new[] { seed.Feedback.Id }, (await app.WithDbAsync(db => db.Cases.ExcludedFeedbackIds().ToListAsync(), seed.Org.Id)).ToArray());
    }

    [Fact]
    public async Task Answer_WithoutConsent_Is409_WithConsent_TheTemplateReachesTheCustomerByEmail()
    {
        var seed = await Seed.CreateAsync(app);
        var noConsent = Assert.Single(await CasesAsync(seed));
        using var owner = seed.Org.Owner();
        var before = await StateAsync(noConsent.Id);
        await (await owner.PostJsonAsync($"/api/v1/cases/{noConsent.Id}/messages", new { channel = "Email", template = "Complaint" })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(before, await StateAsync(noConsent.Id));

        var email = $"olga-{Guid.NewGuid():N}@customer.test";
        var fid = await FeedbackAsync(seed, "Negative", "Waited 20 minutes", consent: true, email: email, name: "Olga");
        var c = await CaseOfAsync(seed, fid);
        var rendered = await (await owner.GetAsync($"/api/v1/cases/{c.Id}/templates/complaint?language=en")).ReadAsync<RenderedTemplate>();
        Assert.StartsWith("Dear Olga, thank you for telling us about slow.", rendered.Body, StringComparison.Ordinal);
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/messages", new { channel = "Sms", text = "Hi" })).AssertProblemAsync(HttpStatusCode.Conflict);

        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/messages", new { channel = "Email", subject = rendered.Subject, text = rendered.Body })).ReadAsync<CaseDto>();
        await app.Services.GetRequiredService<DeliveryWorker>().RunOnceAsync(CancellationToken.None);

        var mail = await EventuallyAsync(() => fixture.Fakes.Mail.FirstOrDefault(m => m.To.Mailboxes.Any(x => x.Address == email)));
        Assert.Equal("About your visit to Main", mail.Subject);
        Assert.Contains("Dear Olga", mail.TextBody, StringComparison.Ordinal);
        var detail = await (await owner.GetAsync($"/api/v1/cases/{c.Id}")).ReadAsync<CaseDetailDto>();
        Assert.True(detail.CanAnswer);
        Assert.Equal(MessageChannel.Email, Assert.Single(detail.Timeline, e => e.Kind == CaseEventKind.MessageSent).Channel);
    }

    [Fact]
    public async Task SmsAndWhatsAppAnswers_GoToTheSignedMessagingWebhook_WithThePhone_OnlyOnceItIsConfigured()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var phone = "+7 900 " + Random.Shared.Next(1000000, 9999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var created = await (await owner.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = seed.Location.Id, channel = "CallCentre", sentiment = "Negative", text = "Cold soup", contactName = "Ivan", contactPhone = phone,
            contactConsent = true, reasonIds = new[] { seed.Reason.Id },
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);
        var c = await CaseOfAsync(seed, created.Id);

        // Without a messaging webhook, an SMS cannot go anywhere: refused, nothing written.
        var before = await StateAsync(c.Id);
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/messages", new { channel = "Sms", text = "Sorry, Ivan" })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(before, await StateAsync(c.Id));

        var name = Guid.NewGuid().ToString("N");
        var saved = await (await owner.PutJsonAsync("/api/v1/cases/settings", new { messagingWebhookUrl = $"{fixture.Fakes.BaseUrl}/hooks/{name}" })).ReadAsync<CaseSettingsSaved>();
        fixture.Fakes.WebhookSecrets[name] = Assert.IsType<string>(saved.MessagingWebhookSecret);

        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/messages", new { channel = "Sms", text = "Sorry, Ivan: by SMS" })).ReadAsync<CaseDto>();
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/messages", new { channel = "WhatsApp", text = "Sorry, Ivan: by WhatsApp" })).ReadAsync<CaseDto>();
        await app.Services.GetRequiredService<DeliveryWorker>().RunOnceAsync(CancellationToken.None);

        foreach (var (channel, text) in new[] { ("Sms", "Sorry, Ivan: by SMS"), ("WhatsApp", "Sorry, Ivan: by WhatsApp") })
        {
            var hook = await EventuallyAsync(() => fixture.Fakes.Webhooks.FirstOrDefault(w => w.Name == name && w.Body.Contains(text, StringComparison.Ordinal)));
            Assert.True(hook.SignatureValid, "The messaging webhook's signature does not verify with the secret given once.");
            using var json = System.Text.Json.JsonDocument.Parse(hook.Body);
            var data = json.RootElement.GetProperty("data");
            Assert.Equal(("case.message", channel, phone, c.Id.ToString()),
                (json.RootElement.GetProperty("type").GetString(), data.GetProperty("channel").GetString(), data.GetProperty("to").GetString(), data.GetProperty("caseId").GetString()));
        }
        var detail = await (await owner.GetAsync($"/api/v1/cases/{c.Id}")).ReadAsync<CaseDetailDto>();
        Assert.Equal([MessageChannel.Sms, MessageChannel.WhatsApp],
            detail.Timeline.Where(e => e.Kind == CaseEventKind.MessageSent).Select(e => e.Channel!.Value).Order().ToArray());
    }

    [Fact]
    public async Task Templates_OrganizationsEditTheirOwn_UnknownPlaceholderIs400()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var list = await (await owner.GetAsync("/api/v1/response-templates")).ReadAsync<List<ResponseTemplateDto>>();
        Assert.Equal(8, list.Count);
        Assert.All(list, t => Assert.True(t.IsDefault));

        await (await owner.PutJsonAsync("/api/v1/response-templates/praise/en", new { subject = "Hi", body = "Hello {name}" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var saved = await (await owner.PutJsonAsync("/api/v1/response-templates/praise/en", new { subject = "Thanks, {customerName}", body = "{location} thanks you." })).ReadAsync<ResponseTemplateDto>();
        Assert.False(saved.IsDefault);
        var c = Assert.Single(await CasesAsync(seed));
        var rendered = await (await owner.GetAsync($"/api/v1/cases/{c.Id}/templates/Praise?language=en")).ReadAsync<RenderedTemplate>();
        Assert.Equal(("Thanks, Customer", "Main thanks you."), (rendered.Subject, rendered.Body));
        var other = await app.NewOrganizationAsync();
        var theirs = await (await other.Owner().GetAsync("/api/v1/response-templates")).ReadAsync<List<ResponseTemplateDto>>();
        Assert.True(theirs.Single(t => t.Kind == ResponseKind.Praise && t.Language == "en").IsDefault);
    }

    [Fact]
    public async Task AnOverdueCase_RaisesOneCaseOverdueAlert_OnFakeTime()
    {
        var seed = await Seed.CreateAsync(app);
        var address = $"cx-{Guid.NewGuid():N}@shop.test";
        using var owner = seed.Org.Owner();
        await (await owner.PostJsonAsync($"/api/v1/locations/{seed.Location.Id}/notification-channels", new { name = "CX", kind = "Email", target = address }))
            .ReadAsync<ChannelCreated>(HttpStatusCode.Created);
        var c = Assert.Single(await CasesAsync(seed));
        var worker = app.Services.GetRequiredService<CaseOverdueWorker>();
        Task<List<Alert>> OverdueAlertsAsync() => app.WithDbAsync(db => db.Alerts.Where(a => a.Kind == AlertKind.CaseOverdue).ToListAsync(), seed.Org.Id);

        fixture.Time.SetUtcNow(c.DueAt!.Value);
        await worker.RunOnceAsync(CancellationToken.None);
        Assert.Empty(await OverdueAlertsAsync());

        fixture.Time.SetUtcNow(c.DueAt!.Value.AddSeconds(1));
        await worker.RunOnceAsync(CancellationToken.None);
        await worker.RunOnceAsync(CancellationToken.None);
        var alert = Assert.Single(await OverdueAlertsAsync());
        Assert.Equal(seed.Location.Id, alert.LocationId);
        Assert.Contains("Slow service", alert.Title, StringComparison.Ordinal);
        var listed = await (await owner.GetAsync("/api/v1/cases?overdue=true")).ReadAsync<Page<CaseDto>>();
        Assert.True(Assert.Single(listed.Items).Overdue);
        await app.Services.GetRequiredService<DeliveryWorker>().RunOnceAsync(CancellationToken.None);
        var mail = await EventuallyAsync(() => fixture.Fakes.Mail.FirstOrDefault(m => m.To.Mailboxes.Any(x => x.Address == address)));
        Assert.Contains("Slow service", mail.Subject, StringComparison.Ordinal);

        // Closing the case resolves its overdue alert.
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "Dismissed" })).ReadAsync<CaseDto>();
        Assert.NotNull(Assert.Single(await OverdueAlertsAsync()).ResolvedAt);
    }

    [Fact]
    public async Task FollowUp_OnClosing_AsksByUnguessableLink_AndAnswersAreReported()
    {
        var seed = await Seed.CreateAsync(app);
        var email = $"ivan-{Guid.NewGuid():N}@customer.test";
        var fid = await FeedbackAsync(seed, "Negative", "Cold coffee", consent: true, email: email, name: "Ivan");
        var c = await CaseOfAsync(seed, fid);
        using var owner = seed.Org.Owner();
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/qualify", new { qualification = "NeedsReaction" })).ReadAsync<CaseDto>();
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "InProgress" })).ReadAsync<CaseDto>();
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "Resolved", resolution = "New machine" })).ReadAsync<CaseDto>();
        await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/transition", new { to = "Closed", followUp = true })).ReadAsync<CaseDto>();

        var token = (await CaseOfAsync(seed, fid)).FollowUpToken!;
        Assert.True(token.Length >= 32);
        await app.Services.GetRequiredService<DeliveryWorker>().RunOnceAsync(CancellationToken.None);
        var mail = await EventuallyAsync(() => fixture.Fakes.Mail.FirstOrDefault(m => m.To.Mailboxes.Any(x => x.Address == email)));
        Assert.Contains($"/c/{token}", mail.TextBody, StringComparison.Ordinal);

        using var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/c/" + new string('A', 32))).StatusCode);
        Assert.Contains("followup-yes", await anonymous.GetStringAsync($"/c/{token}"), StringComparison.Ordinal);
        var answer = await anonymous.PostAsync($"/c/{token}", new FormUrlEncodedContent([new("answer", "no")]));
        Assert.Contains("followup-thanks", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await anonymous.PostAsync($"/c/{token}", new FormUrlEncodedContent([new("answer", "yes")]));  // the first answer counts

        var report = await (await owner.GetAsync("/api/v1/cases/follow-up-report")).ReadAsync<CasesApi.FollowUpReportDto>();
        var row = Assert.Single(report.Locations);
        Assert.Equal((seed.Location.Id, 1, 1, 0, 1), (row.Id, row.Sent, row.Answered, row.Solved, row.NotSolved));
        Assert.False((await CaseOfAsync(seed, fid)).FollowUpSolved);
    }

    [Fact]
    public async Task SharingWithTheEmployee_ShowsOnTheirPersonalPage_AndTheirConfirmationLandsInTheTimeline()
    {
        var seed = await Seed.CreateAsync(app);
        var c = Assert.Single(await CasesAsync(seed));
        using var owner = seed.Org.Owner();

        var share = await (await owner.PostJsonAsync($"/api/v1/cases/{c.Id}/share", new { staffMemberId = seed.Staff.Id, agreement = "Call the shift manager when the queue grows" }))
            .ReadAsync<ShareDto>();
        var again = await (await owner.PostAsync($"/api/v1/staff/{seed.Staff.Id}/case-link", null)).ReadAsync<StaffLinkDto>();
        Assert.Equal(share.StaffLink, again.Url);
        var path = new Uri(share.StaffLink).AbsolutePath;
        Assert.True(path.Length > "/s/".Length + 30, path);

        using var anonymous = app.Anonymous();
        var page = await anonymous.GetStringAsync(path);
        Assert.Contains("Slow service", page, StringComparison.Ordinal);
        Assert.Contains("Call the shift manager when the queue grows", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/s/" + new string('x', 32))).StatusCode);
        var confirmed = await anonymous.PostAsync(path, new FormUrlEncodedContent([new("share", share.Id.ToString())]));
        Assert.Contains("confirmed", await confirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var detail = await (await owner.GetAsync($"/api/v1/cases/{c.Id}")).ReadAsync<CaseDetailDto>();
        Assert.Equal(seed.Staff.Id, Assert.Single(detail.Timeline, e => e.Kind == CaseEventKind.SharedWithStaff).StaffMemberId);
        Assert.Equal("Anna", Assert.Single(detail.Timeline, e => e.Kind == CaseEventKind.StaffConfirmed).By);
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe) where T : class
    {
        for (var i = 0; i < 200; i++)
        {
            if (probe() is { } found) return found;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("Timed out waiting");
    }
}

public sealed class CasesSqliteTests(AlertsSqliteApp app) : CasesTests(app), IClassFixture<AlertsSqliteApp>;

[Trait("Database", "Postgres")]
public sealed class CasesPostgresTests(AlertsPostgresApp app) : CasesTests(app), IClassFixture<AlertsPostgresApp>;
