using Otklik.Web.Tests.Features.Bonus;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>Issue 6: the owner opens the bonus fund from the menu, reads the statement line by line and changes the rule; the overview shows the support index.</summary>
public sealed class BonusBrowserTests(SqliteBrowser browser) : IClassFixture<SqliteBrowser>
{
    [Fact]
    public async Task Owner_OpensBonusFromTheMenu_SeesTheWorkedExample_AndARuleChangeRecomputes()
    {
        var (org, _, _) = await BonusExample.CreateAsync(browser.App);
        var page = await browser.NewPageAsync();
        await page.SignInAsync(org.OwnerEmail);
        await page.GotoInteractiveAsync("/");

        await page.Locator("#nav-bonus").ClickAsync();
        await Expect(page.Locator("#bonus-table").GetByTestId("bonus-name")).ToHaveTextAsync(["anna", "boris", "vera"]);
        await Expect(page.Locator("#bonus-table").GetByTestId("bonus-total")).ToHaveTextAsync(["12,000.00", "7,500.00", "7,500.00"]);
        await Expect(page.Locator("#bonus-allocated")).ToHaveTextAsync("27,000.00");
        await Expect(page.Locator("#bonus-table")).ToContainTextAsync("Green share 0.95 ≥ threshold 0.8: fund 15,000.00 / 2 eligible = 7,500.00");
        await Expect(page.Locator("#bonus-table")).ToContainTextAsync("3 excluded as consumer terrorism");
        await Expect(page.Locator("#bonus-xlsx")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex(@"/api/v1/bonus/statement\.xlsx\?period=\d{4}-\d{2}"));
        await page.ScreenshotAsync("bonus-1280");

        await page.Locator("#bonus-base-fund").FillAsync("60000");
        await page.Locator("#bonus-base-fund").BlurAsync();
        await page.Locator("#bonus-save").ClickAsync();
        await Expect(page.Locator("#bonus-allocated")).ToHaveTextAsync("36,000.00");
        await Expect(page.Locator("#bonus-table").GetByTestId("bonus-total")).ToHaveTextAsync(["12,000.00", "12,000.00", "12,000.00"]);

        var ru = await browser.NewPageAsync(1280, 900, locale: "ru-RU");
        await ru.SignInAsync(org.OwnerEmail);
        await ru.GotoInteractiveAsync("/bonus");
        await Expect(ru.Locator("#bonus-table")).ToContainTextAsync("исключено как потребительский терроризм");
        await ru.ScreenshotAsync("bonus-1280-ru");

        await page.GotoInteractiveAsync("/overview");
        var anna = page.Locator("#table-locations tr").Filter(new() { HasText = "Shop of anna" });
        await Expect(anna.GetByTestId("metrics-support")).ToContainTextAsync("(4)");
        await page.ScreenshotAsync("overview-support-1280");
        await page.GotoInteractiveAsync("/reviews");
        await Expect(page.Locator("#support-table")).ToContainTextAsync("Shop of vera");
        // Counts entered by hand on the page: Shop of anna (first), Yandex Maps, today.
        await page.Locator("#snapshot-total").FillAsync("170");
        await page.Locator("#snapshot-positive").FillAsync("110");
        await page.Locator("#snapshot-positive").BlurAsync();
        await page.Locator("#snapshot-save").ClickAsync();
        await Expect(page.Locator("#snapshots-table").GetByTestId("snapshot-positive").First).ToHaveTextAsync("110");
        await Expect(page.Locator("#support-table tr").Filter(new() { HasText = "Shop of anna" }).GetByTestId("support-new")).ToHaveTextAsync("10");
        await page.ScreenshotAsync("reviews-1280");
    }
}
