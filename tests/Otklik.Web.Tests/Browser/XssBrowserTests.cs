using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Otklik.Web.Features.Locations;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>Markup in a customer's text is shown as text, and never runs, wherever staff read it.</summary>
public sealed class XssBrowserTests(FeedbackBrowser browser) : IClassFixture<FeedbackBrowser>
{
    private const string Evil = """<script>window.__xss=1</script><img src=x onerror="window.__xss=1">""";

    private static Task<bool> XssRanAsync(IPage page) => page.EvaluateAsync<bool>("() => typeof window.__xss !== 'undefined'");

    [Fact]
    public async Task ScriptInFeedbackText_IsShownAsText_AndNeverRuns_OnTheThankYouPageTheInboxAndTheCase()
    {
        var app = browser.App;
        var org = await app.NewOrganizationAsync();
        using (var http = org.Owner())
        {
            var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Кафе у моста" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
            var customer = await browser.NewPageAsync(375, 812);
            await customer.GotoAsync($"/f/{location.Slug}");
            await customer.ClickAsync("#mood-bad");
            await customer.FillAsync("textarea[name=text]", Evil);
            await customer.ClickAsync("#send");

            await Expect(customer.Locator("#echo")).ToHaveTextAsync(Evil);
            Assert.False(await XssRanAsync(customer), "The script ran on the thank-you page.");
            await Expect(customer.Locator("img[src=x]")).ToHaveCountAsync(0);
        }
        var stored = await app.WithDbAsync(db => db.Feedback.SingleAsync(), org.Id);
        Assert.Equal(Evil, stored.Text);
        var caseId = await app.WithDbAsync(db => db.Cases.Where(c => c.FeedbackId == stored.Id).Select(c => c.Id).SingleAsync(), org.Id);
        var manager = await browser.NewPageAsync();
        await manager.SignInAsync(org.OwnerEmail, returnTo: "/feedback");

        await manager.GotoInteractiveAsync("/feedback");
        await Expect(manager.Locator("body")).ToContainTextAsync("<script>window.__xss=1</script>");
        await Expect(manager.Locator("body")).ToContainTextAsync("""<img src=x onerror="window.__xss=1">""");
        await Expect(manager.Locator("img[src=x]")).ToHaveCountAsync(0);
        await manager.ScreenshotAsync("xss-inbox");
        Assert.False(await XssRanAsync(manager), "The script ran in the inbox.");

        await manager.GotoInteractiveAsync($"/cases/{caseId}");
        await Expect(manager.Locator("body")).ToContainTextAsync("<script>window.__xss=1</script>");
        await Expect(manager.Locator("img[src=x]")).ToHaveCountAsync(0);
        await manager.ScreenshotAsync("xss-case");
        Assert.False(await XssRanAsync(manager), "The script ran on the case page.");
    }
}
