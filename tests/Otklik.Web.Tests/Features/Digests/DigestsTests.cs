using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Otklik.Core.Reports;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Digests;
using Otklik.Web.Features.Locations;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Features.Alerts;
using Otklik.Web.Tests.Infrastructure;
using CoreDigests = Otklik.Core.Reports.Digests;

namespace Otklik.Web.Tests.Features.Digests;

/// <summary>
/// Issue 6, scheduled digests: the worker on fake time sends a weekly digest once per period with the PDF (read back with
/// pdftotext), retries a failed send, and the PDF endpoint is tenant-scoped with ProblemDetails for bad input.
/// </summary>
public abstract class DigestsTests(IAlertsApp fixture)
{
    private readonly OtklikApp app = fixture.App;
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");

    private DigestWorker Worker => app.Services.GetRequiredService<DigestWorker>();

    private List<MimeMessage> MailTo(string address) =>
        [.. fixture.Fakes.Mail.Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>The Monday at least a full week after the fake clock's today (Moscow), so its previous week is all in the future.</summary>
    private DateOnly NextFreeMonday()
    {
        var today = CoreDigests.LocalDate(fixture.Time.GetUtcNow(), Moscow);
        var monday = today.AddDays(7 + (8 - (today.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)today.DayOfWeek)) % 7);
        return monday.DayNumber - today.DayNumber < 8 ? monday.AddDays(7) : monday;
    }

    private void AdvanceTo(DateTimeOffset at) => fixture.Time.Advance(at - fixture.Time.GetUtcNow());

    /// <summary>Moves the fake clock forward to the next such Monday at 07:30 Moscow time; returns that Monday.</summary>
    private DateOnly AdvanceToMondayMorning()
    {
        var monday = NextFreeMonday();
        AdvanceTo(Local(monday, 7, 30));
        return monday;
    }

    /// <summary>An NPS survey at the location with these answers (and one refusal), recorded at the fake now.</summary>
    private static async Task NpsAnswersAsync(TestOrg org, Guid location, params int[] scores)
    {
        using var http = org.Owner();
        var survey = await (await http.PostJsonAsync("/api/v1/surveys", new
        {
            name = "После визита", keyKind = "Nps", keyTextRu = "Порекомендуете ли вы нас?", keyTextEn = "Would you recommend us?",
            locationIds = new[] { location }, questions = new object[] { new { textRu = "Скорость", textEn = "Speed", dimension = "Responsiveness" } },
        })).ReadAsync<Otklik.Web.Features.Surveys.SurveyDto>(HttpStatusCode.Created);
        foreach (var score in scores)
            (await http.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = location, keyScore = score })).EnsureSuccessStatusCode();
        (await http.PostJsonAsync($"/api/v1/surveys/{survey.Id}/responses", new { locationId = location, declined = true })).EnsureSuccessStatusCode();
    }

    private static DateTimeOffset Local(DateOnly day, int hour, int minute) =>
        new(day.ToDateTime(new TimeOnly(hour, minute)), Moscow.GetUtcOffset(day.ToDateTime(new TimeOnly(hour, minute))));

    private async Task<(TestOrg Org, LocationDto Location, TestDevice Device)> OrganizationWithButtonAsync(string locationName)
    {
        var org = await app.NewOrganizationAsync("Пекарни " + Guid.NewGuid().ToString("N")[..6]);
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = locationName, timeZone = "Europe/Moscow" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var device = await (await http.PostJsonAsync("/api/v1/devices", new { name = "Касса", kind = "ButtonSmart", locationId = location.Id }))
            .ReadAsync<DeviceWithToken>(HttpStatusCode.Created);
        return (org, location, new TestDevice(app, device.Device.Id, device.Token));
    }

    private static async Task PressAsync(TestDevice device, DateTimeOffset start, int green, int red)
    {
        // A minute apart: none is suppressed as a repeat.
        var events = Enumerable.Range(0, green + red).Select(i => TestDevice.Event(Guid.NewGuid(), i < green ? "green" : "red", start.AddMinutes(i)));
        (await device.PostAsync(TestDevice.Batch(events))).EnsureSuccessStatusCode();
    }

    private Task SubscribeAsync(TestOrg org, DigestFrequency frequency, string? email = null) =>
        app.WithDbAsync(async db =>
        {
            var existing = await db.DigestSubscriptions.FirstOrDefaultAsync(s => s.UserId == org.OwnerId);
            if (existing is null) db.DigestSubscriptions.Add(existing = new DigestSubscription { UserId = org.OwnerId });
            existing.Frequency = frequency;
            existing.Email = email;
            existing.UpdatedAt = fixture.Time.GetUtcNow();
            await db.SaveChangesAsync();
        }, org.Id);

    private async Task<List<MimeMessage>> EventuallyMailAsync(string address, int count)
    {
        for (var i = 0; i < 200 && MailTo(address).Count < count; i++) await Task.Delay(50);
        return MailTo(address);
    }

    /// <summary>The person's deliveries once none is still being sent (the hosted worker, woken by the clock, may be the one sending).</summary>
    private async Task<List<DigestDelivery>> SettledDeliveriesAsync(TestOrg org)
    {
        for (var i = 0; ; i++)
        {
            var rows = await app.WithDbAsync(db => db.DigestDeliveries.Where(d => d.UserId == org.OwnerId).ToListAsync(), org.Id);
            if (i >= 200 || rows.All(d => d.SentAt is not null || d.ClaimedAt is null)) return rows;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task WeeklyDigest_IsSentOnceForTheWeek_WithAPdfOfTheLocationAndItsPresses()
    {
        const string name = "Пекарня «Зерно» на Ленина";
        var (org, location, device) = await OrganizationWithButtonAsync(name);
        var monday = NextFreeMonday();
        var week = new DigestPeriod(monday.AddDays(-7), monday.AddDays(-1));
        // On Friday of the week, four NPS answers: 2 promoters, 1 passive, 1 detractor → NPS +25, n = 4.
        AdvanceTo(Local(week.From.AddDays(4), 15, 0));
        await NpsAnswersAsync(org, location.Id, 10, 9, 8, 3);
        AdvanceTo(Local(monday, 7, 30));
        // The week: 7 green and 4 red on Tuesday, 2 green on Sunday evening; the week before: 5 green; this Monday (not in the digest): 3.
        await PressAsync(device, Local(week.From.AddDays(1), 12, 0), green: 7, red: 4);
        await PressAsync(device, Local(week.To, 22, 0), green: 2, red: 0);
        await PressAsync(device, Local(week.From.AddDays(-4), 12, 0), green: 5, red: 0);
        await PressAsync(device, Local(monday, 6, 0), green: 3, red: 0);
        await SubscribeAsync(org, DigestFrequency.Weekly);

        await Worker.RunOnceAsync(CancellationToken.None);

        var mail = Assert.Single(await EventuallyMailAsync(org.OwnerEmail, 1));
        var attachment = Assert.IsType<MimePart>(Assert.Single(mail.Attachments));
        Assert.Equal("application/pdf", attachment.ContentType.MimeType);
        using var content = new MemoryStream();
        await attachment.Content!.DecodeToAsync(content);
        var pdf = content.ToArray();
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(pdf, 0, 4), StringComparison.Ordinal);
        var text = await PdfText.ExtractAsync(pdf);
        Assert.Contains(name, text, StringComparison.Ordinal);
        // Organization language (ru): "Нажатия  13  5  +8 (+160 %)".
        var presses = PdfText.Row(text, "Нажатия");
        Assert.Equal(("13", "5"), (presses[1], presses[2]));
        Assert.Contains("+8", presses[3], StringComparison.Ordinal);
        Assert.Equal("+25 (n = 4)", PdfText.Row(text, "NPS")[1]);
        Assert.Contains(week.From.ToString("d", CultureInfo.GetCultureInfo("ru")), text, StringComparison.Ordinal);
        Assert.Contains("13", mail.TextBody, StringComparison.Ordinal);

        var delivery = Assert.Single(await SettledDeliveriesAsync(org));
        Assert.Equal((week.From, week.To, DigestFrequency.Weekly, org.OwnerEmail), (delivery.PeriodStart, delivery.PeriodEnd, delivery.Frequency, delivery.Email));
        Assert.NotNull(delivery.SentAt);

        // Later in the same week, on several rounds (and with the hosted worker woken by the clock), nothing more goes out.
        fixture.Time.Advance(TimeSpan.FromHours(5));
        Assert.Equal(0, await Worker.RunOnceAsync(CancellationToken.None));
        fixture.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(0, await Worker.RunOnceAsync(CancellationToken.None));
        await Task.Delay(300);
        Assert.Single(MailTo(org.OwnerEmail));
        Assert.Single(await app.WithDbAsync(db => db.DigestDeliveries.Where(d => d.UserId == org.OwnerId).ToListAsync(), org.Id));
    }

    [Fact]
    public async Task TwoNodes_OnTheSameDueDigest_SendItOnce()
    {
        var (org, _, device) = await OrganizationWithButtonAsync("Две ноды");
        var monday = AdvanceToMondayMorning();
        await PressAsync(device, Local(monday.AddDays(-3), 10, 0), green: 2, red: 1);
        await SubscribeAsync(org, DigestFrequency.Daily);
        var nodes = Enumerable.Range(0, 3).Select(_ => ActivatorUtilities.CreateInstance<DigestWorker>(app.Services)).ToList();

        await Task.WhenAll(nodes.Select(n => Task.Run(() => n.RunOnceAsync(CancellationToken.None))));

        Assert.Single(await EventuallyMailAsync(org.OwnerEmail, 1));
        await Task.Delay(300);
        Assert.Single(MailTo(org.OwnerEmail));
        var delivery = Assert.Single(await SettledDeliveriesAsync(org));
        Assert.Equal(monday.AddDays(-1), delivery.PeriodStart);
    }

    [Fact]
    public async Task AFailedSend_IsKeptWithItsError_AndRetriedAtTheNextRound()
    {
        var (org, _, _) = await OrganizationWithButtonAsync("Повтор");
        var monday = AdvanceToMondayMorning();
        await SubscribeAsync(org, DigestFrequency.Monthly, email: "not an address@@");

        await Worker.RunOnceAsync(CancellationToken.None);

        var failed = Assert.Single(await SettledDeliveriesAsync(org));
        Assert.Null(failed.SentAt);
        Assert.Null(failed.ClaimedAt);
        Assert.False(string.IsNullOrEmpty(failed.Error));

        var fixedAddress = $"fixed-{Guid.NewGuid():N}@test.otklik";
        await SubscribeAsync(org, DigestFrequency.Monthly, email: fixedAddress);
        fixture.Time.Advance(TimeSpan.FromMinutes(5));
        await Worker.RunOnceAsync(CancellationToken.None);

        var mail = Assert.Single(await EventuallyMailAsync(fixedAddress, 1));
        Assert.Single(mail.Attachments);
        var sent = Assert.Single(await SettledDeliveriesAsync(org));
        // The same row, tried again (the hosted worker, woken by the clock, may have tried the bad address too).
        Assert.Equal((failed.Id, fixedAddress, (string?)null), (sent.Id, sent.Email, sent.Error));
        Assert.True(sent.Attempts >= 2, $"attempts: {sent.Attempts}");
        Assert.NotNull(sent.SentAt);
        Assert.Equal(new DateOnly(monday.AddMonths(-1).Year, monday.AddMonths(-1).Month, 1), sent.PeriodStart);
    }

    [Fact]
    public async Task ALocationManagersDigest_CoversTheirLocationOnly_InTheirLanguage()
    {
        var seed = await Seed.CreateAsync(app);
        var monday = AdvanceToMondayMorning();
        await app.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Id == seed.User.Id);
            user.Language = "en";
            db.DigestSubscriptions.Add(new DigestSubscription { UserId = seed.User.Id, Frequency = DigestFrequency.Daily, UpdatedAt = fixture.Time.GetUtcNow() });
            await db.SaveChangesAsync();
        }, seed.Org.Id);

        await Worker.RunOnceAsync(CancellationToken.None);

        var mail = Assert.Single(await EventuallyMailAsync(seed.User.Email, 1));
        using var content = new MemoryStream();
        await Assert.IsType<MimePart>(Assert.Single(mail.Attachments)).Content!.DecodeToAsync(content);
        var text = await PdfText.ExtractAsync(content.ToArray());
        Assert.Contains("Main", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Other", text, StringComparison.Ordinal);
        Assert.Contains("Presses", text, StringComparison.Ordinal);
        Assert.Contains(monday.AddDays(-1).ToString("d", CultureInfo.GetCultureInfo("en")), mail.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PdfEndpoint_SupportIndexChange_IsMarkedWhenWithinNoise()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var today = CoreDigests.LocalDate(fixture.Time.GetUtcNow(), Moscow);
        // The period: today−13..today−7; the previous one today−20..today−14. 1000 receipts in each at both locations.
        var (from, to) = (today.AddDays(-13), today.AddDays(-7));
        async Task<Guid> LocationAsync(string name, int previousNew, int currentNew)
        {
            var location = await (await http.PostJsonAsync("/api/v1/locations", new { name, timeZone = "Europe/Moscow" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
            foreach (var (id, day) in new[] { ("p", today.AddDays(-17)), ("c", today.AddDays(-10)) })
                (await http.PostJsonAsync("/api/v1/sales", new { sales = new[] { new { locationId = location.Id, intervalId = id, from = Local(day, 12, 0), to = Local(day, 13, 0), count = 1000, revenue = 0m } } }))
                    .EnsureSuccessStatusCode();
            foreach (var (day, positive) in new[] { (today.AddDays(-22), 100), (today.AddDays(-15), 100 + previousNew), (today.AddDays(-8), 100 + previousNew + currentNew) })
                (await http.PostJsonAsync("/api/v1/reviews/snapshots", new { locationId = location.Id, service = "YandexMaps", takenAt = Local(day, 12, 0), totalReviews = 500, positiveReviews = positive }))
                    .EnsureSuccessStatusCode();
            return location.Id;
        }
        // Steady: 11 against 10 per 1,000, z = 1 / sqrt(21) = 0.22, within noise. Rising: 30 against 10, z = 20 / sqrt(40) = 3.16.
        var steady = await LocationAsync("Steady", 10, 11);
        var rising = await LocationAsync("Rising", 10, 30);

        async Task<string> PdfAsync(Guid location) =>
            await PdfText.ExtractAsync(await http.GetByteArrayAsync($"/api/v1/reports/digest.pdf?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&locationId={location}&language=en"));
        var steadyText = await PdfAsync(steady);
        Assert.Equal(["11.0 (11)", "10.0 (10)", "+1.0 ~"], PdfText.Row(steadyText, "Support index")[1..]);
        Assert.Contains("~ marks a change within noise.", steadyText, StringComparison.Ordinal);
        var risingText = await PdfAsync(rising);
        Assert.Equal(["30.0 (30)", "10.0 (10)", "+20.0"], PdfText.Row(risingText, "Support index")[1..]);
        Assert.DoesNotContain("~", risingText, StringComparison.Ordinal);

        // The Russian digest carries the same mark and the translated footnote.
        var ru = await PdfText.ExtractAsync(await http.GetByteArrayAsync($"/api/v1/reports/digest.pdf?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&locationId={steady}&language=ru"));
        Assert.Contains("+1,0 ~", ru, StringComparison.Ordinal);
        Assert.Contains("~ — изменение в пределах шума.", ru, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PdfEndpoint_GreenShareAndHappinessChanges_AreMarkedWhenWithinNoise()
    {
        var today = CoreDigests.LocalDate(fixture.Time.GetUtcNow(), Moscow);
        var (from, to) = (today.AddDays(-13), today.AddDays(-7));
        // Presses in the previous period (today−17) and in this one (today−10); buttons are the only happiness channel here.
        async Task<string> PdfAsync(int previousGreen, int currentGreen)
        {
            var seed = await Seed.CreateAsync(app);
            var device = new TestDevice(app, seed.Device.Device.Id, seed.Device.Token);
            await PressAsync(device, Local(today.AddDays(-17), 9, 0), green: previousGreen, red: 100 - previousGreen);
            await PressAsync(device, Local(today.AddDays(-10), 9, 0), green: currentGreen, red: 100 - currentGreen);
            using var http = seed.Org.Owner();
            return await PdfText.ExtractAsync(await http.GetByteArrayAsync($"/api/v1/reports/digest.pdf?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&locationId={seed.Location.Id}&language=en"));
        }

        // 52 % against 50 % of 100 presses: z = 0.28, within noise. 80 % against 20 %: z = 8.5.
        var steady = await PdfAsync(50, 52);
        Assert.Equal(["52.0%", "50.0%", "+2.0 pp ~"], PdfText.Row(steady, "Green share")[1..]);
        Assert.Equal(["52.0%", "50.0%", "+2.0 pp ~"], PdfText.Row(steady, "Happiness index")[1..]);
        Assert.Contains("~ marks a change within noise.", steady, StringComparison.Ordinal);
        var rising = await PdfAsync(20, 80);
        Assert.Equal(["80.0%", "20.0%", "+60.0 pp"], PdfText.Row(rising, "Green share")[1..]);
        Assert.DoesNotContain("~", rising, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PdfEndpoint_OwnLocationIsAPdf_AnotherTenantsIs404_BadRangeIs400()
    {
        var seed = await Seed.CreateAsync(app);
        var intruder = await app.NewOrganizationAsync();
        using var owner = seed.Org.Owner();
        var today = CoreDigests.LocalDate(fixture.Time.GetUtcNow(), Moscow);
        var range = $"from={today.AddDays(-6):yyyy-MM-dd}&to={today:yyyy-MM-dd}";

        var response = await owner.GetAsync($"/api/v1/reports/digest.pdf?{range}&locationId={seed.Location.Id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var text = await PdfText.ExtractAsync(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains("Main", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Other", text, StringComparison.Ordinal);
        Assert.Contains("Slow", text, StringComparison.Ordinal); // the seeded complaint's reason, as a top cause

        var all = await PdfText.ExtractAsync(await owner.GetByteArrayAsync($"/api/v1/reports/digest.pdf?{range}"));
        Assert.Contains("Main", all, StringComparison.Ordinal);
        Assert.Contains("Other", all, StringComparison.Ordinal);
        Assert.Contains("All locations", all, StringComparison.Ordinal);

        // A location manager's digest covers their location only; the other location is 404 for them.
        var managerKey = await app.NewApiKeyAsync(seed.Org.Id, OtklikRole.LocationManager, seed.Location.Id);
        using var manager = app.WithKey(managerKey);
        var scoped = await PdfText.ExtractAsync(await manager.GetByteArrayAsync($"/api/v1/reports/digest.pdf?{range}"));
        Assert.Contains("Main", scoped, StringComparison.Ordinal);
        Assert.DoesNotContain("Other", scoped, StringComparison.Ordinal);
        await (await manager.GetAsync($"/api/v1/reports/digest.pdf?{range}&locationId={seed.OtherLocation.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);

        await (await intruder.Owner().GetAsync($"/api/v1/reports/digest.pdf?{range}&locationId={seed.Location.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await owner.GetAsync($"/api/v1/reports/digest.pdf?from={today:yyyy-MM-dd}&to={today.AddDays(-1):yyyy-MM-dd}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await owner.GetAsync("/api/v1/reports/digest.pdf?from=yesterday")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await owner.GetAsync("/api/v1/reports/digest.pdf?from=2020-01-01&to=2026-01-01")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await owner.GetAsync("/api/v1/reports/digest.pdf?locationId=nope")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync($"/api/v1/reports/digest.pdf?{range}")).StatusCode);
    }
}

public sealed class DigestsSqliteTests(AlertsSqliteApp app) : DigestsTests(app), IClassFixture<AlertsSqliteApp>;

[Trait("Database", "Postgres")]
public sealed class DigestsPostgresTests(AlertsPostgresApp app) : DigestsTests(app), IClassFixture<AlertsPostgresApp>;
