using Microsoft.Playwright;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>Issue 6: the owner's overview renders its charts and tables from the rollups, on a wide screen and a phone, and drills down.</summary>
public abstract class OverviewBrowserTests<TApp>(BrowserFixture<TApp> browser) where TApp : OtklikApp, new()
{
    private OtklikApp App => browser.App;

    [Fact]
    public async Task Owner_SeesOverviewWithCharts_AndDrillsDownToALocationAndAnEmployee()
    {
        var seed = await Seed.CreateAsync(App);
        var random = new Random(6);
        var now = DateTimeOffset.UtcNow;
        foreach (var (device, redShare) in new[] { (new TestDevice(App, seed.Device.Device.Id, seed.Device.Token), 0.1), (new TestDevice(App, seed.OtherDevice.Device.Id, seed.OtherDevice.Token), 0.35) })
        {
            // Three weeks of presses, a few an hour during the day, at least 10 s apart so none is suppressed.
            var events = Enumerable.Range(0, 400).Select(i => TestDevice.Event(Guid.NewGuid(), random.NextDouble() < redShare ? "red" : "green",
                now.AddDays(-20).AddMinutes(i * 70 + random.Next(0, 60)))).Where(e => true).ToList();
            (await device.PostAsync(TestDevice.Batch(events))).EnsureSuccessStatusCode();
        }
        using (var owner = seed.Org.Owner())
            foreach (var (channel, sentiment) in new[] { ("QrPage", "Positive"), ("QrPage", "Positive"), ("Kiosk", "Neutral"), ("CallCentre", "Negative") })
                (await owner.PostJsonAsync("/api/v1/feedback", new { locationId = seed.Location.Id, channel, sentiment, text = "x" })).EnsureSuccessStatusCode();

        var page = await browser.NewPageAsync();
        await page.SignInAsync(seed.Org.OwnerEmail);
        await page.GotoInteractiveAsync("/overview");

        await Expect(page.Locator("#chart-daily svg").First).ToBeVisibleAsync();
        // Happiness by channel: buttons and the three feedback channels, the QR page all positive.
        await Expect(page.Locator("#chart-channels").GetByTestId("channel-bar")).ToHaveCountAsync(4);
        await Expect(page.Locator("#chart-channels").GetByTestId("channel-bar").Filter(new() { HasText = "100.0%" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#table-locations").GetByTestId("metrics-name")).ToHaveCountAsync(2);
        await Expect(page.Locator("#table-locations .sparkline polyline").First).ToBeAttachedAsync();
        await Expect(page.Locator("#best-locations")).ToContainTextAsync("Main");
        await Expect(page.Locator("#worst-locations")).ToContainTextAsync("Other");
        await Expect(page.Locator("#export-locations [data-testid=export-xlsx]")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/api/v1/metrics.xlsx\\?groupBy=location"));
        await page.ScreenshotAsync($"overview-1280-{App.Provider}");

        await page.Locator("#table-locations").GetByTestId("metrics-name").Filter(new() { HasText = "Main" }).ClickAsync();
        await Expect(page.Locator("#location-name")).ToHaveTextAsync("Main");
        await Expect(page.Locator("#chart-hour svg").First).ToBeVisibleAsync();
        await page.ScreenshotAsync($"overview-location-1280-{App.Provider}");
        await page.Locator("#table-staff").GetByTestId("metrics-name").Filter(new() { HasText = "Anna" }).ClickAsync();
        await Expect(page.Locator("#staff-name")).ToHaveTextAsync("Anna");

        var phone = await browser.NewPageAsync(375, 812, locale: "ru-RU");
        await phone.SignInAsync(seed.Org.OwnerEmail);
        await phone.GotoInteractiveAsync("/overview");
        await Expect(phone.Locator("#chart-daily svg").First).ToBeVisibleAsync();
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Сводка владельца" })).ToBeVisibleAsync();
        var overflow = await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth + 1");
        await phone.ScreenshotAsync($"overview-375-{App.Provider}");
        Assert.False(overflow, "The overview scrolls sideways on a phone.");
    }
}

public sealed class OverviewBrowserSqliteTests(SqliteBrowser browser) : OverviewBrowserTests<SqliteApp>(browser), IClassFixture<SqliteBrowser>;
