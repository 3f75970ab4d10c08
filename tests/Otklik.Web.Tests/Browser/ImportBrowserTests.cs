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

    [Fact]
    public async Task AManager_ImportsPosSales_ABadFileIsRefusedWhole_AndTheFixedOneImports()
    {
        var app = browser.App;
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        await (await http.PostJsonAsync("/api/v1/locations", new { name = "Пекарня на Ленина" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-3).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);
        string Csv(string badAmount) => "Точка;Номер чека;Время;Сумма;Товаров\n"
            + $"Пекарня на Ленина;R-1;{day} 10:05;1 499,50;3\n"
            + $"Пекарня на Ленина;R-2;{day} 10:20;{badAmount};1\n"
            + $"Пекарня на Ленина;R-3;{day} 11:40;350;1\n";
        var bad = Path.Combine(app.DataFolder, "касса-ошибка.csv");
        var good = Path.Combine(app.DataFolder, "касса.csv");
        await File.WriteAllBytesAsync(bad, Encoding.UTF8.GetBytes(Csv("сто")));
        await File.WriteAllBytesAsync(good, Encoding.UTF8.GetBytes(Csv("100")));
        var page = await browser.NewPageAsync(1280, 900);
        await page.SignInAsync(org.OwnerEmail, returnTo: "/imports");
        await page.GotoInteractiveAsync("/imports");

        await page.SelectAsync("import-kind", "POS sales");
        await page.SetInputFilesAsync("#import-file", bad);
        await Expect(page.Locator("#import-summary")).ToContainTextAsync("3");
        await Expect(page.Locator("#import-mapping-errors")).Not.ToBeAttachedAsync();
        await Expect(page.Locator("#import-preview tr.preview-bad")).ToHaveCountAsync(1);
        await page.ScreenshotAsync("import-sales-preview");
        await page.ClickAsync("#import-start");

        await Expect(page.Locator("#import-result")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("#import-progress-card")).ToContainTextAsync("nothing from this file was imported");
        await Expect(page.Locator("#import-bad-rows")).ToContainTextAsync("revenue");
        await Expect(page.Locator("#import-good")).ToContainTextAsync("0");
        await page.ScreenshotAsync("import-sales-refused");
        Assert.Equal(0, await app.WithDbAsync(db => db.PosSales.CountAsync(), org.Id));

        await page.ClickAsync("#import-another");
        await page.SelectAsync("import-kind", "POS sales");
        await page.SetInputFilesAsync("#import-file", good);
        await Expect(page.Locator("#import-preview tr.preview-good")).ToHaveCountAsync(3);
        await page.ClickAsync("#import-start");
        await Expect(page.Locator("#import-result")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("#import-good")).ToContainTextAsync("3");
        Assert.Equal((3, 194950L), await app.WithDbAsync(async db => (await db.PosSales.CountAsync(), await db.PosSales.SumAsync(s => s.RevenueMinor)), org.Id));

        // The same file again: nothing new, and the page says so.
        await page.ClickAsync("#import-another");
        await page.SelectAsync("import-kind", "POS sales");
        await page.SetInputFilesAsync("#import-file", good);
        await page.ClickAsync("#import-start");
        await Expect(page.Locator("#import-duplicates")).ToContainTextAsync("3", new() { Timeout = 60_000 });
        await Expect(page.Locator("#import-good")).ToContainTextAsync("0");
        await page.ScreenshotAsync("import-sales-again");
        Assert.Equal(3, await app.WithDbAsync(db => db.PosSales.CountAsync(), org.Id));
    }
}
