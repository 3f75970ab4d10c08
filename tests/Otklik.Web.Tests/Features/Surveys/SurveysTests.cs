using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Core.Metrics;
using Otklik.Core.Surveys;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Surveys;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Features.Alerts;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Surveys;

/// <summary>Surveys end to end: the API, the public page as a browser without script uses it, interviewer records, results and invitations on fake time.</summary>
public abstract partial class SurveysTests(IAlertsApp fixture)
{
    private readonly OtklikApp app = fixture.App;
    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private async Task<(Seed Seed, SurveyDto Survey)> SurveyAsync(string keyKind = "Nps", int delayHours = 24, DateTimeOffset? endsAt = null)
    {
        var seed = await Seed.CreateAsync(app);
        var survey = await (await seed.Org.Owner().PostJsonAsync("/api/v1/surveys", new
        {
            name = "После визита", keyKind, keyTextRu = "Насколько вероятно, что вы порекомендуете нас друзьям?", keyTextEn = "How likely are you to recommend us?",
            invitationDelayHours = delayHours, endsAt,
            locationIds = new[] { seed.Location.Id, seed.OtherLocation.Id },
            questions = new object[]
            {
                new { textRu = "Скорость обслуживания", textEn = "Speed of service", reasonId = seed.Reason.Id },
                new { textRu = "Вежливость персонала", textEn = "Staff courtesy", dimension = "Empathy" },
                new { textRu = "Чистота", textEn = "Cleanliness", dimension = "Tangibles" },
            },
        })).ReadAsync<SurveyDto>(HttpStatusCode.Created);
        return (seed, survey);
    }

    private string PagePath(SurveyDto survey, Seed seed) => $"/s/{survey.Slug}/{seed.Location.Slug}";

    /// <summary>A stamp as the page would have issued it a minute ago, so the post is not "too fast".</summary>
    private string Stamp(Guid locationId) => app.Services.GetRequiredService<FormTokens>().Issue(locationId, Now.AddMinutes(-1));

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static string Q(Guid id) => $"q_{id:N}";

    private Task<List<Otklik.Web.Features.Surveys.SurveyResponse>> StoredAsync(Seed seed) =>
        app.WithDbAsync(db => db.SurveyResponses.Include(r => r.Answers).OrderBy(r => r.CreatedAt).ToListAsync(), seed.Org.Id);

    [Fact]
    public async Task Crud_CreateReadUpdateDelete_KeepsQuestionsWithAnswers()
    {
        var (seed, survey) = await SurveyAsync();
        using var owner = seed.Org.Owner();

        var read = await (await owner.GetAsync($"/api/v1/surveys/{survey.Id}")).ReadAsync<SurveyDto>();
        Assert.Equal((KeyQuestionKind.Nps, 3, 2), (read.KeyKind, read.Questions.Count, read.LocationIds.Count));
        Assert.Equal(seed.Reason.Id, read.Questions[0].ReasonId);
        Assert.Contains(survey.Id, (await (await owner.GetAsync("/api/v1/surveys")).ReadAsync<List<SurveyDto>>()).Select(s => s.Id));

        (await owner.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new
        {
            locationId = seed.Location.Id, keyScore = 9, answers = new Dictionary<Guid, int> { [survey.Questions[0].Id] = 4 },
        })).EnsureSuccessStatusCode();
        // Dropping a question that has answers is refused; keeping it by id and adding one works.
        var drop = await owner.PutJsonAsync($"/api/v1/surveys/{survey.Id}", new
        {
            name = "x", keyKind = "Nps", keyTextRu = "x", locationIds = new[] { seed.Location.Id },
            questions = new object[] { new { textRu = "Новый", dimension = "Reliability" } },
        });
        Assert.Contains("questions", (await drop.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        var updated = await (await owner.PutJsonAsync($"/api/v1/surveys/{survey.Id}", new
        {
            name = "Renamed", keyKind = "Nps", keyTextRu = "x", locationIds = new[] { seed.Location.Id }, active = false,
            questions = new object[] { new { id = survey.Questions[0].Id, textRu = "Скорость", reasonId = seed.Reason.Id }, new { textRu = "Новый", dimension = "Reliability" } },
        })).ReadAsync<SurveyDto>();
        Assert.Equal(("Renamed", false, 2, 1), (updated.Name, updated.Active, updated.Questions.Count, updated.LocationIds.Count));
        Assert.Equal(survey.Questions[0].Id, updated.Questions[0].Id);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/surveys/{survey.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/api/v1/surveys/{survey.Id}")).StatusCode);
        Assert.Empty(await StoredAsync(seed));
    }

    [Fact]
    public async Task Create_BadInput_Is400_AndStoresNothing()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        object[] bodies =
        [
            new { name = "x", keyKind = "Nps", keyTextRu = "x", locationIds = Array.Empty<Guid>() },
            new { name = "x", keyKind = "Nps", keyTextRu = "x", locationIds = new[] { Guid.NewGuid() } },
            new { name = "x", keyKind = "Nps", keyTextRu = "x", locationIds = new[] { seed.Location.Id }, invitationDelayHours = 2 },
            new { name = "x", keyKind = "Nps", keyTextRu = "x", locationIds = new[] { seed.Location.Id }, questions = new[] { new { textRu = "Без связи" } } },
            new { name = "x", keyKind = "Nps", keyTextRu = "x", locationIds = new[] { seed.Location.Id }, questions = new[] { new { textRu = "q", reasonId = Guid.NewGuid() } } },
            new { name = "", keyKind = "Nps", keyTextRu = "", locationIds = new[] { seed.Location.Id } },
        ];
        foreach (var body in bodies)
            await (await owner.PostJsonAsync("/api/v1/surveys", body)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.PostRawAsync("/api/v1/surveys", """{"name":"x","keyKind":"Stars"}""")).StatusCode);

        Assert.Equal(0, await app.WithDbAsync(db => db.Surveys.CountAsync(), seed.Org.Id));
        // A viewer may read but not create.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.WithKey(seed.ApiKey.Key).PostJsonAsync("/api/v1/surveys", new { name = "x" })).StatusCode);
    }

    [Fact]
    public async Task PublicPage_Submit_StoresKeyScoreAnswersAndComment()
    {
        var (seed, survey) = await SurveyAsync();
        using var browser = app.Anonymous();

        var page = await browser.GetAsync(PagePath(survey, seed));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Насколько вероятно", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(TokenField(), html);

        var posted = await browser.PostAsync(PagePath(survey, seed), Form(("t", Stamp(seed.Location.Id)), ("key", "9"),
            (Q(survey.Questions[0].Id), "2"), (Q(survey.Questions[2].Id), "5"), ("comment", "Долго ждали"), (PublicFeedback.Honeypot, "")));

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("id=\"thanks\"", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = Assert.Single(await StoredAsync(seed));
        Assert.Equal((9, false, SurveyChannel.Link, "Долго ждали", seed.Location.Id), (stored.KeyScore, stored.Declined, stored.Channel, stored.Comment, stored.LocationId));
        Assert.Equal([(survey.Questions[0].Id, 2), (survey.Questions[2].Id, 5)],
            stored.Answers.OrderBy(a => a.QuestionId == survey.Questions[0].Id ? 0 : 1).Select(a => (a.QuestionId, a.Score)));
        // The survey also opens by its id, and a kiosk post is recorded as such.
        var kiosk = await browser.PostAsync($"/s/{survey.Id}/{seed.Location.Slug}", Form(("t", Stamp(seed.Location.Id)), ("key", "10"), ("kiosk", "1")));
        Assert.Equal(HttpStatusCode.OK, kiosk.StatusCode);
        Assert.Contains("http-equiv=\"refresh\"", await kiosk.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(SurveyChannel.Kiosk, (await StoredAsync(seed))[1].Channel);
    }

    [Fact]
    public async Task PublicPage_Decline_IsCountedWithoutScores()
    {
        var (seed, survey) = await SurveyAsync();
        using var browser = app.Anonymous();

        var posted = await browser.PostAsync(PagePath(survey, seed), Form(("t", Stamp(seed.Location.Id)), ("action", "decline"), ("key", "3")));

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("id=\"declined\"", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = Assert.Single(await StoredAsync(seed));
        Assert.True(stored.Declined);
        Assert.Null(stored.KeyScore);
        Assert.Empty(stored.Answers);
        var results = await (await seed.Org.Owner().GetAsync($"/api/v1/surveys/{survey.Id}/results")).ReadAsync<SurveyResultsDto>();
        Assert.Equal((1, 1, 100.0, 0), (results.Responses, results.Declined, results.DeclineRate, results.Nps!.N));
    }

    [Fact]
    public async Task PublicPage_BadInput_Is400_AndStoresNothing()
    {
        var (seed, survey) = await SurveyAsync();
        using var browser = app.Anonymous();
        (string, string)[][] bad =
        [
            [("key", "11")],
            [("key", "-1")],
            [("key", "nine")],
            [],                                                   // no key answer
            [("key", "8"), (Q(survey.Questions[0].Id), "6")],
            [("key", "8"), (Q(survey.Questions[0].Id), "x")],
            [("key", "8"), (Q(Guid.NewGuid()), "3")],            // not a question of this survey
            [("key", "8"), ("comment", new string('x', 2001))],
        ];
        foreach (var fields in bad)
        {
            var response = await browser.PostAsync(PagePath(survey, seed), Form([("t", Stamp(seed.Location.Id)), .. fields]));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{string.Join("&", fields)} → {(int)response.StatusCode}");
            Assert.Contains("class=\"error\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsync(PagePath(survey, seed), new StringContent("key=9"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/s/{survey.Slug}/no-such-place")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/s/no-such-survey/{seed.Location.Slug}")).StatusCode);
        Assert.Empty(await StoredAsync(seed));
    }

    [Fact]
    public async Task PublicPage_HoneypotFreshOrForgedStamp_Is400_AndStoresNothing()
    {
        var (seed, survey) = await SurveyAsync();
        using var browser = app.Anonymous();
        var tokens = app.Services.GetRequiredService<FormTokens>();

        var honeypot = await browser.PostAsync(PagePath(survey, seed), Form(("t", Stamp(seed.Location.Id)), ("key", "9"), (PublicFeedback.Honeypot, "http://spam")));
        var fresh = await browser.PostAsync(PagePath(survey, seed), Form(("t", tokens.Issue(seed.Location.Id, Now)), ("key", "9")));
        var forged = await browser.PostAsync(PagePath(survey, seed), Form(("t", "forged"), ("key", "9")));
        var otherPlace = await browser.PostAsync(PagePath(survey, seed), Form(("t", Stamp(seed.OtherLocation.Id)), ("key", "9")));

        Assert.All([honeypot, fresh, forged, otherPlace], r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Empty(await StoredAsync(seed));
    }

    [Fact]
    public async Task PublicPage_ClosedSurvey_ShowsClosed_AndTakesNothing()
    {
        var (seed, survey) = await SurveyAsync(endsAt: DateTimeOffset.UtcNow.AddDays(-1));
        using var browser = app.Anonymous();

        var page = await browser.GetAsync(PagePath(survey, seed));
        var posted = await browser.PostAsync(PagePath(survey, seed), Form(("t", Stamp(seed.Location.Id)), ("key", "9")));

        Assert.Contains("id=\"closed\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Empty(await StoredAsync(seed));
    }

    [Fact]
    public async Task Interviewer_RecordsAnswersAndRefusals_WithinTheirLocations()
    {
        var (seed, survey) = await SurveyAsync();
        var manager = app.WithKey(await app.NewApiKeyAsync(seed.Org.Id, OtklikRole.LocationManager, seed.Location.Id));

        var answered = await (await manager.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new
        {
            locationId = seed.Location.Id, keyScore = 6, answers = new Dictionary<Guid, int> { [survey.Questions[1].Id] = 3 }, comment = "Спросили у кассы",
        })).ReadAsync<SurveyResponseCreated>(HttpStatusCode.Created);
        var refused = await (await manager.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = seed.Location.Id, declined = true }))
            .ReadAsync<SurveyResponseCreated>(HttpStatusCode.Created);

        Assert.True(refused.Declined);
        var stored = await StoredAsync(seed);
        Assert.Equal(2, stored.Count);
        Assert.All(stored, r => Assert.Equal(SurveyChannel.Interviewer, r.Channel));
        Assert.Equal((6, 1), (stored.Single(r => r.Id == answered.Id).KeyScore, stored.Single(r => r.Id == answered.Id).Answers.Count));

        // Out of scope or out of range: 400, nothing stored; a viewer cannot record.
        await (await manager.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = seed.OtherLocation.Id, keyScore = 9 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = seed.Location.Id, keyScore = 11 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = seed.Location.Id, declined = true, keyScore = 3 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await manager.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new
        {
            locationId = seed.Location.Id, keyScore = 9, answers = new Dictionary<Guid, int> { [Guid.NewGuid()] = 3 },
        })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.WithKey(seed.ApiKey.Key).PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = seed.Location.Id, declined = true })).StatusCode);
        Assert.Equal(2, (await StoredAsync(seed)).Count);
        // The manager's view of the survey names only their own location.
        var seen = await (await manager.GetAsync($"/api/v1/surveys/{survey.Id}")).ReadAsync<SurveyDto>();
        Assert.Equal([seed.Location.Id], seen.LocationIds);
    }

    [Fact]
    public async Task Results_EqualTheCoreComputation_OnTheSameData()
    {
        var (seed, survey) = await SurveyAsync();
        using var owner = seed.Org.Owner();
        var random = new Random(6);
        var keys = new List<int>();
        var core = new List<Otklik.Core.Surveys.SurveyResponse>();
        var declined = 0;
        for (var i = 0; i < 70; i++)
        {
            var location = i % 3 == 0 ? seed.OtherLocation.Id : seed.Location.Id;
            if (i % 10 == 9)
            {
                declined++;
                (await owner.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = location, declined = true })).EnsureSuccessStatusCode();
                continue;
            }
            var speed = random.Next(1, 6);
            var courtesy = random.Next(1, 6);
            var key = Math.Clamp((2 * speed) + random.Next(-1, 2), 0, 10);
            var answers = new Dictionary<Guid, int> { [survey.Questions[0].Id] = speed };
            if (i % 4 != 0) answers[survey.Questions[1].Id] = courtesy;
            (await owner.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = location, keyScore = key, answers })).EnsureSuccessStatusCode();
            keys.Add(key);
            core.Add(new(key, answers.ToDictionary(a => SurveyResults.Key(a.Key), a => (int?)a.Value)));
        }

        var results = await (await owner.GetAsync($"/api/v1/surveys/{survey.Id}/results")).ReadAsync<SurveyResultsDto>();

        var nps = Nps.Compute(keys);
        var drivers = DriverAnalysis.Analyze(core, survey.Questions.Select(q => SurveyResults.Key(q.Id)).ToList());
        Assert.Equal((70, declined), (results.Responses, results.Declined));
        Assert.Equal(100.0 * declined / 70, results.DeclineRate!.Value, 9);
        Assert.Equal((nps.N, nps.Promoters, nps.Passives, nps.Detractors), (results.Nps!.N, results.Nps.Promoters, results.Nps.Passives, results.Nps.Detractors));
        Assert.Equal(nps.Score!.Value, results.Nps.Score!.Value, 9);
        Assert.Equal(nps.MarginOfError!.Value, results.Nps.MarginOfError!.Value, 9);
        Assert.Equal(drivers.Factors.Select(f => f.Factor), results.Factors.Select(f => SurveyResults.Key(f.QuestionId)));
        foreach (var (expected, actual) in drivers.Factors.Zip(results.Factors))
        {
            Assert.Equal((expected.N, expected.Quadrant, expected.IsLowSample), (actual.N, actual.Quadrant, actual.IsLowSample));
            Assert.Equal(expected.Importance ?? double.NaN, actual.Importance ?? double.NaN, 9);
            Assert.Equal(expected.Satisfaction ?? double.NaN, actual.Satisfaction ?? double.NaN, 9);
        }
        // Speed drives the key score by construction; the unanswered third factor cannot be judged.
        Assert.Equal(survey.Questions[0].Id, results.Factors[0].QuestionId);
        Assert.Equal(DriverQuadrant.Undetermined, results.Factors.Single(f => f.QuestionId == survey.Questions[2].Id).Quadrant);
        Assert.True(results.LowSampleWarning);

        // One location only: the same computation over its responses.
        var atMain = await (await owner.GetAsync($"/api/v1/surveys/{survey.Id}/results?locationId={seed.Location.Id}")).ReadAsync<SurveyResultsDto>();
        Assert.Equal(Enumerable.Range(0, 70).Count(i => i % 3 != 0), atMain.Responses);
    }

    [Fact]
    public async Task Invitation_IsSentOnce_NotBeforeTheDelay_AndItsLinkWorksOnce()
    {
        var (seed, survey) = await SurveyAsync(delayHours: 24);
        using var owner = seed.Org.Owner();
        var worker = app.Services.GetRequiredService<InvitationWorker>();
        var email = $"guest-{Guid.NewGuid():N}@example.test";

        var invitation = await (await owner.PostJsonAsync($"/api/v1/surveys/{survey.Id}/invitations", new { locationId = seed.Location.Id, email, visitedAt = Now }))
            .ReadAsync<InvitationDto>(HttpStatusCode.Created);
        Assert.Equal(Now.AddHours(24), invitation.DueAt);
        Task<List<NotificationDelivery>> DeliveriesAsync() =>
            app.WithDbAsync(db => db.NotificationDeliveries.Where(d => d.Event == InvitationWorker.Event && d.Address == email).ToListAsync(), seed.Org.Id);

        await worker.RunOnceAsync(CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromHours(23));
        await worker.RunOnceAsync(CancellationToken.None);
        Assert.Empty(await DeliveriesAsync());

        fixture.Time.Advance(TimeSpan.FromHours(1));
        await worker.RunOnceAsync(CancellationToken.None);
        await worker.RunOnceAsync(CancellationToken.None);
        var delivery = Assert.Single(await DeliveriesAsync());
        Assert.Equal(ChannelKind.Email, delivery.Kind);
        Assert.Contains(invitation.Link, delivery.Text, StringComparison.Ordinal);

        // The existing delivery worker sends it through SMTP.
        await app.Services.GetRequiredService<DeliveryWorker>().RunOnceAsync(CancellationToken.None);
        var mail = await EventuallyAsync(() => fixture.Fakes.Mail.FirstOrDefault(m => m.To.ToString().Contains(email, StringComparison.Ordinal)));
        Assert.Contains(invitation.Link, mail.TextBody, StringComparison.Ordinal);
        fixture.Time.Advance(TimeSpan.FromHours(48));
        await worker.RunOnceAsync(CancellationToken.None);
        Assert.Single(await DeliveriesAsync());

        // The link answers once.
        var token = invitation.Link[(invitation.Link.IndexOf("?i=", StringComparison.Ordinal) + 3)..];
        using var browser = app.Anonymous();
        var page = await (await browser.GetAsync(new Uri(invitation.Link).PathAndQuery)).Content.ReadAsStringAsync();
        Assert.Contains($"name=\"i\" value=\"{token}\"", page, StringComparison.Ordinal);
        var first = await browser.PostAsync(PagePath(survey, seed), Form(("t", Stamp(seed.Location.Id)), ("key", "10"), ("i", token)));
        var second = await browser.PostAsync(PagePath(survey, seed), Form(("t", Stamp(seed.Location.Id)), ("key", "0"), ("i", token)));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.BadRequest), (first.StatusCode, second.StatusCode));
        var stored = Assert.Single(await StoredAsync(seed));
        Assert.Equal((invitation.Id, 10), (stored.InvitationId, stored.KeyScore));
    }

    [Fact]
    public async Task Invitation_BadInput_Is400()
    {
        var (seed, survey) = await SurveyAsync();
        using var owner = seed.Org.Owner();
        object[] bodies =
        [
            new { locationId = seed.Location.Id, visitedAt = Now },                                   // no contact
            new { locationId = seed.Location.Id, phone = "+7 900 000-00-00", visitedAt = Now },      // phone without a channel
            new { locationId = seed.Location.Id, email = "not-an-address", visitedAt = Now },
            new { locationId = seed.Location.Id, email = "a@b.test", visitedAt = Now.AddDays(2) },
            new { locationId = Guid.NewGuid(), email = "a@b.test", visitedAt = Now },
        ];
        foreach (var body in bodies)
            await (await owner.PostJsonAsync($"/api/v1/surveys/{survey.Id}/invitations", body)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(0, await app.WithDbAsync(db => db.SurveyInvitations.CountAsync(), seed.Org.Id));
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

    [GeneratedRegex("name=\"t\" value=\"[A-Za-z0-9_-]{20,}\"")]
    private static partial Regex TokenField();
}

public sealed class SurveysSqliteTests(AlertsSqliteApp app) : SurveysTests(app), IClassFixture<AlertsSqliteApp>;

[Trait("Database", "Postgres")]
public sealed class SurveysPostgresTests(AlertsPostgresApp app) : SurveysTests(app), IClassFixture<AlertsPostgresApp>;
