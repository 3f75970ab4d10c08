using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Otklik.Core.Reports;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>
/// Issue 6: "Download PDF" on the overview and the drill-down gives the digest PDF; the drill-down shows the location's
/// support index with its changes; a person picks their digest e-mail on /account/digests from the account menu.
/// </summary>
public abstract class DigestsBrowserTests<TApp>(BrowserFixture<TApp> browser) where TApp : OtklikApp, new()
{
    private OtklikApp App => browser.App;

    [Fact]
    public async Task Overview_DownloadPdf_IsTheDigestWithTheLocations_AndTheDrillDownShowsTheSupportIndex()
    {
        var seed = await Seed.CreateAsync(App);
        var now = DateTimeOffset.UtcNow;
        var device = new TestDevice(App, seed.Device.Device.Id, seed.Device.Token);
        var events = Enumerable.Range(0, 12).Select(i => TestDevice.Event(Guid.NewGuid(), i < 9 ? "green" : "red", now.AddDays(-3).AddMinutes(i)));
        (await device.PostAsync(TestDevice.Batch(events))).EnsureSuccessStatusCode();
        using (var owner = seed.Org.Owner())
        {
            // 20 → 26 positive reviews on Yandex Maps over the period; 100 customers a day by hand: 6 / 3,000 = 2 per 1,000.
            foreach (var (days, positive) in new[] { (40, 20), (2, 26) })
                (await owner.PostJsonAsync("/api/v1/reviews/snapshots", new
                {
                    locationId = seed.Location.Id, service = "YandexMaps", takenAt = now.AddDays(-days), totalReviews = positive + 2, positiveReviews = positive,
                })).EnsureSuccessStatusCode();
            // Through tomorrow's UTC date: the periods are the location's local days (Moscow), a day ahead of UTC from 21:00 UTC.
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            (await owner.PostJsonAsync("/api/v1/customer-counts", new { locationId = seed.Location.Id, from = today.AddDays(-40).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                to = today.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), customers = 4200 })).EnsureSuccessStatusCode();
        }

        var page = await browser.NewPageAsync();
        await page.SignInAsync(seed.Org.OwnerEmail);
        await page.GotoInteractiveAsync("/overview");
        await Expect(page.Locator("#download-pdf")).ToBeVisibleAsync();
        await Expect(page.Locator("#kpi-support h4")).ToContainTextAsync("2.0");
        await page.ScreenshotAsync($"digest-overview-{App.Provider}");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-pdf").ClickAsync());
        Assert.EndsWith(".pdf", download.SuggestedFilename, StringComparison.Ordinal);
        var pdf = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(pdf, 0, 4), StringComparison.Ordinal);
        var text = await PdfText.ExtractAsync(pdf);
        Assert.Contains("Main", text, StringComparison.Ordinal);
        Assert.Contains("Other", text, StringComparison.Ordinal);
        Assert.Equal("12", PdfText.Row(text, "Presses")[1]); // the first table: all locations

        await page.Locator("#table-locations").GetByTestId("metrics-name").Filter(new() { HasText = "Main" }).ClickAsync();
        await Expect(page.Locator("#location-name")).ToHaveTextAsync("Main");
        await Expect(page.Locator("#kpi-support h4")).ToContainTextAsync("2.0");
        await Expect(page.Locator("#kpi-support [data-testid=support-detail]")).ToContainTextAsync("6");
        // The last 7 days: 6 new / 700 customers against 0 / 700 the week before, z = 6 / sqrt(6) = 2.45: significant (no "~");
        // a year earlier nobody was counted: no change.
        await Expect(page.Locator("#kpi-support [data-testid=support-trend]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^WoW \+8\.57 · YoY — \(per 1,000 customers\)$"));
        await page.ScreenshotAsync($"digest-location-{App.Provider}");
        var one = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-pdf").ClickAsync());
        var oneText = await PdfText.ExtractAsync(await File.ReadAllBytesAsync((await one.PathAsync())!));
        Assert.Contains("Main", oneText, StringComparison.Ordinal);
        Assert.DoesNotContain("Other", oneText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DigestSettings_FromTheAccountMenu_SavesTheChoice()
    {
        var seed = await Seed.CreateAsync(App);
        var page = await browser.NewPageAsync();
        await page.SignInAsync(seed.Org.OwnerEmail);
        await page.GotoInteractiveAsync("/overview");

        await page.Locator("#account-menu").ClickAsync();
        await page.Locator("#my-digests").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/digests$"));
        await page.WaitForInteractiveAsync();
        await page.Locator("#digest-frequency").GetByText("Weekly").ClickAsync();
        await page.Locator("#digest-email").FillAsync("reports@example.com");
        await page.Locator("#digest-save").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Saved.");
        await page.ScreenshotAsync($"digest-settings-{App.Provider}");

        var saved = await App.WithDbAsync(db => db.DigestSubscriptions.SingleAsync(s => s.UserId == seed.Org.OwnerId), seed.Org.Id);
        Assert.Equal((DigestFrequency.Weekly, "reports@example.com"), (saved.Frequency, saved.Email));

        // Back on the page later: the choice is shown; "No digest" turns it off and the address field is disabled.
        await page.GotoInteractiveAsync("/account/digests");
        await Expect(page.Locator("#digest-email")).ToHaveValueAsync("reports@example.com");
        await Expect(page.Locator("#digest-sample")).ToBeVisibleAsync();
        await page.Locator("#digest-frequency").GetByText("No digest").ClickAsync();
        await Expect(page.Locator("#digest-email")).ToBeDisabledAsync();
        await page.Locator("#digest-save").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Saved.");
        saved = await App.WithDbAsync(db => db.DigestSubscriptions.SingleAsync(s => s.UserId == seed.Org.OwnerId), seed.Org.Id);
        Assert.Equal(DigestFrequency.None, saved.Frequency);

        var phone = await browser.NewPageAsync(375, 812, locale: "ru-RU");
        await phone.SignInAsync(seed.Org.OwnerEmail);
        await phone.GotoInteractiveAsync("/account/digests");
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Сводки на почту" })).ToBeVisibleAsync();
        await phone.ScreenshotAsync($"digest-settings-375-{App.Provider}");
    }
}

public sealed class DigestsBrowserSqliteTests(SqliteBrowser browser) : DigestsBrowserTests<SqliteApp>(browser), IClassFixture<SqliteBrowser>;
