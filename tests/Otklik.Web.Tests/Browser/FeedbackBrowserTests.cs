using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>The customer's bad path on a phone: QR page → "bad" → reasons, text, photo, contact with consent → thanks.</summary>
public sealed class FeedbackBrowserTests(FeedbackBrowser browser) : IClassFixture<FeedbackBrowser>
{
    [Fact]
    public async Task ACustomer_ComplainsFromAPhone_WithAReasonAPhotoAndAContact()
    {
        var app = browser.App;
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Кофейня у вокзала", yandexMapsUrl = "https://yandex.ru/maps/org/42" }))
            .ReadAsync<LocationDto>(HttpStatusCode.Created);
        await (await http.PostAsync("/api/v1/reasons/starter?template=food", null)).ReadAsync<StarterApplied>();
        var page = await browser.NewPageAsync(375, 812, locale: "ru-RU");
        var photo = Path.Combine(app.DataFolder, "receipt.png");
        await File.WriteAllBytesAsync(photo, Files.Png);

        await page.GotoAsync($"/f/{location.Slug}");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Как вам у нас?");
        await page.ClickAsync("#mood-bad");
        await page.GetByText("Холодное").ClickAsync();
        await page.FillAsync("textarea[name=text]", "Принесли холодный суп <b>дважды</b>");
        // The photo input stays off until the customer agrees to the consent text above it.
        await Expect(page.Locator("input[name=photo]")).ToBeDisabledAsync();
        await page.ClickAsync("#media-consent");
        await page.SetInputFilesAsync("input[name=photo]", photo);
        await page.ClickAsync("details.contact summary");
        await page.FillAsync("input[name=phone]", "+7 900 111-22-33");
        await page.ClickAsync("#consent-text");
        await page.ScreenshotAsync($"feedback-bad-form-375-{app.Provider}");
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        await page.ClickAsync("#send");

        await Expect(page.Locator("#thanks")).ToBeVisibleAsync();
        await Expect(page.Locator("#echo")).ToHaveTextAsync("Принесли холодный суп <b>дважды</b>");
        await Expect(page.Locator("#maps a")).ToHaveAttributeAsync("href", "https://yandex.ru/maps/org/42");
        await page.ScreenshotAsync($"feedback-thanks-375-{app.Provider}");
        Assert.False(overflow, "The form is wider than a phone screen.");
        var stored = await app.WithDbAsync(db => db.Feedback.Include(f => f.Reasons).Include(f => f.Attachments).SingleAsync(), org.Id);
        var cold = await app.WithDbAsync(db => db.Reasons.SingleAsync(r => r.NameRu == "Холодное"), org.Id);
        Assert.Equal(cold.Id, Assert.Single(stored.Reasons).ReasonId);
        Assert.Equal(("image/png", 0), (Assert.Single(stored.Attachments).ContentType, stored.Attachments[0].ConsentVersion));
        Assert.Equal(("+7 900 111-22-33", (int?)0), (stored.ContactPhone, stored.ContactConsentVersion));
    }
}

/// <summary>A browser fills the form faster than the bot threshold allows a person to; the threshold is tested over HTTP.</summary>
public sealed class FastFormSqliteApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Otklik:Feedback:MinFillSeconds", "0")];
}

public sealed class FeedbackBrowser : BrowserFixture<FastFormSqliteApp>;
