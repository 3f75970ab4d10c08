using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Live;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Feedback;

/// <summary>The customer's page /f/{slug} through plain HTTP, as a browser without JavaScript uses it.</summary>
public abstract partial class PublicFeedbackTests(OtklikApp app)
{
    private sealed record Place(TestOrg Org, LocationDto Location, List<ReasonDto> Negative, List<ReasonDto> Positive);

    private async Task<Place> PlaceAsync()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new
        {
            name = "Кофейня <b>на углу</b>", yandexMapsUrl = "https://yandex.ru/maps/org/1", twoGisUrl = "https://2gis.ru/firm/2",
        })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        await (await http.PostAsync("/api/v1/reasons/starter?template=food", null)).ReadAsync<StarterApplied>();
        var reasons = await (await http.GetAsync("/api/v1/reasons")).ReadAsync<List<ReasonDto>>();
        return new Place(org, location, reasons.Where(r => r.Kind == ReasonKind.Negative).ToList(), reasons.Where(r => r.Kind == ReasonKind.Positive).ToList());
    }

    /// <summary>A stamp as the page would have issued it a minute ago, so the post is not "too fast".</summary>
    private string Stamp(Guid locationId) =>
        app.Services.GetRequiredService<FormTokens>().Issue(locationId, DateTimeOffset.UtcNow.AddMinutes(-1));

    private static MultipartFormDataContent Form(string mood, string? token, IEnumerable<Guid>? reasons = null, string? text = null,
        (byte[] Bytes, string FileName, string ContentType)? photo = null, string? name = null, string? phone = null, string? email = null,
        bool consent = false, bool testimonial = false, string? honeypot = null, (byte[] Bytes, string FileName, string ContentType)? voice = null,
        bool mediaConsent = false, int? consentVersion = null)
    {
        var form = new MultipartFormDataContent { { new StringContent(mood), "mood" } };
        if (token is not null) form.Add(new StringContent(token), "t");
        foreach (var r in reasons ?? []) form.Add(new StringContent(r.ToString()), "reason");
        if (text is not null) form.Add(new StringContent(text), "text");
        if (photo is { } p)
        {
            var file = new ByteArrayContent(p.Bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(p.ContentType);
            form.Add(file, "photo", p.FileName);
        }
        if (voice is { } v)
        {
            var file = new ByteArrayContent(v.Bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(v.ContentType);
            form.Add(file, "voice", v.FileName);
        }
        if (name is not null) form.Add(new StringContent(name), "name");
        if (phone is not null) form.Add(new StringContent(phone), "phone");
        if (email is not null) form.Add(new StringContent(email), "email");
        if (consent) form.Add(new StringContent("yes"), "consent");
        if (testimonial) form.Add(new StringContent("yes"), "testimonial");
        if (mediaConsent) form.Add(new StringContent("yes"), "mediaConsent");
        if (consentVersion is { } version) form.Add(new StringContent(version.ToString(System.Globalization.CultureInfo.InvariantCulture)), "consentVersion");
        form.Add(new StringContent(honeypot ?? ""), PublicFeedback.Honeypot);
        return form;
    }

    private Task<List<Otklik.Web.Features.Feedback.Feedback>> StoredAsync(Guid org) =>
        app.WithDbAsync(db => db.Feedback.Include(f => f.Reasons).Include(f => f.Attachments).OrderBy(f => f.CreatedAt).ToListAsync(), org);

    [Fact]
    public async Task FirstScreen_AsksGoodOrBad_InRussianByDefault_AndOffersTheMaps()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();

        var html = await (await http.GetAsync($"/f/{place.Location.Slug}")).ReadTextAsync();

        Assert.Contains("Как вам у нас?", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/f/{place.Location.Slug}?mood=good\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/f/{place.Location.Slug}?mood=bad\"", html, StringComparison.Ordinal);
        Assert.Contains("https://yandex.ru/maps/org/1", html, StringComparison.Ordinal);
        Assert.Contains("https://2gis.ru/firm/2", html, StringComparison.Ordinal);
        Assert.Contains("Кофейня &lt;b&gt;на углу&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"ru\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task English_IsUsed_WhenTheBrowserPrefersIt()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();
        http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB,en;q=0.9,ru;q=0.5");

        var start = await (await http.GetAsync($"/f/{place.Location.Slug}")).ReadTextAsync();
        var bad = await (await http.GetAsync($"/f/{place.Location.Slug}?mood=bad")).ReadTextAsync();

        Assert.Contains("How was your visit?", start, StringComparison.Ordinal);
        Assert.Contains("Order took too long", bad, StringComparison.Ordinal);
        Assert.DoesNotContain("Долго готовили заказ", bad, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadPath_ShowsOnlyActiveNegativeReasons_AsCheckboxes_WithTheOrganizationsConsentText()
    {
        var place = await PlaceAsync();
        using var owner = place.Org.Owner();
        var archived = place.Negative[^1];
        await (await owner.PostAsync($"/api/v1/reasons/{archived.Id}/archive", null)).ReadAsync<ReasonDto>();
        await (await owner.PutJsonAsync("/api/v1/feedback/settings", new { consentText = "Согласен на звонок <от нас>" })).ReadAsync<FeedbackSettingsDto>();
        using var http = app.Anonymous();

        var html = await (await http.GetAsync($"/f/{place.Location.Slug}?mood=bad")).ReadTextAsync();

        foreach (var r in place.Negative.SkipLast(1)) Assert.Contains($"value=\"{r.Id}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain(archived.Id.ToString(), html, StringComparison.Ordinal);
        Assert.DoesNotContain(place.Positive[0].Id.ToString(), html, StringComparison.Ordinal);
        Assert.Contains("type=\"checkbox\" name=\"reason\"", html, StringComparison.Ordinal);
        Assert.Contains("Согласен на звонок &lt;от нас&gt;", html, StringComparison.Ordinal);
        Assert.Contains("enctype=\"multipart/form-data\"", html, StringComparison.Ordinal);
        Assert.Contains($"name=\"{PublicFeedback.Honeypot}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstScreen_WithItsCss_IsUnder60KB_AndLoadsNothingFromElsewhere()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();
        long total = 0;

        foreach (var url in new[] { $"/f/{place.Location.Slug}", $"/f/{place.Location.Slug}?mood=bad" })
        {
            var response = await http.GetAsync(url);
            var html = await response.ReadTextAsync();
            var bytes = (await response.Content.ReadAsByteArrayAsync()).LongLength;
            var resources = Resource().Matches(html).Select(m => m.Groups[2].Value).ToList();
            Assert.NotEmpty(resources);
            // Script only from our own origin, never inline (the policy forbids inline script anyway).
            Assert.DoesNotMatch("<script(?![^>]*\\bsrc=\"/)", html);
            Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.DoesNotContain("MudBlazor", html, StringComparison.Ordinal);
            Assert.DoesNotContain("_framework", html, StringComparison.Ordinal);
            foreach (var resource in resources)
            {
                Assert.True(resource.StartsWith('/') && !resource.StartsWith("//", StringComparison.Ordinal), $"{url} loads {resource} from elsewhere");
                var loaded = await http.GetAsync(resource);
                Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);
                bytes += (await loaded.Content.ReadAsByteArrayAsync()).LongLength;
            }
            Assert.True(bytes < 60 * 1024, $"{url} with its resources weighs {bytes} bytes");
            total = Math.Max(total, bytes);
        }
        Assert.True(total > 1000, "The page is suspiciously small; is the check measuring anything?");
    }

    [GeneratedRegex("""<(?:link|script|img|iframe|source)\b[^>]*\b(href|src)="([^"]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex Resource();

    [Fact]
    public async Task EveryCombinationOfFields_IsStoredAsSent()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (Linux; Android 14) Test/1.0");
        var expected = new List<(string Mood, bool Reasons, bool Text, bool Photo, bool Contact, bool Testimonial)>();

        foreach (var mood in new[] { "bad", "good" })
            for (var mask = 0; mask < 32; mask++)
            {
                var (withReasons, withText, withPhoto, withContact, withTestimonial) = ((mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0, (mask & 8) != 0, (mask & 16) != 0);
                if (mood == "good" && withPhoto) continue; // the praise form has no photo field
                var reasons = mood == "bad" ? place.Negative.Take(2).Select(r => r.Id) : place.Positive.Take(1).Select(r => r.Id);
                var response = await http.PostAsync($"/f/{place.Location.Slug}", Form(mood, Stamp(place.Location.Id),
                    reasons: withReasons ? reasons : null, text: withText ? $"Text {mood} {mask}" : null,
                    photo: withPhoto ? (Files.Jpeg, "IMG_0001.jpg", "image/jpeg") : null, mediaConsent: withPhoto,
                    name: withContact ? "Ирина" : null, phone: withContact ? "+7 (900) 123-45-67" : null, consent: withContact, testimonial: withTestimonial));
                var html = await response.ReadTextAsync();
                Assert.Contains("id=\"thanks\"", html, StringComparison.Ordinal);
                expected.Add((mood, withReasons, withText, withPhoto, withContact, withTestimonial));
            }

        var stored = await StoredAsync(place.Org.Id);
        Assert.Equal(expected.Count, stored.Count);
        foreach (var (e, f) in expected.Zip(stored))
        {
            Assert.Equal(e.Mood == "bad" ? Sentiment.Negative : Sentiment.Positive, f.Sentiment);
            Assert.Equal(FeedbackChannel.QrPage, f.Channel);
            Assert.Equal(e.Reasons ? (e.Mood == "bad" ? 2 : 1) : 0, f.Reasons.Count);
            Assert.Equal(e.Text, f.Text is not null);
            Assert.Equal(e.Photo ? 1 : 0, f.Attachments.Count);
            Assert.Equal(e.Contact ? "+7 (900) 123-45-67" : null, f.ContactPhone);
            Assert.Equal(e.Contact ? 0 : null, f.ContactConsentVersion);
            // Publication consent only makes sense with words to publish.
            Assert.Equal(e.Testimonial && e.Text, f.TestimonialConsent);
            Assert.NotNull(f.UserAgentHash);
        }
        Assert.All(stored.SelectMany(f => f.Attachments), a => Assert.Equal("image/jpeg", a.ContentType));
    }

    [Fact]
    public async Task Contact_WithoutConsent_IsNotStored_AndTheCustomerIsTold()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();

        var html = await (await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), text: "Cold coffee",
            name: "Пётр", phone: "+79001234567", email: "petr@example.com", consent: false))).ReadTextAsync();

        Assert.Contains("id=\"contact-dropped\"", html, StringComparison.Ordinal);
        var f = Assert.Single(await StoredAsync(place.Org.Id));
        Assert.Equal("Cold coffee", f.Text);
        Assert.Equal((null, null, null, (int?)null, (DateTimeOffset?)null), (f.ContactName, f.ContactPhone, f.ContactEmail, f.ContactConsentVersion, f.ContactConsentAt));
    }

    [Fact]
    public async Task PhotoAndVoice_WithoutConsent_AreNotStored_TheRestIs_AndTheCustomerIsTold()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();
        var reason = place.Negative[0].Id;

        var html = await (await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), reasons: [reason], text: "Broken door",
            photo: (Files.Jpeg, "door.jpg", "image/jpeg"), voice: (Files.Wav(), "voice.wav", "audio/wav")))).ReadTextAsync();

        Assert.Contains("id=\"thanks\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"photo-dropped\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"voice-dropped\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"contact-dropped\"", html, StringComparison.Ordinal);
        var f = Assert.Single(await StoredAsync(place.Org.Id));
        Assert.Equal(("Broken door", Sentiment.Negative, reason), (f.Text, f.Sentiment, Assert.Single(f.Reasons).ReasonId));
        Assert.Empty(f.Attachments);
        var folder = Path.Combine(app.DataFolder, "attachments", place.Org.Id.ToString("N"));
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), "A file was written to the attachment store.");
    }

    [Fact]
    public async Task BadForm_AsksForConsentBeforeAPhotoOrVoiceNote_WithTheCurrentTextAndItsVersion()
    {
        var place = await PlaceAsync();
        using var owner = place.Org.Owner();
        await (await owner.PutJsonAsync("/api/v1/feedback/settings", new { consentText = "Фото и голос храним 30 дней" })).ReadAsync<FeedbackSettingsDto>();
        using var http = app.Anonymous();

        var html = await (await http.GetAsync($"/f/{place.Location.Slug}?mood=bad")).ReadTextAsync();

        var consent = html.IndexOf("name=\"mediaConsent\"", StringComparison.Ordinal);
        Assert.True(consent > 0 && consent < html.IndexOf("name=\"photo\"", StringComparison.Ordinal) && consent < html.IndexOf("name=\"voice\"", StringComparison.Ordinal),
            "The consent box comes before the photo and voice inputs.");
        Assert.Contains("<span id=\"media-consent-text\">Фото и голос храним 30 дней</span>", html, StringComparison.Ordinal);
        Assert.Contains("name=\"consentVersion\" value=\"1\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APageLoadedBeforeTheTextChanged_RecordsTheVersionItShowed()
    {
        var place = await PlaceAsync();
        using var owner = place.Org.Owner();
        await (await owner.PutJsonAsync("/api/v1/feedback/settings", new { consentText = "Version one" })).ReadAsync<FeedbackSettingsDto>();
        await (await owner.PutJsonAsync("/api/v1/feedback/settings", new { consentText = "Version two" })).ReadAsync<FeedbackSettingsDto>();
        using var http = app.Anonymous();

        await (await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), email: "b@example.com", consent: true,
            photo: (Files.Jpeg, "a.jpg", "image/jpeg"), mediaConsent: true, consentVersion: 1))).ReadTextAsync();

        var f = Assert.Single(await StoredAsync(place.Org.Id));
        Assert.Equal(1, f.ContactConsentVersion);
        var photo = Assert.Single(f.Attachments);
        Assert.Equal(1, photo.ConsentVersion);
        Assert.Equal(f.CreatedAt, photo.ConsentAt);
    }

    [Fact]
    public async Task ConsentVersion_FollowsTheOrganizationsText()
    {
        var place = await PlaceAsync();
        using var owner = place.Org.Owner();
        var settings = await (await owner.PutJsonAsync("/api/v1/feedback/settings", new { consentText = "Version two" })).ReadAsync<FeedbackSettingsDto>();
        using var http = app.Anonymous();

        await (await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), email: "a@example.com", consent: true))).ReadTextAsync();

        Assert.Equal(1, settings.ConsentVersion);
        var f = Assert.Single(await StoredAsync(place.Org.Id));
        Assert.Equal(("a@example.com", (int?)1, FeedbackChannel.QrPage), (f.ContactEmail, f.ContactConsentVersion, f.Channel));
        Assert.NotNull(f.ContactConsentAt);
        Assert.True(f.ContactConsentAt >= f.CreatedAt.AddSeconds(-1) && f.ContactConsentAt <= f.CreatedAt.AddSeconds(1));

        // A later text is a new version; the words this customer agreed to stay readable.
        await (await owner.PutJsonAsync("/api/v1/feedback/settings", new { consentText = "Version three" })).ReadAsync<FeedbackSettingsDto>();
        var versions = await (await owner.GetAsync("/api/v1/privacy/consents")).ReadAsync<List<Otklik.Web.Features.Privacy.ConsentVersionDto>>();
        Assert.Equal([(2, "Version three", false), (1, "Version two", false), (0, ConsentTexts.DefaultRu, true)], versions.Select(v => (v.Version, v.Text, v.IsDefault)));
    }

    public static TheoryData<string, byte[], string, string> BadPhotos => new()
    {
        { "too large", Files.JpegOfSize(ContentSniffer.PhotoMaxBytes + 1), "big.jpg", "image/jpeg" },
        { "wrong type", Files.Gif, "anim.gif", "image/gif" },
        { "lying extension", Files.Pdf, "photo.jpg", "image/jpeg" },
        { "text named as png", "just text"u8.ToArray(), "photo.png", "image/png" },
    };

    [Theory]
    [MemberData(nameof(BadPhotos), DisableDiscoveryEnumeration = true)] // a 5 MB row: serializing it at discovery takes minutes
    public async Task BadPhoto_Gets400WithAClearMessage_AndNothingIsStored(string why, byte[] bytes, string fileName, string contentType)
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();

        var response = await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), text: why, photo: (bytes, fileName, contentType)));

        var html = await response.ReadTextAsync(HttpStatusCode.BadRequest);
        Assert.Contains("data-field=\"photo\"", html, StringComparison.Ordinal);
        Assert.Contains(why == "too large" ? "5 МБ" : "не фотография", html, StringComparison.Ordinal);
        Assert.Empty(await StoredAsync(place.Org.Id));
        Assert.DoesNotContain(Directory.EnumerateFiles(app.DataFolder, "*", SearchOption.AllDirectories), f => f.Contains(place.Org.Id.ToString("N"), StringComparison.Ordinal));
    }

    public static TheoryData<string, byte[], string, string> Voices => new()
    {
        { "audio/wav", Files.Wav(), "voice.wav", "audio/wav" },
        { "audio/webm", Files.WebmHeader, "voice.webm", "audio/webm" },
        // The name and the browser's type do not matter, the bytes do.
        { "audio/wav", Files.Wav(100), "recording.bin", "application/octet-stream" },
    };

    [Theory]
    [MemberData(nameof(Voices), DisableDiscoveryEnumeration = true)]
    public async Task AVoiceMessage_IsStoredAsVoice_AndTheManagerCanPlayIt(string expectedType, byte[] bytes, string fileName, string contentType)
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();

        var html = await (await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), reasons: place.Negative.Take(2).Select(r => r.Id),
            text: "Listen", photo: (Files.Jpeg, "a.jpg", "image/jpeg"), voice: (bytes, fileName, contentType), mediaConsent: true))).ReadTextAsync();

        Assert.Contains("id=\"thanks\"", html, StringComparison.Ordinal);
        var stored = Assert.Single(await StoredAsync(place.Org.Id));
        var voice = Assert.Single(stored.Attachments, a => a.Kind == AttachmentKind.Voice);
        Assert.Single(stored.Attachments, a => a.Kind == AttachmentKind.Photo);
        Assert.Equal((expectedType, (long)bytes.Length), (voice.ContentType, voice.Size));
        using var owner = place.Org.Owner();
        var served = await owner.GetAsync($"/api/v1/feedback/attachments/{voice.Id}");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(expectedType, served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await served.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("photo as voice")]
    [InlineData("text as voice")]
    [InlineData("too large")]
    public async Task BadVoice_Gets400WithAClearMessage_AndNothingIsStored(string why)
    {
        // Built here, not in the theory data: xunit serializes data rows, and a 10 MB row is slow to discover.
        var (bytes, fileName) = why switch
        {
            "photo as voice" => (Files.Png, "voice.webm"),
            "text as voice" => ("hello"u8.ToArray(), "voice.ogg"),
            _ => ((byte[])[.. Files.Wav(10), .. new byte[ContentSniffer.VoiceMaxBytes]], "voice.wav"),
        };
        var place = await PlaceAsync();
        using var http = app.Anonymous();

        var response = await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), text: why, voice: (bytes, fileName, "audio/webm")));

        var html = await response.ReadTextAsync(HttpStatusCode.BadRequest);
        Assert.Contains("data-field=\"voice\"", html, StringComparison.Ordinal);
        Assert.Contains(why == "too large" ? "10 МБ" : "не аудиозапись", html, StringComparison.Ordinal);
        Assert.Empty(await StoredAsync(place.Org.Id));
    }

    [Fact]
    public async Task BadForm_WithoutScript_OffersAnAudioFilePicker_AndTheRecorderScriptWithItsLimit()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();

        var html = await (await http.GetAsync($"/f/{place.Location.Slug}?mood=bad")).ReadTextAsync();
        var script = await http.GetAsync("/f.js");
        var favicon = await http.GetAsync("/favicon.ico");

        Assert.Contains("<input type=\"file\" name=\"voice\" accept=\"audio/*\"", html, StringComparison.Ordinal);
        Assert.Contains("data-max=\"60\"", html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/f.js\" defer></script>", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("MediaRecorder", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, favicon.StatusCode);
        Assert.Equal("image/svg+xml", favicon.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ByDefault_EveryCustomer_IsOfferedTheMaps_AlsoAfterAComplaint()
    {
        var place = await PlaceAsync();
        using var owner = place.Org.Owner();
        var settings = await (await owner.GetAsync("/api/v1/feedback/settings")).ReadAsync<FeedbackSettingsDto>();
        using var http = app.Anonymous();

        var afterComplaint = await (await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), text: "Cold"))).ReadTextAsync();

        Assert.False(settings.ReviewLinksOnlyAfterPraise);
        Assert.Contains("https://yandex.ru/maps/org/1", afterComplaint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReviewGating_On_OffersTheMapsOnlyAfterPraise()
    {
        var place = await PlaceAsync();
        using var owner = place.Org.Owner();
        var settings = await (await owner.PutJsonAsync("/api/v1/feedback/settings", new { consentText = (string?)null, reviewLinksOnlyAfterPraise = true }))
            .ReadAsync<FeedbackSettingsDto>();
        using var http = app.Anonymous();

        var start = await (await http.GetAsync($"/f/{place.Location.Slug}")).ReadTextAsync();
        var afterComplaint = await (await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), text: "Cold"))).ReadTextAsync();
        var praiseForm = await (await http.GetAsync($"/f/{place.Location.Slug}?mood=good")).ReadTextAsync();
        var afterPraise = await (await http.PostAsync($"/f/{place.Location.Slug}", Form("good", Stamp(place.Location.Id), text: "Tasty"))).ReadTextAsync();

        Assert.Equal((true, 0), (settings.ReviewLinksOnlyAfterPraise, settings.ConsentVersion));
        Assert.DoesNotContain("yandex.ru/maps", start, StringComparison.Ordinal);
        Assert.DoesNotContain("yandex.ru/maps", afterComplaint, StringComparison.Ordinal);
        Assert.Contains("https://yandex.ru/maps/org/1", praiseForm, StringComparison.Ordinal);
        Assert.Contains("https://yandex.ru/maps/org/1", afterPraise, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APhoto_IsRecognisedByItsBytes_NotItsName()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();

        await (await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), photo: (Files.Png, "notes.txt", "text/plain"), mediaConsent: true))).ReadTextAsync();

        var attachment = Assert.Single(Assert.Single(await StoredAsync(place.Org.Id)).Attachments);
        Assert.Equal(("image/png", (long)Files.Png.Length), (attachment.ContentType, attachment.Size));
        using var owner = place.Org.Owner();
        var served = await owner.GetAsync($"/api/v1/feedback/attachments/{attachment.Id}");
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Files.Png, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/api/v1/feedback/attachments/{attachment.Id}")).StatusCode);
    }

    [Fact]
    public async Task FilledHoneypot_IsRefused_AndNothingIsStored()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();

        var response = await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), text: "Buy cheap pills", honeypot: "https://spam.example"));

        var html = await response.ReadTextAsync(HttpStatusCode.BadRequest);
        Assert.Contains("id=\"form-error\"", html, StringComparison.Ordinal);
        Assert.Empty(await StoredAsync(place.Org.Id));
    }

    [Fact]
    public async Task AFormSentRightAfterItWasShown_IsRefusedAsTooFast_AndNothingIsStored()
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();
        var page = await (await http.GetAsync($"/f/{place.Location.Slug}?mood=bad")).ReadTextAsync();
        var token = Token().Match(page).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token));

        var response = await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", token, text: "Instant"));

        var html = await response.ReadTextAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Слишком быстро", html, StringComparison.Ordinal);
        Assert.Empty(await StoredAsync(place.Org.Id));
    }

    [GeneratedRegex("""name="t" value="([^"]+)""")]
    private static partial Regex Token();

    [Theory]
    [InlineData(null)]
    [InlineData("forged-token")]
    [InlineData("other-location")]
    public async Task AMissingOrForgedStamp_IsRefused_AndNothingIsStored(string? kind)
    {
        var place = await PlaceAsync();
        using var http = app.Anonymous();
        var token = kind switch { "other-location" => Stamp(Guid.NewGuid()), null => null, _ => kind };

        var response = await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", token, text: "x"));

        await response.ReadTextAsync(HttpStatusCode.BadRequest);
        Assert.Empty(await StoredAsync(place.Org.Id));
    }

    [Fact]
    public async Task ScriptInTheText_IsStoredAsText_AndShownEncoded_OnTheThankYouPageAndInTheInbox()
    {
        var place = await PlaceAsync();
        const string evil = "<script>alert('x')</script> & <img src=x onerror=alert(1)>";
        using var http = app.Anonymous();

        var thanks = await (await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), text: evil))).ReadTextAsync();

        Assert.Equal(evil, Assert.Single(await StoredAsync(place.Org.Id)).Text);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;", thanks, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", thanks, StringComparison.Ordinal);
        using var owner = place.Org.Owner();
        var inbox = await (await owner.GetAsync("/feedback")).ReadTextAsync();
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", inbox, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", inbox, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownLocation_Is404()
    {
        using var http = app.Anonymous();

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/f/no-such-place-" + Guid.NewGuid().ToString("N")[..8])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/f/no-such-place", Form("bad", "x"))).StatusCode);
    }

    [Fact]
    public async Task NegativeFeedback_PublishesALiveEvent_PositiveDoesNot()
    {
        var place = await PlaceAsync();
        var received = new List<FeedbackReceived>();
        using var subscription = app.Services.GetRequiredService<LiveNotifier>().OnFeedbackReceived(e =>
        {
            if (e.OrganizationId == place.Org.Id) lock (received) received.Add(e);
            return Task.CompletedTask;
        });
        using var http = app.Anonymous();

        await (await http.PostAsync($"/f/{place.Location.Slug}", Form("good", Stamp(place.Location.Id), text: "Lovely"))).ReadTextAsync();
        await (await http.PostAsync($"/f/{place.Location.Slug}", Form("bad", Stamp(place.Location.Id), text: "Cold soup"))).ReadTextAsync();

        var e = Assert.Single(received);
        Assert.Equal((place.Location.Id, "Cold soup", "QrPage"), (e.LocationId, e.Excerpt, e.Channel));
    }
}

public sealed class PublicFeedbackSqliteTests(SqliteApp app) : PublicFeedbackTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class PublicFeedbackPostgresTests(PostgresApp app) : PublicFeedbackTests(app), IClassFixture<PostgresApp>;

internal static class TextResponses
{
    public static async Task<string> ReadTextAsync(this HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body[..Math.Min(body.Length, 2000)]}");
        return body;
    }
}
