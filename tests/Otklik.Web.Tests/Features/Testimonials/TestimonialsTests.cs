using System.Net;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Testimonials;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Testimonials;

public abstract class TestimonialsTests(OtklikApp app)
{
    private static async Task<Guid> FeedbackAsync(HttpClient http, Guid location, string sentiment, string? text, bool consent, string? name = null) =>
        (await (await http.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = location, channel = "Kiosk", sentiment, text, testimonialConsent = consent,
            contactName = name, contactEmail = name is null ? null : "guest@example.test", contactConsent = name is not null,
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created)).Id;

    [Fact]
    public async Task PraiseWithConsent_IsApproved_AndPublishedOnThePublicPageAndWidget()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var praise = await FeedbackAsync(owner, seed.Location.Id, "Positive", "Лучший капучино в городе", consent: true, name: "Ольга Петрова");
        var noConsent = await FeedbackAsync(owner, seed.Location.Id, "Positive", "Хорошо", consent: false);
        var complaint = await FeedbackAsync(owner, seed.Location.Id, "Negative", "Плохо", consent: true);

        var pending = await (await owner.GetAsync("/api/v1/testimonials/pending")).ReadAsync<List<TestimonialDto>>();
        Assert.Equal([praise], pending.Select(p => p.Id));
        await (await owner.PostJsonAsync("/api/v1/testimonials", new { feedbackId = noConsent })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await owner.PostJsonAsync("/api/v1/testimonials", new { feedbackId = complaint })).AssertProblemAsync(HttpStatusCode.NotFound);
        var viewer = app.WithKey(seed.ApiKey.Key);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostJsonAsync("/api/v1/testimonials", new { feedbackId = praise })).StatusCode);

        var published = await (await owner.PostJsonAsync("/api/v1/testimonials", new { feedbackId = praise })).ReadAsync<TestimonialDto>(HttpStatusCode.Created);
        Assert.Equal(("Лучший капучино в городе", "Ольга"), (published.Text, published.AuthorName));
        Assert.Empty(await (await owner.GetAsync("/api/v1/testimonials/pending")).ReadAsync<List<TestimonialDto>>());

        using var browser = app.Anonymous();
        var page = await browser.GetAsync($"/t/{seed.Org.Id}");
        var widget = await browser.GetAsync($"/t/{seed.Org.Id}/widget");
        var pageHtml = await page.Content.ReadAsStringAsync();
        Assert.Contains("Лучший капучино в городе", pageHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("Петрова", pageHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("Хорошо", pageHtml, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("Лучший капучино в городе", await widget.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("frame-ancestors *", widget.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/t/{Guid.NewGuid()}")).StatusCode);
        // The screen and the feedback page keep refusing to be framed.
        Assert.Contains("frame-ancestors 'none'", (await browser.GetAsync($"/f/{seed.Location.Slug}")).Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/testimonials/{praise}")).StatusCode);
        Assert.DoesNotContain("Лучший капучино", await (await browser.GetAsync($"/t/{seed.Org.Id}")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALocationManager_SeesNoPraiseElsewhere_AndCannotApprove()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var elsewhere = await FeedbackAsync(owner, seed.OtherLocation.Id, "Positive", "Там тоже хорошо", consent: true);
        var manager = app.WithKey(await app.NewApiKeyAsync(seed.Org.Id, OtklikRole.LocationManager, seed.Location.Id));

        Assert.Empty(await (await manager.GetAsync("/api/v1/testimonials/pending")).ReadAsync<List<TestimonialDto>>());
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostJsonAsync("/api/v1/testimonials", new { feedbackId = elsewhere })).StatusCode);
        Assert.Single(await (await owner.GetAsync("/api/v1/testimonials/pending")).ReadAsync<List<TestimonialDto>>());
    }
}

public sealed class TestimonialsSqliteTests(SqliteApp app) : TestimonialsTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class TestimonialsPostgresTests(PostgresApp app) : TestimonialsTests(app), IClassFixture<PostgresApp>;
