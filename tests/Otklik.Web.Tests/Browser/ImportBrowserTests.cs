using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Locations;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>A CX manager uploads a CSV, fixes the mapping, previews, imports, watches the progress reach 100 % and undoes it.</summary>
public sealed class ImportBrowserTests(SqliteBrowser browser) : IClassFixture<SqliteBrowser>
{
    [Fact]
    public async Task AManager_ImportsACsv_ThroughMappingAndPreview_AndUndoesIt()
    {
        var app = browser.App;
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        await (await http.PostJsonAsync("/api/v1/locations", new { name = "Кофейня у вокзала" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var csv = new StringBuilder("Дата;Где;Тональность;Канал;Текст\n");
        for (var i = 0; i < 3000; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{1 + i % 28:00}.10.2026 12:00;{(i == 5 ? "Нигде" : "Кофейня у вокзала")};негатив;соцсеть;Отзыв {i}\n");
        var file = Path.Combine(app.DataFolder, "отзывы.csv");
        await File.WriteAllBytesAsync(file, Encoding.UTF8.GetBytes(csv.ToString()));
        var page = await browser.NewPageAsync(1280, 900);
        await page.SignInAsync(org.OwnerEmail, returnTo: "/imports");
        await page.GotoInteractiveAsync("/imports");

        await page.SetInputFilesAsync("#import-file", file);
        await Expect(page.Locator("#import-summary")).ToContainTextAsync("3000");
        await Expect(page.Locator("#import-mapping-errors")).ToContainTextAsync("location");
        await page.SelectAsync("map-location", "Где");
        await Expect(page.Locator("#import-mapping-errors")).Not.ToBeAttachedAsync();
        await Expect(page.Locator("#import-preview tr.preview-bad")).ToHaveCountAsync(1);
        await Expect(page.Locator("#import-preview tr.preview-good")).ToHaveCountAsync(19);
        await page.ScreenshotAsync("import-preview");
        await page.ClickAsync("#import-start");

        await Expect(page.Locator("#import-result")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("#import-progress-text")).ToContainTextAsync("3000 of 3000 rows (100 %)");
        await Expect(page.Locator("#import-bad")).ToContainTextAsync("1");
        await Expect(page.Locator("#import-bad-rows")).ToContainTextAsync("Нигде");
        await page.ScreenshotAsync("import-result");
        Assert.Equal(2999, await app.WithDbAsync(db => db.Feedback.CountAsync(), org.Id));

        await page.ClickAsync("#import-undo");
        await page.ClickAsync("#confirm-yes");
        await Expect(page.Locator("#import-progress-text")).ToContainTextAsync("Undone");
        Assert.Equal(0, await app.WithDbAsync(db => db.Feedback.CountAsync(), org.Id));
    }
}
