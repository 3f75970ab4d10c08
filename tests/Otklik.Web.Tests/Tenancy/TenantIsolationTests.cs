using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Tenancy;

/// <summary>
/// Walks every /api/v1 route the app maps and proves that another organization's key, and a location manager
/// limited to one location, can neither read nor change what is not theirs. A new route that this table does not
/// describe makes the test fail, so isolation is considered for every route as it is added.
/// </summary>
public abstract class TenantIsolationTests(OtklikApp app)
{
    /// <summary>For a route template, the id of the victim's resource it addresses (null: the route has no id).</summary>
    private static readonly Dictionary<string, Func<Seed, Guid?>> Targets = new(StringComparer.Ordinal)
    {
        ["/api/v1/organization/"] = _ => null,
        ["/api/v1/locations/"] = _ => null,
        ["/api/v1/locations/{id:guid}"] = s => s.OtherLocation.Id,
        ["/api/v1/location-groups/"] = _ => null,
        ["/api/v1/location-groups/{id:guid}"] = s => s.Group.Id,
        ["/api/v1/staff/"] = _ => null,
        ["/api/v1/staff/{id:guid}"] = s => s.OtherStaff.Id,
        ["/api/v1/shifts/"] = _ => null,
        ["/api/v1/shifts/{id:guid}"] = s => s.OtherShift.Id,
        ["/api/v1/devices/"] = _ => null,
        ["/api/v1/devices/{id:guid}"] = s => s.OtherDevice.Device.Id,
        ["/api/v1/devices/{id:guid}/token"] = s => s.OtherDevice.Device.Id,
        ["/api/v1/devices/{id:guid}/pairing-code"] = s => s.OtherDevice.Device.Id,
        ["/api/v1/users/"] = _ => null,
        ["/api/v1/users/{id:guid}"] = s => s.User.Id,
        ["/api/v1/api-keys/"] = _ => null,
        ["/api/v1/api-keys/{id:guid}"] = s => s.ApiKey.ApiKey.Id,
        // Reports read through the same filters; a foreign ?locationId= is 404 (ButtonStatsApiTests).
        ["/api/v1/stats/buttons/"] = _ => null,
        ["/api/v1/stats/buttons.csv/"] = _ => null,
        // The device protocol: only the device's own token opens these (checked again in IngestionTests).
        ["/api/v1/devices/{deviceId:guid}/events"] = s => s.Device.Device.Id,
        ["/api/v1/devices/{deviceId:guid}/heartbeat"] = s => s.Device.Device.Id,
        ["/api/v1/devices/pair/"] = _ => null,
        ["/api/v1/reasons/"] = _ => null,
        ["/api/v1/reasons/{id:guid}"] = s => s.Reason.Id,
        ["/api/v1/reasons/{id:guid}/archive"] = s => s.Reason.Id,
        ["/api/v1/reasons/{id:guid}/restore"] = s => s.Reason.Id,
        ["/api/v1/reasons/{id:guid}/move"] = s => s.Reason.Id,
        ["/api/v1/reasons/reorder/"] = _ => null,
        ["/api/v1/reasons/starter/"] = _ => null,
        ["/api/v1/feedback/"] = _ => null,
        ["/api/v1/feedback/{id:guid}"] = s => s.Feedback.Id,
        ["/api/v1/feedback/attachments/{id:guid}"] = s => s.Feedback.Attachments[0].Id,
        ["/api/v1/feedback/settings/"] = _ => null,
        // QR cards: a foreign location is 404; the batch covers only the caller's own locations.
        ["/api/v1/locations/cards.pdf/"] = _ => null,
        ["/api/v1/locations/{id:guid}/card.pdf"] = s => s.OtherLocation.Id,
        ["/api/v1/locations/{id:guid}/card/qr/feedback.png"] = s => s.OtherLocation.Id,
        ["/api/v1/locations/{id:guid}/card/qr/review.png"] = s => s.OtherLocation.Id,
        ["/api/v1/alerts/"] = _ => null,
        ["/api/v1/alerts/{id:guid}"] = s => s.Extra["alert"],
        ["/api/v1/alerts/{id:guid}/ack"] = s => s.Extra["alert"],
        ["/api/v1/alerts/{id:guid}/deliveries"] = s => s.Extra["alert"],
        ["/api/v1/locations/{id:guid}/alert-settings"] = s => s.OtherLocation.Id,
        ["/api/v1/locations/{id:guid}/notification-channels"] = s => s.OtherLocation.Id,
        ["/api/v1/notification-channels/{id:guid}"] = s => s.Extra["channel"],
        ["/api/v1/notification-channels/{id:guid}/test"] = s => s.Extra["channel"],
        ["/api/v1/notification-channels/{id:guid}/deliveries"] = s => s.Extra["channel"],
        // Imports: a JSON body is not a file (400); another organization's import is 404 (ImportsApiTests).
        ["/api/v1/imports/"] = _ => null,
        ["/api/v1/imports/kinds/"] = _ => null,
        ["/api/v1/imports/{id:guid}"] = s => s.Extra["import"],
        ["/api/v1/imports/{id:guid}/errors.csv"] = s => s.Extra["import"],
        ["/api/v1/imports/{id:guid}/undo"] = s => s.Extra["import"],
        // Root-cause reports read through the same filters; a foreign ?locationId= is 404 (CauseReportsApiTests).
        ["/api/v1/reports/causes/"] = _ => null,
        ["/api/v1/reports/causes.csv/"] = _ => null,
        ["/api/v1/reports/causes.xlsx/"] = _ => null,
        ["/api/v1/reports/sla/"] = _ => null,
        // The digest PDF reads through the same filters; a foreign ?locationId= is 404 (DigestsTests).
        ["/api/v1/reports/digest.pdf/"] = _ => null,
        // Digest subscriptions: the caller's organization's people only; another's person is 404 (DigestSubscriptionsApiTests).
        ["/api/v1/digests/subscriptions/"] = _ => null,
        ["/api/v1/digests/subscriptions/{id:guid}"] = s => s.User.Id,
        ["/api/v1/cases/"] = _ => null,
        ["/api/v1/cases/{id:guid}"] = s => s.Extra["case"],
        ["/api/v1/cases/{id:guid}/transition"] = s => s.Extra["case"],
        ["/api/v1/cases/{id:guid}/qualify"] = s => s.Extra["case"],
        ["/api/v1/cases/{id:guid}/assign"] = s => s.Extra["case"],
        ["/api/v1/cases/{id:guid}/root-cause"] = s => s.Extra["case"],
        ["/api/v1/cases/{id:guid}/timeline"] = s => s.Extra["case"],
        ["/api/v1/cases/{id:guid}/messages"] = s => s.Extra["case"],
        ["/api/v1/cases/{id:guid}/templates/{kind}"] = s => s.Extra["case"],
        ["/api/v1/cases/settings/"] = _ => null,
        ["/api/v1/cases/{id:guid}/share"] = s => s.Extra["case"],
        ["/api/v1/staff/{id:guid}/case-link"] = s => s.OtherStaff.Id,
        ["/api/v1/cases/follow-up-report/"] = _ => null,
        ["/api/v1/locations/{id:guid}/case-rule"] = s => s.OtherLocation.Id,
        ["/api/v1/response-templates/"] = _ => null,
        ["/api/v1/response-templates/{kind}/{language}"] = _ => null,
        // Metrics read rollups through the location filter; a rebuild recomputes only the caller's organization (RollupsTests).
        ["/api/v1/metrics/"] = _ => null,
        ["/api/v1/metrics.csv/"] = _ => null,
        ["/api/v1/metrics.xlsx/"] = _ => null,
        ["/api/v1/rollups/rebuild/"] = _ => null,
        ["/api/v1/surveys/"] = _ => null,
        ["/api/v1/surveys/{id:guid}"] = s => s.Extra["survey"],
        ["/api/v1/surveys/{id:guid}/results"] = s => s.Extra["survey"],
        ["/api/v1/surveys/{id:guid}/responses"] = s => s.Extra["survey"],
        ["/api/v1/surveys/{id:guid}/invitations"] = s => s.Extra["survey"],
        ["/api/v1/testimonials/"] = _ => null,
        ["/api/v1/testimonials/pending/"] = _ => null,
        ["/api/v1/testimonials/{id:guid}"] = s => s.Extra["testimonial"],
        // Conversion: POS rows naming another organization's location are refused (400); reports and settings read through the filters.
        // The kiosk is public and finds its location by slug, not by the caller's tenant; a JSON body is not a form (400) (KioskApiTests).
        ["/api/v1/kiosk/{slug}/feedback"] = _ => null,
        ["/api/v1/sales/"] = _ => null,
        ["/api/v1/conversion/settings/"] = _ => null,
        ["/api/v1/reports/conversion/"] = _ => null,
        ["/api/v1/reports/conversion.csv/"] = _ => null,
        ["/api/v1/reports/funnel/"] = _ => null,
        ["/api/v1/reports/kpis/"] = _ => null,
        ["/api/v1/audit/"] = _ => null,
        // Map reviews, customer counts, support index and the bonus fund.
        ["/api/v1/reviews/snapshots/"] = _ => null,
        ["/api/v1/reviews/snapshots/{id:guid}"] = s => s.Extra["snapshot"],
        ["/api/v1/reviews/settings/"] = _ => null,
        ["/api/v1/reviews/support-index/"] = _ => null,
        ["/api/v1/reviews/sources/"] = _ => null,
        ["/api/v1/reviews/sources/{id:guid}"] = s => s.Extra["reviewSource"],
        ["/api/v1/reviews/sources/{id:guid}/pull"] = s => s.Extra["reviewSource"],
        ["/api/v1/customer-counts/"] = _ => null,
        ["/api/v1/customer-counts/{id:guid}"] = s => s.Extra["customerCount"],
        ["/api/v1/bonus/rule/"] = _ => null,
        ["/api/v1/bonus/statement/"] = _ => null,
        ["/api/v1/bonus/statement.csv/"] = _ => null,
        ["/api/v1/bonus/statement.xlsx/"] = _ => null,
        // Privacy: a person is searched inside the caller's organization only; another's customer is 404 (PersonRequestsTests).
        ["/api/v1/privacy/person/"] = _ => null,
        ["/api/v1/privacy/person/export/"] = _ => null,
        ["/api/v1/privacy/person/erase/"] = _ => null,
        ["/api/v1/privacy/retention/"] = _ => null,
        ["/api/v1/privacy/retention/runs/"] = _ => null,
        ["/api/v1/privacy/consents/"] = _ => null,
    };

    /// <summary>The e-mail of a customer of the victim (left with consent on feedback at the other location).</summary>
    private static string VictimCustomer(Seed victim) => $"customer-{victim.Org.Id:N}@example.com";

    /// <summary>Routes a device authenticates to with its token; a user's key gets 401 there.</summary>
    private static bool IsDeviceRoute(string template) => template.Contains("{deviceId:guid}", StringComparison.Ordinal);

    /// <summary>A body for writes that points at the victim's resources wherever it can.</summary>
    private static string BodyFor(string template, Seed victim) => template switch
    {
        _ when template.EndsWith("/alert-settings", StringComparison.Ordinal) =>
            $$"""{"redShareThresholdPercent":10,"escalation":[{"userId":"{{victim.User.Id}}","delayMinutes":1}]}""",
        _ when template.EndsWith("/notification-channels", StringComparison.Ordinal) => """{"name":"x","kind":"Webhook","target":"https://example.com/x"}""",
        _ when template.StartsWith("/api/v1/cases", StringComparison.Ordinal) || template.EndsWith("/case-rule", StringComparison.Ordinal) =>
            $$"""{"to":"Dismissed","qualification":"NeedsReaction","userId":"{{victim.User.Id}}","reasonId":"{{victim.Reason.Id}}","kind":"Note","text":"x","channel":"Email","openCaseOnRedPress":true,"staffMemberId":"{{victim.OtherStaff.Id}}"}""",
        _ when template.StartsWith("/api/v1/response-templates", StringComparison.Ordinal) => """{"subject":"x","body":"Intruder"}""",
        _ when template.StartsWith("/api/v1/location-groups", StringComparison.Ordinal) => $$"""{"name":"x","parentId":"{{victim.Group.Id}}"}""",
        _ when template.StartsWith("/api/v1/locations", StringComparison.Ordinal) => $$"""{"name":"x","groupId":"{{victim.Group.Id}}"}""",
        _ when template.StartsWith("/api/v1/staff", StringComparison.Ordinal) => $$"""{"name":"x","locationId":"{{victim.OtherLocation.Id}}"}""",
        _ when template.StartsWith("/api/v1/shifts", StringComparison.Ordinal) =>
            $$"""{"staffMemberId":"{{victim.OtherStaff.Id}}","locationId":"{{victim.OtherLocation.Id}}","startsAt":"2030-01-01T08:00:00Z","endsAt":"2030-01-01T10:00:00Z"}""",
        _ when template.StartsWith("/api/v1/devices", StringComparison.Ordinal) => $$"""{"name":"x","kind":"ButtonSmart","locationId":"{{victim.OtherLocation.Id}}"}""",
        _ when template.StartsWith("/api/v1/users", StringComparison.Ordinal) =>
            $$"""{"email":"intruder-{{Guid.NewGuid():N}}@x.test","role":"LocationManager","password":"Intruder-pass-1","locationIds":["{{victim.OtherLocation.Id}}"]}""",
        _ when template.StartsWith("/api/v1/api-keys", StringComparison.Ordinal) => $$"""{"name":"x","role":"LocationManager","locationIds":["{{victim.OtherLocation.Id}}"]}""",
        _ when template.StartsWith("/api/v1/reasons", StringComparison.Ordinal) =>
            $$"""{"kind":"Negative","parentId":"{{victim.Reason.Id}}","nameRu":"x","nameEn":"x","ids":["{{victim.Reason.Id}}"]}""",
        _ when template.StartsWith("/api/v1/feedback/settings", StringComparison.Ordinal) => """{"consentText":"Intruder's text"}""",
        _ when template.StartsWith("/api/v1/feedback", StringComparison.Ordinal) =>
            $$"""{"locationId":"{{victim.Location.Id}}","channel":"Kiosk","sentiment":"Negative","reasonIds":["{{victim.Reason.Id}}"],"text":"x"}""",
        _ when template.StartsWith("/api/v1/surveys", StringComparison.Ordinal) =>
            $$"""{"name":"x","keyKind":"Nps","keyTextRu":"x","locationIds":["{{victim.OtherLocation.Id}}"],"questions":[{"textRu":"x","reasonId":"{{victim.Reason.Id}}"}],"locationId":"{{victim.Location.Id}}","keyScore":5,"email":"a@b.test","visitedAt":"2030-01-01T10:00:00Z"}""",
        _ when template.StartsWith("/api/v1/testimonials", StringComparison.Ordinal) => $$"""{"feedbackId":"{{victim.Extra["praise"]}}"}""",
        _ when template.StartsWith("/api/v1/sales", StringComparison.Ordinal) =>
            $$"""{"sales":[{"locationId":"{{victim.Location.Id}}","receiptId":"x","at":"2026-01-01T10:00:00Z","revenue":1,"staffId":"{{victim.Staff.Id}}"}]}""",
        _ when template.StartsWith("/api/v1/conversion/settings", StringComparison.Ordinal) =>
            """{"stages":[{"key":"x","nameRu":"x","nameEn":"x"}],"reasons":[]}""",
        _ when template.StartsWith("/api/v1/reviews", StringComparison.Ordinal) || template.StartsWith("/api/v1/customer-counts", StringComparison.Ordinal) =>
            $$"""{"locationId":"{{victim.OtherLocation.Id}}","service":"YandexMaps","takenAt":"2026-01-01T00:00:00Z","totalReviews":5,"positiveReviews":1,"url":"https://example.com/x","totalPath":"a","positivePath":"b","from":"2026-01-01","to":"2026-01-02","customers":5}""",
        _ when template.StartsWith("/api/v1/digests", StringComparison.Ordinal) => """{"frequency":"daily","email":"intruder@x.test"}""",
        _ when template.StartsWith("/api/v1/privacy", StringComparison.Ordinal) => $$"""{"email":"{{VictimCustomer(victim)}}","contactMonths":1,"attachmentMonths":1,"freeTextMonths":1}""",
        _ when template.StartsWith("/api/v1/organization", StringComparison.Ordinal) => """{"name":"Renamed","timeZone":"Europe/Moscow","language":"en"}""",
        _ => "{}",
    };

    private IEnumerable<(string Method, string Template)> ApiRoutes() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, Normalize(e.RoutePattern.RawText!))))
            .Distinct();

    private static string Normalize(string template) => template.Contains('{', StringComparison.Ordinal) || template.EndsWith('/') ? template : template + "/";

    [Fact]
    public void EveryApiRoute_IsDescribedInTheIsolationTable()
    {
        var missing = ApiRoutes().Select(r => r.Template).Distinct().Where(t => !Targets.ContainsKey(t)).ToList();
        Assert.True(missing.Count == 0, "Routes without an isolation rule: " + string.Join(", ", missing));
        Assert.True(ApiRoutes().Count() >= 30, "The route enumeration found too few routes to be trusted.");
    }

    [Fact]
    public async Task AnotherOrganizationsOwner_CannotReadOrChangeAnything()
    {
        var victim = await Seed.CreateAsync(app);
        await AddAlertAndChannelAsync(victim);
        var intruder = await Seed.CreateAsync(app);
        var before = await SnapshotAsync(victim.Org.Id);
        using var http = intruder.Org.Owner();

        foreach (var (method, template) in ApiRoutes().Where(r => Targets.ContainsKey(r.Template)))
        {
            var target = Targets[template](victim);
            var url = target is { } id
                ? template.Replace("{id:guid}", id.ToString(), StringComparison.Ordinal).Replace("{deviceId:guid}", id.ToString(), StringComparison.Ordinal)
                : template;
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (method is "POST" or "PUT") request.Content = new StringContent(BodyFor(template, victim), Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var code = (int)response.StatusCode;

            Assert.True(code < 500, $"{method} {url} → {code}: {body}");
            if (target is not null && IsDeviceRoute(template))
                Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest, $"{method} {url} let a user's key act as a device: {code} {body}");
            else if (target is not null)
                Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{method} {url} reached another organization's resource: {code} {body}");
            else
                Assert.False(Seed.ContainsAny(body, victim.AllIds), $"{method} {url} leaked another organization's data: {body}");
            if (method is "POST" && target is null && template != "/api/v1/organization/")
                Assert.True(code is 400 or 404, $"{method} {url} accepted references to another organization: {code} {body}");
        }

        Assert.Equal(before, await SnapshotAsync(victim.Org.Id));
    }

    [Fact]
    public async Task ALocationManager_CannotReachOtherLocations()
    {
        var seed = await Seed.CreateAsync(app);
        var managerKey = await app.NewApiKeyAsync(seed.Org.Id, OtklikRole.LocationManager, seed.Location.Id);
        using var http = app.WithKey(managerKey);
        using var owner = seed.Org.Owner();
        var elsewhere = await (await owner.PostJsonAsync("/api/v1/feedback", new { locationId = seed.OtherLocation.Id, channel = "Kiosk", sentiment = "Negative", text = "Elsewhere" }))
            .ReadAsync<Otklik.Web.Features.Feedback.FeedbackCreated>(HttpStatusCode.Created);
        await AddAlertAndChannelAsync(seed);
        var before = await SnapshotAsync(seed.Org.Id);

        // Everything at the other location: invisible, unchangeable.
        string[] urls =
        [
            $"/api/v1/locations/{seed.OtherLocation.Id}", $"/api/v1/staff/{seed.OtherStaff.Id}",
            $"/api/v1/shifts/{seed.OtherShift.Id}", $"/api/v1/devices/{seed.OtherDevice.Device.Id}",
        ];
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(url)).StatusCode);
            Assert.True((await http.DeleteAsync(url)).StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, url);
        }
        foreach (var list in new[] { "/api/v1/locations", "/api/v1/staff", "/api/v1/shifts", "/api/v1/devices", "/api/v1/feedback", "/api/v1/surveys" })
        {
            var body = await (await http.GetAsync(list)).Content.ReadAsStringAsync();
            Assert.False(Seed.ContainsAny(body, seed.OtherLocationIds), $"{list} showed another location: {body}");
            Assert.Contains(seed.Location.Id.ToString(), body, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync($"/api/v1/devices/{seed.OtherDevice.Device.Id}/token", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/feedback/{elsewhere.Id}")).StatusCode);
        Assert.DoesNotContain(elsewhere.Id.ToString(), await (await http.GetAsync("/api/v1/feedback")).Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var foreignFeedback = await http.PostJsonAsync("/api/v1/feedback", new { locationId = seed.OtherLocation.Id, channel = "Kiosk", sentiment = "Negative", text = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, foreignFeedback.StatusCode);
        foreach (var url in new[] { $"/api/v1/alerts/{seed.Extra["alert"]}", $"/api/v1/alerts/{seed.Extra["alert"]}/deliveries", $"/api/v1/locations/{seed.OtherLocation.Id}/alert-settings",
                     $"/api/v1/locations/{seed.OtherLocation.Id}/notification-channels", $"/api/v1/notification-channels/{seed.Extra["channel"]}/deliveries" })
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync($"/api/v1/alerts/{seed.Extra["alert"]}/ack", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/cases/{seed.Extra["case"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostJsonAsync($"/api/v1/cases/{seed.Extra["case"]}/transition", new { to = "Dismissed" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PutJsonAsync($"/api/v1/locations/{seed.OtherLocation.Id}/case-rule", new { openCaseOnRedPress = true })).StatusCode);
        Assert.DoesNotContain(seed.Extra["case"].ToString(), await (await http.GetAsync("/api/v1/cases")).Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/v1/notification-channels/{seed.Extra["channel"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PutJsonAsync($"/api/v1/locations/{seed.OtherLocation.Id}/alert-settings", new { redPressEnabled = false })).StatusCode);
        var alerts = await (await http.GetAsync("/api/v1/alerts?status=all")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(seed.Extra["alert"].ToString(), alerts, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/v1/reviews/snapshots/{seed.Extra["snapshot"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/v1/customer-counts/{seed.Extra["customerCount"]}")).StatusCode);
        Assert.DoesNotContain(seed.Extra["snapshot"].ToString(), await (await http.GetAsync("/api/v1/reviews/snapshots")).Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(seed.Extra["customerCount"].ToString(), await (await http.GetAsync("/api/v1/customer-counts")).Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostJsonAsync("/api/v1/reviews/snapshots", new
        {
            locationId = seed.OtherLocation.Id, service = "TwoGis", takenAt = DateTimeOffset.UtcNow, totalReviews = 10, positiveReviews = 8,
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/v1/bonus/statement?period=2026-11")).StatusCode);
        var create = await http.PostJsonAsync("/api/v1/devices", new { name = "x", kind = "ButtonSmart", locationId = seed.OtherLocation.Id });
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        // Admin routes are for owners only.
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/v1/api-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/v1/digests/subscriptions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PutJsonAsync($"/api/v1/digests/subscriptions/{seed.User.Id}", new { frequency = "daily" })).StatusCode);

        Assert.Equal(before, await SnapshotAsync(seed.Org.Id));

        // …while their own location works.
        var own = await http.PostJsonAsync("/api/v1/devices", new { name = "Mine", kind = "ButtonSmart", locationId = seed.Location.Id });
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
    }

    /// <summary>An alert (a red press of the button at the other location) and a webhook channel there, both ids in <see cref="Seed.Extra"/>.</summary>
    private async Task AddAlertAndChannelAsync(Seed seed)
    {
        var device = new TestDevice(app, seed.OtherDevice.Device.Id, seed.OtherDevice.Token);
        (await device.PostAsync(TestDevice.Event(Guid.NewGuid(), "red"))).EnsureSuccessStatusCode();
        seed.Extra["alert"] = await app.WithDbAsync(db => db.Alerts.Where(a => a.LocationId == seed.OtherLocation.Id && a.Kind == Otklik.Web.Features.Alerts.AlertKind.RedPress).Select(a => a.Id).SingleAsync(), seed.Org.Id);
        using var owner = seed.Org.Owner();
        (await owner.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = seed.OtherLocation.Id, channel = "Kiosk", sentiment = "Negative", text = "Case elsewhere", contactEmail = VictimCustomer(seed), contactConsent = true,
        })).EnsureSuccessStatusCode();
        var channel = await (await owner.PostJsonAsync($"/api/v1/locations/{seed.OtherLocation.Id}/notification-channels",
            new { name = "Hook", kind = "Webhook", target = "https://example.com/hook", notifyOnRaise = false })).ReadAsync<Otklik.Web.Features.Alerts.ChannelCreated>(HttpStatusCode.Created);
        seed.Extra["channel"] = channel.Channel.Id;
        seed.Extra["case"] = await app.WithDbAsync(db => db.Cases.Where(c => c.LocationId == seed.OtherLocation.Id).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync(), seed.Org.Id);
        seed.Extra["import"] = await ImportAsync(owner, seed);
        var survey = await (await owner.PostJsonAsync("/api/v1/surveys", new
        {
            name = "Survey", keyKind = "Nps", keyTextRu = "x", locationIds = new[] { seed.Location.Id, seed.OtherLocation.Id },
            questions = new[] { new { textRu = "x", reasonId = seed.Reason.Id } },
        })).ReadAsync<Otklik.Web.Features.Surveys.SurveyDto>(HttpStatusCode.Created);
        seed.Extra["survey"] = survey.Id;
        (await owner.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = seed.OtherLocation.Id, keyScore = 9 })).EnsureSuccessStatusCode();
        // Praise at the other location: one published, one waiting.
        foreach (var key in new[] { "testimonial", "praise" })
        {
            var praise = await (await owner.PostJsonAsync("/api/v1/feedback", new { locationId = seed.OtherLocation.Id, channel = "Kiosk", sentiment = "Positive", text = "Great", testimonialConsent = true }))
                .ReadAsync<Otklik.Web.Features.Feedback.FeedbackCreated>(HttpStatusCode.Created);
            seed.Extra[key] = praise.Id;
        }
        (await owner.PostJsonAsync("/api/v1/testimonials", new { feedbackId = seed.Extra["testimonial"] })).EnsureSuccessStatusCode();
        // Review counts, a review source and a customer count at the other location; a bonus rule.
        seed.Extra["snapshot"] = (await (await owner.PostJsonAsync("/api/v1/reviews/snapshots", new
        {
            locationId = seed.OtherLocation.Id, service = "TwoGis", takenAt = DateTimeOffset.UtcNow.AddDays(-1), totalReviews = 10, positiveReviews = 8,
        })).ReadAsync<Otklik.Web.Features.Reviews.SnapshotDto>(HttpStatusCode.Created)).Id;
        seed.Extra["reviewSource"] = (await (await owner.PostJsonAsync("/api/v1/reviews/sources", new
        {
            locationId = seed.OtherLocation.Id, service = "TwoGis", url = "https://example.com/reviews", totalPath = "total", positivePath = "positive",
        })).ReadAsync<Otklik.Web.Features.Reviews.ReviewSourceDto>(HttpStatusCode.Created)).Id;
        seed.Extra["customerCount"] = (await (await owner.PostJsonAsync("/api/v1/customer-counts", new
        {
            locationId = seed.OtherLocation.Id, from = "2026-11-01", to = "2026-11-30", customers = 1234,
        })).ReadAsync<Otklik.Web.Features.Reviews.CustomerCountDto>(HttpStatusCode.Created)).Id;
        (await owner.PutJsonAsync("/api/v1/bonus/rule", new { baseFund = 1000, components = new[] { new { metric = "GreenShare", weight = 1, threshold = 0.5 } } }))
            .EnsureSuccessStatusCode();
        (await owner.PutJsonAsync($"/api/v1/digests/subscriptions/{seed.User.Id}", new { frequency = "weekly", email = $"digest-{seed.Org.Id:N}@example.com" }))
            .EnsureSuccessStatusCode();
    }

    /// <summary>A finished one-row feedback import at the other location; its id goes to <see cref="Seed.Extra"/>.</summary>
    private static async Task<Guid> ImportAsync(HttpClient owner, Seed seed)
    {
        var csv = System.Text.Encoding.UTF8.GetBytes($"date,location,sentiment,text\n2026-11-01,{seed.OtherLocation.Slug},Negative,Imported\n");
        var job = await (await owner.PostAsync("/api/v1/imports", Features.Imports.ImportsApiTests.Form(csv, "seed.csv")))
            .ReadAsync<Otklik.Web.Features.Imports.ImportJobDto>(HttpStatusCode.Accepted);
        return (await Features.Imports.ImportsApiTests.WaitAsync(owner, job.Id)).Id;
    }

    /// <summary>A fingerprint of everything an organization owns, to prove nothing changed.</summary>
    private Task<string> SnapshotAsync(Guid org) => app.WithDbAsync(async db =>
    {
        var sb = new StringBuilder();
        foreach (var o in await db.Organizations.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{o.Id}{o.Name}{o.TimeZone}{o.Language};");
        foreach (var l in await db.Locations.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{l.Id}{l.Name}{l.Slug}{l.GroupId};");
        foreach (var g in await db.LocationGroups.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{g.Id}{g.Name}{g.ParentId};");
        foreach (var s in await db.StaffMembers.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{s.Id}{s.Name}{s.LocationId}{s.Active};");
        foreach (var s in await db.Shifts.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{s.Id}{s.StaffMemberId}{s.StartsAt:O}{s.EndsAt:O};");
        foreach (var d in await db.Devices.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{d.Id}{d.Name}{d.TokenHash}{d.PairingCodeHash}{d.LocationId};");
        foreach (var u in await db.Users.Where(u => u.OrganizationId == org).OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{u.Id}{u.Email}{u.Role}{u.PasswordHash};");
        foreach (var k in await db.ApiKeys.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{k.Id}{k.Role}{k.RevokedAt};");
        foreach (var a in await db.AccessScopes.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{a.Id}{a.UserId}{a.ApiKeyId}{a.LocationId};");
        foreach (var o in await db.Organizations.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{o.FeedbackConsentText}{o.FeedbackConsentVersion};");
        foreach (var r in await db.Reasons.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{r.Id}{r.NameRu}{r.NameEn}{r.ParentId}{r.SortOrder}{r.ArchivedAt:O};");
        foreach (var f in await db.Feedback.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{f.Id}{f.Text}{f.Sentiment}{f.ContactEmail}{f.ContactConsentVersion};");
        sb.Append(CultureInfo.InvariantCulture, $"feedback-reasons:{await db.FeedbackReasons.CountAsync()};attachments:{await db.FeedbackAttachments.CountAsync()};");
        sb.Append(CultureInfo.InvariantCulture, $"presses:{await db.ButtonPresses.CountAsync()}");
        foreach (var a in await db.Alerts.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{a.Id}{a.AcknowledgedAt:O}{a.EscalationLevel}{a.ResolvedAt:O};");
        foreach (var s in await db.AlertSettings.OrderBy(x => x.LocationId).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{s.LocationId}{s.RedPressEnabled}{s.RedShareThresholdPercent}{s.Escalation.Count};");
        foreach (var c in await db.NotificationChannels.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{c.Id}{c.Target}{c.Enabled};");
        sb.Append(CultureInfo.InvariantCulture, $"deliveries:{await db.NotificationDeliveries.CountAsync()}");
        foreach (var j in await db.ImportJobs.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{j.Id}{j.Status}{j.GoodRows};");
        foreach (var c in await db.Cases.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{c.Id}{c.Status}{c.Qualification}{c.Version}{c.AssigneeUserId}{c.RootCauseId};");
        sb.Append(CultureInfo.InvariantCulture, $"case-events:{await db.CaseEvents.CountAsync()};templates:{await db.ResponseTemplates.CountAsync()};case-settings:{await db.CaseSettings.CountAsync()};shares:{await db.CaseShares.CountAsync()};links:{await db.StaffLinks.CountAsync()}");
        foreach (var l in await db.Locations.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{l.Id}{l.OpenCaseOnRedPress};");
        foreach (var s in await db.Surveys.Include(x => x.Questions).Include(x => x.Locations).OrderBy(x => x.Id).ToListAsync())
            sb.Append(CultureInfo.InvariantCulture, $"{s.Id}{s.Name}{s.Active}{s.Questions.Count}{s.Locations.Count};");
        sb.Append(CultureInfo.InvariantCulture, $"survey-responses:{await db.SurveyResponses.CountAsync()};invitations:{await db.SurveyInvitations.CountAsync()}");
        foreach (var t in await db.Testimonials.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{t.Id}{t.Text};");
        sb.Append(CultureInfo.InvariantCulture, $"visitors:{await db.VisitorCounts.CountAsync()};sales:{await db.PosSales.CountAsync()};attempts:{await db.SalesAttempts.CountAsync()};funnel:{await db.FunnelEntries.CountAsync()}");
        foreach (var c in await db.ConversionSettings.ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{string.Join(',', c.Stages.Select(x => x.Key))}{c.MinConversionPercent};");
        foreach (var r in await db.ReviewSnapshots.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{r.Id}{r.TotalReviews}{r.PositiveReviews};");
        foreach (var r in await db.ReviewSources.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{r.Id}{r.Url}{r.Enabled}{r.LastPulledAt:O};");
        foreach (var c in await db.CustomerCounts.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{c.Id}{c.Customers};");
        foreach (var r in await db.ReviewSettings.ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{r.PositiveMinRating};");
        foreach (var b in await db.BonusSettings.ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{b.RuleJson};");
        foreach (var d in await db.DigestSubscriptions.OrderBy(x => x.Id).ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"{d.Id}{d.UserId}{d.Frequency}{d.Email}{d.UpdatedAt:O};");
        foreach (var p in await db.RetentionPolicies.ToListAsync()) sb.Append(CultureInfo.InvariantCulture, $"retention:{p.ContactMonths}{p.AttachmentMonths}{p.FreeTextMonths};");
        // A key's first use in an hour is itself an audit line; every other line would mean something was done.
        sb.Append(CultureInfo.InvariantCulture, $"audit:{await db.AuditEntries.CountAsync(e => e.Action != Otklik.Web.Features.Security.AuditActions.ApiKeyUsed)}");
        return sb.ToString();
    }, org);
}

public sealed class TenantIsolationSqliteTests(SqliteApp app) : TenantIsolationTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class TenantIsolationPostgresTests(PostgresApp app) : TenantIsolationTests(app), IClassFixture<PostgresApp>;
