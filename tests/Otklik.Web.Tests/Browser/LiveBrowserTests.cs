using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Staff;
using Otklik.Web.Features.Users;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>Issue 3: the live screen updates through the circuit, and a red press alerts every open screen of its location.</summary>
public abstract class LiveBrowserTests<TApp>(BrowserFixture<TApp> browser) where TApp : OtklikApp, new()
{
    private OtklikApp App => browser.App;

    /// <summary>
    /// A café with Vera on shift right now, two buttons that belong to no one (so presses go to whoever is on shift),
    /// a manager of the café only, and a second location the manager must not see.
    /// </summary>
    private sealed record Cafe(TestOrg Org, LocationDto Location, LocationDto Elsewhere, TestDevice Till, TestDevice Door, TestDevice ElsewhereButton, string ManagerEmail);

    private async Task<Cafe> CafeAsync()
    {
        var org = await App.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Zerno café" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var elsewhere = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Elsewhere" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var vera = await (await http.PostJsonAsync("/api/v1/staff", new { name = "Vera", locationId = location.Id })).ReadAsync<StaffDto>(HttpStatusCode.Created);
        var now = DateTimeOffset.UtcNow;
        (await http.PostJsonAsync("/api/v1/shifts", new { staffMemberId = vera.Id, locationId = location.Id, startsAt = now.AddHours(-2), endsAt = now.AddHours(2) }))
            .EnsureSuccessStatusCode();
        async Task<TestDevice> DeviceAsync(string name, Guid at)
        {
            var d = await (await http.PostJsonAsync("/api/v1/devices", new { name, kind = "ButtonSmart", locationId = at })).ReadAsync<DeviceWithToken>(HttpStatusCode.Created);
            return new TestDevice(App, d.Device.Id, d.Token);
        }
        var till = await DeviceAsync("Till button", location.Id);
        var door = await DeviceAsync("Door button", location.Id);
        var other = await DeviceAsync("Elsewhere button", elsewhere.Id);
        var email = $"manager-{Guid.NewGuid():N}@test.otklik";
        (await http.PostJsonAsync("/api/v1/users", new { email, displayName = "Masha", role = "LocationManager", password = TestOrg.Password, locationIds = new[] { location.Id } }))
            .EnsureSuccessStatusCode();
        return new Cafe(org, location, elsewhere, till, door, other, email);
    }

    private static async Task PressAsync(TestDevice device, string type) =>
        Assert.Equal(HttpStatusCode.Accepted, (await device.PostAsync(TestDevice.Event(Guid.NewGuid(), type))).StatusCode);

    [Fact]
    public async Task RedPress_AlertsEveryOpenScreenOfTheLocation_AndAcknowledgingOnOneClearsItOnTheOther()
    {
        var cafe = await CafeAsync();
        var desk = await browser.NewPageAsync(1280, 900);
        // The phone is set to Russian: what events render must follow each screen's own language.
        var phone = await browser.NewPageAsync(375, 812, locale: "ru-RU");
        foreach (var page in new[] { desk, phone })
        {
            await page.SignInAsync(cafe.ManagerEmail, returnTo: $"/live/{cafe.Location.Id}");
            await Expect(page.Locator("#live-title")).ToHaveTextAsync("Zerno café");
            await Expect(page.GetByTestId("green-count")).ToHaveTextAsync("0");
        }

        // A green press shows up without a reload; a red one at a location the manager does not see does not.
        await PressAsync(cafe.Door, "green");
        await PressAsync(cafe.ElsewhereButton, "red");
        await Expect(desk.GetByTestId("green-count")).ToHaveTextAsync("1");
        await Expect(desk.GetByTestId("live-press")).ToHaveCountAsync(1);

        await PressAsync(cafe.Till, "red");

        foreach (var (page, headline, share) in new[] { (desk, "Red button pressed", "50%"), (phone, "Нажата красная кнопка", "50\u00A0%") })
        {
            var alert = page.GetByTestId("live-alert");
            await Expect(alert.GetByTestId("alert-title")).ToHaveTextAsync(headline);
            await Expect(alert).ToBeVisibleAsync();
            await Expect(alert).ToHaveCountAsync(1);
            await Expect(alert.GetByTestId("alert-device")).ToHaveTextAsync("Till button");
            await Expect(alert.GetByTestId("alert-staff")).ToContainTextAsync("Vera");
            await Expect(page.GetByTestId("red-count")).ToHaveTextAsync("1");
            await Expect(page.GetByTestId("green-share")).ToHaveTextAsync(share);
            await Expect(page.GetByTestId("live-staff").Filter(new() { HasText = "Vera" })).ToContainTextAsync(share);
        }
        await desk.ScreenshotAsync($"live-alert-1280-{App.Provider}");
        await phone.ScreenshotAsync($"live-alert-375-{App.Provider}");

        await desk.GetByTestId("acknowledge-alert").ClickAsync();

        await Expect(phone.GetByTestId("live-alert")).ToHaveCountAsync(0);
        await Expect(desk.GetByTestId("live-alert")).ToHaveCountAsync(0);
        var open = await App.WithDbAsync(db => db.Alerts.CountAsync(a => a.LocationId == cafe.Location.Id && a.AcknowledgedAt == null), cafe.Org.Id);
        Assert.Equal(0, open);
        await phone.ScreenshotAsync($"live-acknowledged-375-{App.Provider}");
    }

    [Fact]
    public async Task OrganizationScreen_ListsOpenAlertsOnLoad_AndEveryLocation()
    {
        var cafe = await CafeAsync();
        await PressAsync(cafe.Till, "red");
        var page = await browser.NewPageAsync();

        await page.SignInAsync(cafe.Org.OwnerEmail, returnTo: "/live");

        await Expect(page.GetByTestId("live-location")).ToHaveCountAsync(2);
        var alert = page.GetByTestId("live-alert");
        await Expect(alert).ToHaveCountAsync(1);
        await Expect(alert).ToContainTextAsync("Zerno café");
        var tile = page.GetByTestId("live-location").Filter(new() { HasText = "Zerno café" });
        await Expect(tile.GetByTestId("red-count")).ToHaveTextAsync("1");
        await Expect(tile.GetByTestId("live-device").Filter(new() { HasText = "Till button" })).ToContainTextAsync("online");
        await Expect(tile.GetByTestId("live-device").Filter(new() { HasText = "Door button" })).ToContainTextAsync("offline");
        await page.ScreenshotAsync($"live-organization-1280-{App.Provider}");
    }
}

public sealed class LiveBrowserSqliteTests(SqliteBrowser browser) : LiveBrowserTests<SqliteApp>(browser), IClassFixture<SqliteBrowser>;
