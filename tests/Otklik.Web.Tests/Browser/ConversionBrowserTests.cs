using System.Net;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Staff;
using Otklik.Web.Features.Users;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>Issue 8: a seller records why visitors left on a 375 px phone; the manager's funnel report shows it.</summary>
public sealed class ConversionBrowserTests(SqliteBrowser browser) : IClassFixture<SqliteBrowser>
{
    [Fact]
    public async Task ASeller_RecordsThreeFunnelExitsOnAPhone_AndTheManagersFunnelReportShowsThem()
    {
        var app = browser.App;
        var org = await app.NewOrganizationAsync();
        using var owner = org.Owner();
        var location = await (await owner.PostJsonAsync("/api/v1/locations", new { name = "Магазин на Тверской" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var anna = await (await owner.PostJsonAsync("/api/v1/staff", new { name = "Анна Петрова", locationId = location.Id })).ReadAsync<StaffDto>(HttpStatusCode.Created);
        var sellerEmail = $"seller-{Guid.NewGuid():N}@test.otklik";
        (await owner.PostJsonAsync("/api/v1/users", new { email = sellerEmail, displayName = "Анна", role = "Viewer", password = TestOrg.Password })).EnsureSuccessStatusCode();

        var phone = await browser.NewPageAsync(375, 812, locale: "ru-RU");
        await phone.SignInAsync(sellerEmail, returnTo: "/seller");
        await phone.GotoInteractiveAsync("/seller");
        await phone.SelectAsync("seller-pick", "Анна Петрова");
        await phone.Locator("#seller-this-is-me").ClickAsync();
        await Expect(phone.Locator("#seller-me")).ToHaveTextAsync("Анна Петрова");

        (string Stage, string Reason)[] exits = [("presentation", "price"), ("presentation", "no-size"), ("greeting", "just-looking")];
        for (var i = 0; i < exits.Length; i++)
        {
            await phone.Locator($"#seller-stage-{exits[i].Stage}").ClickAsync();
            await phone.Locator($"#seller-reason-{exits[i].Reason}").ClickAsync();
            await Expect(phone.Locator("#seller-today")).ToContainTextAsync($"разговоров — {i + 1}");
        }
        await phone.ScreenshotAsync("seller-console-375");
        var overflow = await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");

        var manager = await browser.NewPageAsync(1280, 900, locale: "ru-RU");
        await manager.SignInAsync(org.OwnerEmail);
        await manager.GotoInteractiveAsync("/reports/conversion");
        await Expect(manager.Locator("#funnel-summary")).ToContainTextAsync("Записано разговоров: 3");
        await Expect(manager.Locator("tr[data-stage=presentation] .funnel-exits")).ToHaveTextAsync("2");
        await Expect(manager.Locator("tr[data-stage=greeting] .funnel-exits")).ToHaveTextAsync("1");
        await Expect(manager.Locator("#funnel-biggest")).ToContainTextAsync("Презентация");
        await Expect(manager.Locator("#funnel-biggest")).ToContainTextAsync("Цена (1)");
        await manager.ScreenshotAsync("funnel-report-manager");

        Assert.False(overflow, "The seller console is wider than a phone screen.");
        var entries = await app.WithDbAsync(db => db.FunnelEntries.ToListAsync(), org.Id);
        Assert.Equal(3, entries.Count);
        Assert.All(entries, e => Assert.Equal((anna.Id, location.Id), (e.StaffMemberId!.Value, e.LocationId)));
        Assert.Equal(anna.Id, await app.WithDbAsync(db => db.StaffMembers.Where(s => s.UserId != null).Select(s => s.Id).SingleAsync(), org.Id));
    }
}
