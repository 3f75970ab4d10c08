using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>The reason tree page: reorder siblings by dragging and with the arrow buttons, archive and restore.</summary>
public sealed class ReasonsBrowserTests(SqliteBrowser browser) : IClassFixture<SqliteBrowser>
{
    private Task<Dictionary<string, Reason>> ReasonsAsync(Guid org) =>
        browser.App.WithDbAsync(db => db.Reasons.AsNoTracking().Where(r => r.Kind == ReasonKind.Negative).ToDictionaryAsync(r => r.NameEn), org);

    /// <summary>The page writes through its circuit: wait until the database shows the change.</summary>
    private async Task<Dictionary<string, Reason>> EventuallyAsync(Guid org, Func<Dictionary<string, Reason>, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var reasons = await ReasonsAsync(org);
            if (done(reasons) || clock.Elapsed > TimeSpan.FromSeconds(15)) return reasons;
            await Task.Delay(200);
        }
    }

    private static ILocator Row(IPage page, Reason r) => page.Locator($"[data-reason-id='{r.Id}']");

    [Fact]
    public async Task AManager_DragsAReasonAboveItsSibling_MovesOneDownWithTheArrows_AndArchivesAndRestoresOne()
    {
        var org = await browser.App.NewOrganizationAsync();
        using (var http = org.Owner())
            await (await http.PostAsync("/api/v1/reasons/starter?template=clinic", null)).ReadAsync<StarterApplied>();
        var before = await ReasonsAsync(org.Id);
        Assert.True(before["Booking and waiting"].SortOrder < before["Doctor"].SortOrder);
        Assert.True(before["Not clean"].SortOrder < before["Uncomfortable waiting area"].SortOrder);
        var page = await browser.NewPageAsync();
        await page.SignInAsync(org.OwnerEmail, returnTo: "/reasons");
        await page.GotoInteractiveAsync("/reasons");
        await Expect(Row(page, before["Doctor"])).ToBeVisibleAsync();

        // Drag "Doctor" onto "Booking and waiting": it takes the first place.
        await Row(page, before["Doctor"]).DragToAsync(Row(page, before["Booking and waiting"]));
        var dragged = await EventuallyAsync(org.Id, r => r["Doctor"].SortOrder < r["Booking and waiting"].SortOrder);
        Assert.True(dragged["Doctor"].SortOrder < dragged["Booking and waiting"].SortOrder, "The drag did not reorder the reasons.");
        Assert.True(dragged["Booking and waiting"].SortOrder < dragged["Front desk"].SortOrder, "The drag moved more than one place.");
        await Expect(page.Locator("[data-testid=reason-row]").First).ToContainTextAsync("Doctor");

        // The keyboard-friendly way: "Move down" on "Not clean".
        await Row(page, before["Not clean"]).GetByRole(AriaRole.Button, new() { Name = "Move down" }).ClickAsync();
        var moved = await EventuallyAsync(org.Id, r => r["Not clean"].SortOrder > r["Uncomfortable waiting area"].SortOrder);
        Assert.True(moved["Not clean"].SortOrder > moved["Uncomfortable waiting area"].SortOrder, "Move down did not reorder the reasons.");

        // Archive "Rudeness": gone from the list, kept in the database; restore it from the archived view.
        await Row(page, before["Rudeness"]).GetByRole(AriaRole.Button, new() { Name = "Archive" }).ClickAsync();
        await Expect(Row(page, before["Rudeness"])).ToHaveCountAsync(0);
        var archived = await EventuallyAsync(org.Id, r => r["Rudeness"].ArchivedAt is not null);
        Assert.NotNull(archived["Rudeness"].ArchivedAt);
        Assert.Null(archived["Front desk"].ArchivedAt);
        await page.ScreenshotAsync("reasons-reordered");
        await page.Locator("#reasons-show-archived").ClickAsync();
        await Row(page, before["Rudeness"]).GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        var restored = await EventuallyAsync(org.Id, r => r["Rudeness"].ArchivedAt is null);
        Assert.Null(restored["Rudeness"].ArchivedAt);
        Assert.True(restored["Doctor"].SortOrder < restored["Booking and waiting"].SortOrder);
    }
}
