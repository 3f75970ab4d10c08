using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>Issue 2: an owner sets up a location and a device through the UI, in English and Russian.</summary>
public abstract class AdminBrowserTests<TApp>(BrowserFixture<TApp> browser) where TApp : OtklikApp, new()
{
    private OtklikApp App => browser.App;

    [Fact]
    public async Task Owner_CreatesLocationAndDevice_SeesTheTokenOnce_AndSwitchesLanguage()
    {
        var org = await App.NewOrganizationAsync();
        var page = await browser.NewPageAsync();
        var locationName = "Arbat café " + Guid.NewGuid().ToString("N")[..4];

        await page.SignInAsync(org.OwnerEmail);

        // A location through its dialog.
        await page.GotoInteractiveAsync("/locations");
        await page.Locator("#add-location").ClickAsync();
        await page.Locator("#location-name").FillAsync(locationName);
        await page.Locator("#save-location").ClickAsync();
        await Expect(page.GetByTestId("location-name-cell").Filter(new() { HasText = locationName })).ToBeVisibleAsync();

        // A device at it; the token appears once, with the warning.
        await page.GotoInteractiveAsync("/devices");
        await page.Locator("#add-device").ClickAsync();
        await page.Locator("#device-name").FillAsync("Till button");
        await page.SelectAsync("device-location", locationName);
        await page.Locator("#save-device").ClickAsync();
        var tokenBox = page.Locator("#device-token");
        await Expect(tokenBox).ToBeVisibleAsync();
        await Expect(page.Locator("#secret-warning")).ToBeVisibleAsync();
        var token = (await tokenBox.TextContentAsync())!.Trim();
        await page.Locator("#secret-done").ClickAsync();
        await Expect(tokenBox).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("device-name-cell").Filter(new() { HasText = "Till button" })).ToBeVisibleAsync();

        // The token shown is the device's real one, and the page never shows it again.
        var deviceId = await App.WithDbAsync(db => db.Devices.Where(d => d.Name == "Till button").Select(d => d.Id).SingleAsync(), org.Id);
        var press = await new TestDevice(App, deviceId, token).PostAsync(TestDevice.Event(Guid.NewGuid(), "green"));
        Assert.Equal(HttpStatusCode.Accepted, press.StatusCode);
        await page.ReloadAsync();
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("device-name-cell").Filter(new() { HasText = "Till button" })).ToBeVisibleAsync();
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

        // Russian and back.
        await page.Locator("#culture-switch").ClickAsync();
        await Expect(page.Locator("#add-device")).ToHaveTextAsync("Добавить устройство");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Устройства" })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
        await page.ScreenshotAsync($"devices-ru-{browser.App.Provider}");
        await page.Locator("#culture-switch").ClickAsync();
        await Expect(page.Locator("#add-device")).ToHaveTextAsync("Add device");
        await page.WaitForInteractiveAsync();
        await page.ScreenshotAsync($"devices-en-{browser.App.Provider}");
    }
}

public sealed class AdminBrowserSqliteTests(SqliteBrowser browser) : AdminBrowserTests<SqliteApp>(browser), IClassFixture<SqliteBrowser>;
