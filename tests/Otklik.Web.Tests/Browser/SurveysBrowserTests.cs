using System.Net;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Surveys;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>Surveys as people use them: a customer on a phone, an interviewer recording a refusal, a manager reading the driver chart.</summary>
public sealed class SurveysBrowserTests(FeedbackBrowser browser) : IClassFixture<FeedbackBrowser>
{
    private OtklikApp App => browser.App;

    private async Task<(TestOrg Org, LocationDto Location, SurveyDto Survey)> SurveyAsync()
    {
        var org = await App.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Кофейня у вокзала" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var survey = await (await http.PostJsonAsync("/api/v1/surveys", new
        {
            name = "После визита", keyKind = "Nps",
            keyTextRu = "Насколько вероятно, что вы порекомендуете нас друзьям?", keyTextEn = "How likely are you to recommend us to a friend?",
            locationIds = new[] { location.Id },
            questions = new object[]
            {
                new { textRu = "Скорость обслуживания", textEn = "Speed of service", dimension = "Responsiveness" },
                new { textRu = "Вежливость персонала", textEn = "Staff courtesy", dimension = "Empathy" },
                new { textRu = "Чистота зала", textEn = "Cleanliness", dimension = "Tangibles" },
                new { textRu = "Парковка", textEn = "Parking", dimension = "Tangibles" },
            },
        })).ReadAsync<SurveyDto>(HttpStatusCode.Created);
        return (org, location, survey);
    }

    [Fact]
    public async Task ACustomer_AnswersTheSurvey_OnA375pxPhone()
    {
        var (org, location, survey) = await SurveyAsync();
        var page = await browser.NewPageAsync(375, 812, locale: "ru-RU");

        await page.GotoAsync($"/s/{survey.Slug}/{location.Slug}");
        await Expect(page.Locator("legend h1")).ToHaveTextAsync("Насколько вероятно, что вы порекомендуете нас друзьям?");
        await page.Locator("label.opt:has(#key-9)").ClickAsync();
        await page.Locator($"label.opt:has(input[name='q_{survey.Questions[0].Id:N}'][value='2'])").ClickAsync();
        await page.Locator($"label.opt:has(input[name='q_{survey.Questions[1].Id:N}'][value='5'])").ClickAsync();
        await page.FillAsync("textarea[name=comment]", "Кофе отличный, но очередь");
        await page.ScreenshotAsync($"survey-form-375-{App.Provider}");
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        await page.ClickAsync("#send");

        await Expect(page.Locator("#thanks")).ToBeVisibleAsync();
        await page.ScreenshotAsync($"survey-thanks-375-{App.Provider}");
        Assert.False(overflow, "The survey is wider than a phone screen.");
        var stored = await App.WithDbAsync(db => db.SurveyResponses.Include(r => r.Answers).SingleAsync(), org.Id);
        Assert.Equal((9, SurveyChannel.Link, "Кофе отличный, но очередь"), (stored.KeyScore, stored.Channel, stored.Comment));
        Assert.Equal([2, 5], stored.Answers.OrderBy(a => a.QuestionId == survey.Questions[0].Id ? 0 : 1).Select(a => a.Score));
    }

    [Fact]
    public async Task AnInterviewer_RecordsARefusal_AndAnAnswer_OnAPhone()
    {
        var (org, location, survey) = await SurveyAsync();
        var email = $"interviewer-{Guid.NewGuid():N}@test.otklik";
        (await org.Owner().PostJsonAsync("/api/v1/users", new { email, displayName = "Masha", role = "LocationManager", password = TestOrg.Password, locationIds = new[] { location.Id } }))
            .EnsureSuccessStatusCode();
        var page = await browser.NewPageAsync(375, 812);
        await page.SignInAsync(email, returnTo: $"/surveys/{survey.Id}/interview");
        await Expect(page.Locator("#interview-question")).ToHaveTextAsync("How likely are you to recommend us to a friend?");

        await page.ClickAsync("#interview-decline");

        await Expect(page.Locator("#interview-counts")).ToHaveTextAsync("This session: 0 answered, 1 refused");
        await page.ScreenshotAsync($"survey-interview-refusal-375-{App.Provider}");
        await page.ClickAsync("#key-7");
        await Expect(page.Locator("#interview-question")).ToHaveTextAsync("Speed of service");
        await page.ClickAsync("#factor-4");
        await page.ClickAsync("#interview-skip");
        await page.ClickAsync("#interview-skip");
        await page.ClickAsync("#interview-skip");
        await page.ClickAsync("#interview-save");
        await Expect(page.Locator("#interview-counts")).ToHaveTextAsync("This session: 1 answered, 1 refused");

        var stored = await App.WithDbAsync(db => db.SurveyResponses.Include(r => r.Answers).OrderBy(r => r.CreatedAt).ToListAsync(), org.Id);
        Assert.Equal(2, stored.Count);
        Assert.True(stored[0].Declined);
        Assert.All(stored, r => Assert.Equal(SurveyChannel.Interviewer, r.Channel));
        Assert.All(stored, r => Assert.NotNull(r.InterviewerUserId));
        Assert.Equal((7, 4), (stored[1].KeyScore, Assert.Single(stored[1].Answers).Score));
    }

    [Fact]
    public async Task TheResultsPage_ShowsTheQuadrantChart_NamingTheBottleneckAndTheGrowthDriver()
    {
        var (org, location, survey) = await SurveyAsync();
        using var http = org.Owner();
        // Speed matters most and is rated low (a bottleneck); courtesy matters and is rated high (a growth driver);
        // cleanliness and parking are noise.
        var random = new Random(42);
        for (var i = 0; i < 80; i++)
        {
            int speed = random.Next(1, 4), courtesy = random.Next(3, 6), clean = random.Next(4, 6), parking = random.Next(1, 4);
            var key = Math.Clamp((int)Math.Round((1.5 * speed) + courtesy - 1 + (random.NextDouble() * 2) - 1), 0, 10);
            var answers = new Dictionary<Guid, int>
            {
                [survey.Questions[0].Id] = speed, [survey.Questions[1].Id] = courtesy, [survey.Questions[2].Id] = clean, [survey.Questions[3].Id] = parking,
            };
            (await http.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = location.Id, keyScore = key, answers })).EnsureSuccessStatusCode();
        }
        for (var i = 0; i < 9; i++)
            (await http.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = location.Id, declined = true })).EnsureSuccessStatusCode();
        var page = await browser.NewPageAsync(1280, 1000);

        await page.SignInAsync(org.OwnerEmail, returnTo: $"/surveys/{survey.Id}/results");

        await Expect(page.Locator("#quadrant-chart")).ToBeVisibleAsync();
        await Expect(page.Locator("#quadrant-chart g.point")).ToHaveCountAsync(4);
        await Expect(page.GetByTestId("bottleneck")).ToContainTextAsync("Speed of service");
        await Expect(page.GetByTestId("growth-driver")).ToContainTextAsync("Staff courtesy");
        await Expect(page.Locator("#declined-metric")).ToContainTextAsync("9 of 89");
        await page.ScreenshotAsync($"survey-results-1280-{App.Provider}");
    }
}

/// <summary>The waiting-room screen follows approvals live.</summary>
public sealed class WaitingRoomBrowserTests(FeedbackBrowser browser) : IClassFixture<FeedbackBrowser>
{
    [Fact]
    public async Task TheWaitingRoomScreen_ShowsATestimonial_AsSoonAsItIsApproved()
    {
        var app = browser.App;
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Кофейня у вокзала" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var praise = await (await http.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = location.Id, channel = "Kiosk", sentiment = "Positive", text = "Самый вкусный раф в городе!", testimonialConsent = true,
        })).ReadAsync<Otklik.Web.Features.Feedback.FeedbackCreated>(HttpStatusCode.Created);
        var screen = await browser.NewPageAsync(1280, 720, locale: "ru-RU");
        await screen.GotoInteractiveAsync($"/screen/{location.Slug}");
        await Expect(screen.Locator("#positive-today")).ToHaveTextAsync("1");
        await Expect(screen.Locator("#no-testimonials")).ToBeVisibleAsync();

        (await http.PostJsonAsync("/api/v1/testimonials", new { feedbackId = praise.Id })).EnsureSuccessStatusCode();

        await Expect(screen.GetByTestId("screen-testimonial")).ToContainTextAsync("Самый вкусный раф в городе!");
        await screen.ScreenshotAsync($"waiting-room-1280-{app.Provider}");
    }
}
