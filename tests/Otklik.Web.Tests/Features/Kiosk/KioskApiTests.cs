using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Web.Data;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Kiosk;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Tests.Features.Feedback;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Kiosk;

/// <summary>The kiosk's page, manifest and submit endpoint over plain HTTP: what a tablet (and its offline queue) sends.</summary>
public abstract class KioskApiTests(OtklikApp app)
{
    private sealed record Place(TestOrg Org, LocationDto Location, List<ReasonDto> Negative, List<ReasonDto> Positive);

    private async Task<Place> PlaceAsync()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Аптека <b>у парка</b>" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        await (await http.PostAsync("/api/v1/reasons/starter?template=clinic", null)).ReadAsync<StarterApplied>();
        var reasons = await (await http.GetAsync("/api/v1/reasons")).ReadAsync<List<ReasonDto>>();
        return new Place(org, location, reasons.Where(r => r.Kind == ReasonKind.Negative).ToList(), reasons.Where(r => r.Kind == ReasonKind.Positive).ToList());
    }

    /// <summary>A stamp as the kiosk page would have issued it a minute ago.</summary>
    private string Stamp(Guid locationId, TimeSpan? age = null) =>
        app.Services.GetRequiredService<FormTokens>().Issue(locationId, DateTimeOffset.UtcNow - (age ?? TimeSpan.FromMinutes(1)));

    private static MultipartFormDataContent Form(Guid? id, string? mood, string? token, IEnumerable<string>? reasons = null, string? text = null,
        byte[]? photo = null, bool photoConsent = false, string? phone = null, bool consent = false, string? honeypot = null, string? consentVersion = null)
    {
        var form = new MultipartFormDataContent();
        if (id is { } i) form.Add(new StringContent(i.ToString()), "id");
        if (mood is not null) form.Add(new StringContent(mood), "mood");
        if (token is not null) form.Add(new StringContent(token), "t");
        foreach (var r in reasons ?? []) form.Add(new StringContent(r), "reason");
        if (text is not null) form.Add(new StringContent(text), "text");
        if (photo is not null)
        {
            var file = new ByteArrayContent(photo);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(file, "photo", "photo.jpg");
        }
        if (photoConsent) form.Add(new StringContent("yes"), "photoConsent");
        if (phone is not null) form.Add(new StringContent(phone), "phone");
        if (consent) form.Add(new StringContent("yes"), "consent");
        if (honeypot is not null) form.Add(new StringContent(honeypot), PublicFeedback.Honeypot);
        if (consentVersion is not null) form.Add(new StringContent(consentVersion), "consentVersion");
        return form;
    }

    private Task<List<Otklik.Web.Features.Feedback.Feedback>> StoredAsync(Guid org) =>
        app.WithDbAsync(db => db.Feedback.Include(f => f.Reasons).Include(f => f.Attachments).ToListAsync(), org);

    [Fact]
    public async Task ABadSubmissionWithAReason_IsStoredWithChannelKiosk_AndAResendOfTheSameIdIsStoredOnce()
    {
        var place = await PlaceAsync();
        var reason = place.Negative[1].Id;
        var id = Guid.NewGuid();
        using var http = app.Anonymous();

        var first = await http.PostAsync($"/api/v1/kiosk/{place.Location.Slug}/feedback",
            Form(id, "bad", Stamp(place.Location.Id), [reason.ToString()], text: "Долго ждали", phone: "+7 900 000-00-00", consent: true));
        var again = await http.PostAsync($"/api/v1/kiosk/{place.Location.Slug}/feedback",
            Form(id, "bad", Stamp(place.Location.Id), [reason.ToString()], text: "Долго ждали", phone: "+7 900 000-00-00", consent: true));

        var created = await first.ReadAsync<KioskAccepted>(HttpStatusCode.Created);
        Assert.Equal((id, false, true), (created.Id, created.Duplicate, created.ContactStored));
        Assert.Equal($"/api/v1/feedback/{id}", first.Headers.Location?.OriginalString);
        var duplicate = await again.ReadAsync<KioskAccepted>(HttpStatusCode.OK);
        Assert.Equal((id, true), (duplicate.Id, duplicate.Duplicate));
        var stored = Assert.Single(await StoredAsync(place.Org.Id));
        Assert.Equal((id, FeedbackChannel.Kiosk, Sentiment.Negative, "Долго ждали", place.Location.Id), (stored.Id, stored.Channel, stored.Sentiment, stored.Text, stored.LocationId));
        Assert.Equal(reason, Assert.Single(stored.Reasons).ReasonId);
        Assert.Equal("+7 900 000-00-00", stored.ContactPhone);
        // A complaint at the kiosk raises the same alert as on the QR page, once.
        Assert.Equal(1, await app.WithDbAsync(db => db.Alerts.CountAsync(a => a.FeedbackId == id), place.Org.Id));
    }

    [Fact]
    public async Task ResendsArrivingTogether_AreStoredOnce()
    {
        var place = await PlaceAsync();
        var id = Guid.NewGuid();
        using var http = app.Anonymous();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            http.PostAsync($"/api/v1/kiosk/{place.Location.Slug}/feedback", Form(id, "good", Stamp(place.Location.Id), [place.Positive[0].Id.ToString()]))));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)r.StatusCode}"));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        var stored = Assert.Single(await StoredAsync(place.Org.Id));
        Assert.Equal((FeedbackChannel.Kiosk, Sentiment.Positive), (stored.Channel, stored.Sentiment));
    }

    [Fact]
    public async Task APhotoWithConsent_IsStoredAsAnAttachment()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();

        var response = await http.PostAsync($"/api/v1/kiosk/{place.Location.Slug}/feedback",
            Form(Guid.NewGuid(), "bad", Stamp(place.Location.Id), photo: Files.Jpeg, photoConsent: true));

        var accepted = await response.ReadAsync<KioskAccepted>(HttpStatusCode.Created);
        Assert.Empty(accepted.NotStored);
        var stored = Assert.Single(await StoredAsync(place.Org.Id));
        Assert.Equal(("image/jpeg", AttachmentKind.Photo), (Assert.Single(stored.Attachments).ContentType, stored.Attachments[0].Kind));
        Assert.Equal((0, stored.CreatedAt), (stored.Attachments[0].ConsentVersion, stored.Attachments[0].ConsentAt));
    }

    [Fact]
    public async Task APhotoWithoutConsent_IsNotStored_TheFeedbackIs_AndTheAnswerSaysSo()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();

        var response = await http.PostAsync($"/api/v1/kiosk/{place.Location.Slug}/feedback",
            Form(Guid.NewGuid(), "bad", Stamp(place.Location.Id), [place.Negative[0].Id.ToString()], text: "Грязно", photo: Files.Jpeg, phone: "+7 900 111-22-33"));

        var body = await response.Content.ReadAsStringAsync();
        var accepted = await response.ReadAsync<KioskAccepted>(HttpStatusCode.Created);
        Assert.Contains("\"notStored\":[\"contact\",\"photo\"]", body, StringComparison.Ordinal);
        Assert.Equal(["contact", "photo"], accepted.NotStored);
        var stored = Assert.Single(await StoredAsync(place.Org.Id));
        Assert.Equal(("Грязно", place.Negative[0].Id, (string?)null), (stored.Text, Assert.Single(stored.Reasons).ReasonId, stored.ContactPhone));
        Assert.Empty(stored.Attachments);
        var folder = Path.Combine(app.DataFolder, "attachments", place.Org.Id.ToString("N"));
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), "A file was written to the attachment store.");
    }

    /// <summary>
    /// The offline queue: the tablet kept a submission while the consent text changed; when it is sent, the contact and the
    /// photo record the version the page showed, not the newer one.
    /// </summary>
    [Fact]
    public async Task AQueuedSubmission_SentAfterTheTextChanged_RecordsTheVersionThePageShowed()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();
        var page = await (await http.GetAsync($"/k/{place.Location.Slug}")).ReadTextAsync();
        Assert.Contains("data-consent-version=\"0\"", page, StringComparison.Ordinal);
        using var owner = place.Org.Owner();
        await (await owner.PutJsonAsync("/api/v1/feedback/settings", new { consentText = "A newer text" })).ReadAsync<FeedbackSettingsDto>();

        var response = await http.PostAsync($"/api/v1/kiosk/{place.Location.Slug}/feedback",
            Form(Guid.NewGuid(), "bad", Stamp(place.Location.Id, TimeSpan.FromHours(5)), photo: Files.Jpeg, photoConsent: true, phone: "+7 900 111-22-33", consent: true,
                consentVersion: "0"));

        var accepted = await response.ReadAsync<KioskAccepted>(HttpStatusCode.Created);
        Assert.Equal((true, 0), (accepted.ContactStored, accepted.NotStored.Count));
        var stored = Assert.Single(await StoredAsync(place.Org.Id));
        Assert.Equal(((int?)0, 0), (stored.ContactConsentVersion, Assert.Single(stored.Attachments).ConsentVersion));
    }

    public static TheoryData<string> BadInputs => new()
    {
        "no-id", "empty-id", "bad-mood", "bad-reason", "foreign-reason", "positive-reason-on-bad", "honeypot", "no-stamp", "forged-stamp",
        "stamp-of-another-location", "expired-stamp", "future-consent-version", "not-a-photo", "two-photos", "text-too-long", "bad-phone", "json",
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInput_Is400ProblemDetails_AndStoresNothing(string kind)
    {
        var place = await PlaceAsync();
        var other = await PlaceAsync();
        var stamp = Stamp(place.Location.Id);
        var bad = place.Negative[0].Id.ToString();
        HttpContent body = kind switch
        {
            "no-id" => Form(null, "bad", stamp),
            "empty-id" => Form(Guid.Empty, "bad", stamp),
            "bad-mood" => Form(Guid.NewGuid(), "so-so", stamp),
            "bad-reason" => Form(Guid.NewGuid(), "bad", stamp, ["not-a-guid"]),
            "foreign-reason" => Form(Guid.NewGuid(), "bad", stamp, [other.Negative[0].Id.ToString()]),
            "positive-reason-on-bad" => Form(Guid.NewGuid(), "bad", stamp, [place.Positive[0].Id.ToString()]),
            "honeypot" => Form(Guid.NewGuid(), "bad", stamp, [bad], honeypot: "http://spam.example"),
            "no-stamp" => Form(Guid.NewGuid(), "bad", null, [bad]),
            "forged-stamp" => Form(Guid.NewGuid(), "bad", "forged", [bad]),
            "stamp-of-another-location" => Form(Guid.NewGuid(), "bad", Stamp(other.Location.Id), [bad]),
            "expired-stamp" => Form(Guid.NewGuid(), "bad", Stamp(place.Location.Id, TimeSpan.FromDays(30)), [bad]),
            "future-consent-version" => Form(Guid.NewGuid(), "bad", stamp, photo: Files.Jpeg, photoConsent: true, consentVersion: "7"),
            "not-a-photo" => Form(Guid.NewGuid(), "bad", stamp, photo: Files.Pdf, photoConsent: true),
            "two-photos" => TwoPhotos(Form(Guid.NewGuid(), "bad", stamp, photo: Files.Jpeg, photoConsent: true)),
            "text-too-long" => Form(Guid.NewGuid(), "bad", stamp, text: new string('x', Limits.LongText + 1)),
            "bad-phone" => Form(Guid.NewGuid(), "bad", stamp, phone: "call me", consent: true),
            "json" => new StringContent("""{"mood":"bad"}""", System.Text.Encoding.UTF8, "application/json"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        using var http = app.Anonymous();

        var response = await http.PostAsync($"/api/v1/kiosk/{place.Location.Slug}/feedback", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorFields());
        Assert.Empty(await StoredAsync(place.Org.Id));
        Assert.Empty(await StoredAsync(other.Org.Id));
    }

    private static MultipartFormDataContent TwoPhotos(MultipartFormDataContent form)
    {
        var file = new ByteArrayContent(Files.Png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "photo", "second.png");
        return form;
    }

    [Fact]
    public async Task AnUnknownLocation_Is404_AndAnIdStoredElsewhere_Is409()
    {
        var place = await PlaceAsync();
        var other = await PlaceAsync();
        var id = Guid.NewGuid();
        using var http = app.Anonymous();
        await (await http.PostAsync($"/api/v1/kiosk/{other.Location.Slug}/feedback", Form(id, "bad", Stamp(other.Location.Id)))).ReadAsync<KioskAccepted>(HttpStatusCode.Created);

        var unknown = await http.PostAsync("/api/v1/kiosk/no-such-place/feedback", Form(Guid.NewGuid(), "bad", Stamp(place.Location.Id)));
        var taken = await http.PostAsync($"/api/v1/kiosk/{place.Location.Slug}/feedback", Form(id, "bad", Stamp(place.Location.Id)));

        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        await taken.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Empty(await StoredAsync(place.Org.Id));
        Assert.Single(await StoredAsync(other.Org.Id));
    }

    [Fact]
    public async Task TheOrganizationsKioskTimeout_ReachesThePage_ZeroGoesBackToTheDefault_AndNonsenseIs400()
    {
        var place = await PlaceAsync();
        using var owner = place.Org.Owner();
        using var http = app.Anonymous();
        async Task<string> ResetOnPageAsync() =>
            System.Text.RegularExpressions.Regex.Match(await (await http.GetAsync($"/k/{place.Location.Slug}")).ReadTextAsync(), "data-reset=\"(\\d+)\"").Groups[1].Value;
        var byDefault = await ResetOnPageAsync();

        var set = await (await owner.PutJsonAsync("/api/v1/feedback/settings", new { kioskResetSeconds = 12 })).ReadAsync<FeedbackSettingsDto>();
        var withSetting = await ResetOnPageAsync();
        var tooLong = await owner.PutJsonAsync("/api/v1/feedback/settings", new { kioskResetSeconds = 100_000 });
        var cleared = await (await owner.PutJsonAsync("/api/v1/feedback/settings", new { kioskResetSeconds = 0 })).ReadAsync<FeedbackSettingsDto>();

        Assert.Equal(("45", 12, "12"), (byDefault, set.KioskResetSeconds, withSetting));
        Assert.Contains("kioskresetseconds", (await tooLong.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Null(cleared.KioskResetSeconds);
        Assert.Equal("45", await ResetOnPageAsync());
    }

    [Fact]
    public async Task ThePage_OffersTheReasonsTheManifestAndAStamp_AndItsServiceWorkerIsScopedToTheKiosk()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();
        http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");

        var page = await (await http.GetAsync($"/k/{place.Location.Slug}")).ReadTextAsync();
        var manifest = JsonDocument.Parse(await (await http.GetAsync($"/k/{place.Location.Slug}/manifest.webmanifest")).ReadTextAsync()).RootElement;
        var worker = await http.GetAsync("/k/sw.js");
        var token = await (await http.GetAsync($"/k/{place.Location.Slug}/token")).ReadAsync<KioskToken>();

        Assert.Contains("Аптека &lt;b&gt;у парка&lt;/b&gt;", page, StringComparison.Ordinal);
        Assert.Contains($"data-reason=\"{place.Negative[0].Id}\"", page, StringComparison.Ordinal);
        Assert.Contains($"data-reason=\"{place.Positive[0].Id}\"", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/k/{place.Location.Slug}/manifest.webmanifest?lang=en\"", page, StringComparison.Ordinal);
        Assert.Contains("How was your visit?", page, StringComparison.Ordinal);
        Assert.Equal(($"/k/{place.Location.Slug}", "/k/", "fullscreen"),
            (manifest.GetProperty("start_url").GetString(), manifest.GetProperty("scope").GetString(), manifest.GetProperty("display").GetString()));
        Assert.Equal(HttpStatusCode.OK, worker.StatusCode);
        Assert.Equal("text/javascript", worker.Content.Headers.ContentType?.MediaType);
        // Just issued: genuine and for this location, only too fresh to be sent yet.
        Assert.Equal(FormTokenCheck.TooFast, app.Services.GetRequiredService<FormTokens>().Check(token.Token, place.Location.Id, TimeSpan.FromHours(1)));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/k/no-such-place")).StatusCode);
    }
}

public sealed class KioskApiSqliteTests(SqliteApp app) : KioskApiTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class KioskApiPostgresTests(PostgresApp app) : KioskApiTests(app), IClassFixture<PostgresApp>;
