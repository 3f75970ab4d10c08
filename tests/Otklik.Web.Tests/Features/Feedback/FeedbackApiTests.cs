using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Feedback;

/// <summary>POST /api/v1/feedback for other channels: the same rules as the public page, answered with ProblemDetails.</summary>
public abstract class FeedbackApiTests(OtklikApp app)
{
    private async Task<(TestOrg Org, HttpClient Http, LocationDto Location, List<ReasonDto> Reasons)> SetUpAsync()
    {
        var org = await app.NewOrganizationAsync();
        var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Clinic" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        await (await http.PostAsync("/api/v1/reasons/starter?template=clinic", null)).ReadAsync<StarterApplied>();
        var reasons = await (await http.GetAsync("/api/v1/reasons")).ReadAsync<List<ReasonDto>>();
        return (org, http, location, reasons);
    }

    [Fact]
    public async Task AKioskSubmission_WithEverything_IsStoredAndReadBack()
    {
        var (org, http, location, reasons) = await SetUpAsync();
        var negative = reasons.Where(r => r.Kind == ReasonKind.Negative).Take(2).Select(r => r.Id).ToArray();

        var created = await (await http.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = location.Id, channel = "Kiosk", sentiment = "Negative", reasonIds = negative, text = "Waited 40 minutes",
            contactName = "Olga", contactEmail = "olga@example.com", contactConsent = true,
            attachments = new[] { Convert.ToBase64String(Files.Jpeg) }, attachmentConsent = true,
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);
        var read = await (await http.GetAsync($"/api/v1/feedback/{created.Id}")).ReadAsync<FeedbackDto>();

        Assert.True(created.ContactStored);
        Assert.Equal((FeedbackChannel.Kiosk, Sentiment.Negative, "Waited 40 minutes", "olga@example.com"), (read.Channel, read.Sentiment, read.Text, read.ContactEmail));
        Assert.Equal(negative.Order(), read.Reasons.Select(r => r.Id).Order());
        Assert.Equal("image/jpeg", Assert.Single(read.Attachments).ContentType);
    }

    [Fact]
    public async Task Contact_WithoutConsent_IsNotStored()
    {
        var (org, http, location, _) = await SetUpAsync();

        var created = await (await http.PostJsonAsync("/api/v1/feedback", new { locationId = location.Id, channel = "CallCentre", sentiment = "Neutral", contactPhone = "+79990001122" }))
            .ReadAsync<FeedbackCreated>(HttpStatusCode.Created);

        Assert.False(created.ContactStored);
        var stored = await app.WithDbAsync(db => db.Feedback.SingleAsync(f => f.Id == created.Id), org.Id);
        Assert.Null(stored.ContactPhone);
    }

    [Fact]
    public async Task Attachments_WithConsent_AreStoredWithTheConsentRecord()
    {
        var (org, http, location, _) = await SetUpAsync();
        await (await http.PutJsonAsync("/api/v1/feedback/settings", new { consentText = "Our own words, second version" })).ReadAsync<FeedbackSettingsDto>();
        var before = DateTimeOffset.UtcNow;

        var created = await (await http.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = location.Id, channel = "CallCentre", sentiment = "Negative", text = "Broken cup",
            attachments = new[] { Convert.ToBase64String(Files.Jpeg), Convert.ToBase64String(Files.Wav()) }, attachmentConsent = true,
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);

        Assert.Empty(created.NotStored);
        var stored = await app.WithDbAsync(db => db.FeedbackAttachments.Where(a => a.FeedbackId == created.Id).ToListAsync(), org.Id);
        Assert.Equal([AttachmentKind.Photo, AttachmentKind.Voice], stored.Select(a => a.Kind).Order());
        Assert.All(stored, a => Assert.Equal(1, a.ConsentVersion));
        Assert.All(stored, a => Assert.InRange(a.ConsentAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.All(stored, a => Assert.True(File.Exists(Path.Combine(app.DataFolder, "attachments", a.StorageKey))));
        var read = await (await http.GetAsync($"/api/v1/feedback/{created.Id}")).ReadAsync<FeedbackDto>();
        Assert.All(read.Attachments, a => Assert.Equal(1, a.ConsentVersion));
    }

    [Fact]
    public async Task Attachments_WithoutConsent_AreNotStored_TheRestIs_AndTheAnswerNamesThem()
    {
        var (org, http, location, reasons) = await SetUpAsync();
        var reason = reasons.First(r => r.Kind == ReasonKind.Negative).Id;

        var response = await http.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = location.Id, channel = "Kiosk", sentiment = "Negative", reasonIds = new[] { reason }, text = "Dirty table",
            contactEmail = "nobody@example.com",
            attachments = new[] { Convert.ToBase64String(Files.Jpeg), Convert.ToBase64String(Files.Wav()) },
        });
        var body = await response.Content.ReadAsStringAsync();
        var created = await response.ReadAsync<FeedbackCreated>(HttpStatusCode.Created);

        Assert.Contains("\"notStored\":[\"contact\",\"photo\",\"voice\"]", body, StringComparison.Ordinal);
        Assert.Equal(["contact", "photo", "voice"], created.NotStored);
        var stored = await app.WithDbAsync(db => db.Feedback.Include(f => f.Reasons).Include(f => f.Attachments).SingleAsync(f => f.Id == created.Id), org.Id);
        Assert.Equal(("Dirty table", Sentiment.Negative, reason, (string?)null), (stored.Text, stored.Sentiment, Assert.Single(stored.Reasons).ReasonId, stored.ContactEmail));
        Assert.Empty(stored.Attachments);
        Assert.Equal(0, await app.WithDbAsync(db => db.FeedbackAttachments.CountAsync(), org.Id));
        var folder = Path.Combine(app.DataFolder, "attachments", org.Id.ToString("N"));
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), "A file was written to the attachment store.");
    }

    public static TheoryData<string, string> BadInputs => new()
    {
        { "attachments[0]", "pdf" },
        { "attachments[0]", "big" },
        { "attachments[0]", "not-base64" },
        { "text", "long-text" },
        { "reasonIds", "positive-reason-on-complaint" },
        { "reasonIds", "unknown-reason" },
        { "contactEmail", "bad-email" },
        { "locationId", "unknown-location" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInput_Gets400NamingTheField_AndNothingIsStored(string field, string what)
    {
        var (org, http, location, reasons) = await SetUpAsync();
        var positive = reasons.First(r => r.Kind == ReasonKind.Positive).Id;
        object body = what switch
        {
            "pdf" => new { locationId = location.Id, channel = "Kiosk", sentiment = "Negative", attachments = new[] { Convert.ToBase64String(Files.Pdf) } },
            "big" => new { locationId = location.Id, channel = "Kiosk", sentiment = "Negative", attachments = new[] { Convert.ToBase64String(Files.JpegOfSize(ContentSniffer.PhotoMaxBytes + 10)) } },
            "not-base64" => new { locationId = location.Id, channel = "Kiosk", sentiment = "Negative", attachments = new[] { "!!!not base64!!!" } },
            "long-text" => new { locationId = location.Id, channel = "Kiosk", sentiment = "Negative", text = new string('я', 2001) },
            "positive-reason-on-complaint" => new { locationId = location.Id, channel = "Kiosk", sentiment = "Negative", reasonIds = new[] { positive } },
            "unknown-reason" => new { locationId = location.Id, channel = "Kiosk", sentiment = "Negative", reasonIds = new[] { Guid.NewGuid() } },
            "bad-email" => new { locationId = location.Id, channel = "Kiosk", sentiment = "Negative", contactEmail = "not an email", contactConsent = true },
            _ => new { locationId = Guid.NewGuid(), channel = "Kiosk", sentiment = "Negative" },
        };

        var response = await http.PostJsonAsync("/api/v1/feedback", body);

        var fields = (await response.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields();
        Assert.Contains(field.ToLowerInvariant(), fields);
        Assert.Equal(0, await app.WithDbAsync(db => db.Feedback.CountAsync(), org.Id));
        Assert.Equal(0, await app.WithDbAsync(db => db.FeedbackAttachments.CountAsync(), org.Id));
    }

    [Fact]
    public async Task List_FiltersByLocationSentimentReasonChannelAndDate()
    {
        var (org, http, location, reasons) = await SetUpAsync();
        var other = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Second" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var reason = reasons.First(r => r.Kind == ReasonKind.Negative).Id;
        async Task<Guid> PostAsync(Guid loc, string channel, string sentiment, Guid[] ids) =>
            (await (await http.PostJsonAsync("/api/v1/feedback", new { locationId = loc, channel, sentiment, reasonIds = ids })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created)).Id;
        var a = await PostAsync(location.Id, "Kiosk", "Negative", [reason]);
        var b = await PostAsync(location.Id, "CallCentre", "Positive", []);
        var c = await PostAsync(other.Id, "Kiosk", "Negative", []);
        async Task<List<Guid>> IdsAsync(string query) =>
            (await (await http.GetAsync("/api/v1/feedback?" + query)).ReadAsync<Otklik.Web.Infrastructure.Page<FeedbackDto>>()).Items.Select(f => f.Id).Order().ToList();

        Assert.Equal(new[] { a, b }.Order(), await IdsAsync($"locationId={location.Id}"));
        Assert.Equal(new[] { a, c }.Order(), await IdsAsync("sentiment=Negative"));
        Assert.Equal([a], await IdsAsync($"reasonId={reason}"));
        Assert.Equal([b], await IdsAsync("channel=CallCentre"));
        Assert.Empty(await IdsAsync("from=2999-01-01T00:00:00Z"));
        Assert.Equal(3, (await IdsAsync("from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z")).Count);
    }
}

public sealed class FeedbackApiSqliteTests(SqliteApp app) : FeedbackApiTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class FeedbackApiPostgresTests(PostgresApp app) : FeedbackApiTests(app), IClassFixture<PostgresApp>;

public sealed class LowAddressLimitApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Otklik:Feedback:PerAddressPerMinute", "3")];
}

public sealed class LowLocationLimitApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Otklik:Feedback:PerLocationPerMinute", "2")];
}

/// <summary>The public form's limit per address: 429 with Retry-After past it.</summary>
public sealed class FeedbackAddressLimitTests(LowAddressLimitApp app) : IClassFixture<LowAddressLimitApp>
{
    [Fact]
    public async Task OneAddress_PastItsLimit_Gets429WithRetryAfter()
    {
        using var http = app.Anonymous();
        var codes = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;

        for (var i = 0; i < 4; i++)
        {
            last = await http.PostAsync($"/f/nowhere-{i}", new MultipartFormDataContent { { new StringContent("bad"), "mood" } });
            codes.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], codes);
        await last.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
    }
}

/// <summary>The limit per location, over every channel: 429 with Retry-After past it.</summary>
public sealed class FeedbackLocationLimitTests(LowLocationLimitApp app) : IClassFixture<LowLocationLimitApp>
{
    [Fact]
    public async Task OneLocation_PastItsLimit_Gets429WithRetryAfter_WhileAnotherLocationStillWorks()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var busy = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Busy" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var quiet = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Quiet" })).ReadAsync<LocationDto>(HttpStatusCode.Created);

        var codes = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 3; i++)
        {
            last = await http.PostJsonAsync("/api/v1/feedback", new { locationId = busy.Id, channel = "Kiosk", sentiment = "Negative" });
            codes.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], codes);
        await last.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.Equal(2, await app.WithDbAsync(db => db.Feedback.CountAsync(f => f.LocationId == busy.Id), org.Id));
        Assert.Equal(HttpStatusCode.Created, (await http.PostJsonAsync("/api/v1/feedback", new { locationId = quiet.Id, channel = "Kiosk", sentiment = "Positive" })).StatusCode);
    }

    [Fact]
    public async Task ThePublicForm_PastTheLocationsLimit_Gets429AndStoresNothingMore()
    {
        var org = await app.NewOrganizationAsync();
        using var owner = org.Owner();
        var location = await (await owner.PostJsonAsync("/api/v1/locations", new { name = "Form" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var tokens = app.Services.GetRequiredService<FormTokens>();
        using var http = app.Anonymous();
        var codes = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 3; i++)
        {
            var form = new MultipartFormDataContent
            {
                { new StringContent("bad"), "mood" }, { new StringContent(tokens.Issue(location.Id, DateTimeOffset.UtcNow.AddMinutes(-1))), "t" },
            };
            last = await http.PostAsync($"/f/{location.Slug}", form);
            codes.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.Equal(2, await app.WithDbAsync(db => db.Feedback.CountAsync(), org.Id));
    }
}
