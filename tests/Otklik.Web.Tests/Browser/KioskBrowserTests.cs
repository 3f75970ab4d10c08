using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>The tablet terminal /k/{slug} in Chromium at a tablet's size: the bad path, the inactivity reset, the offline queue.</summary>
public sealed class KioskBrowserTests(KioskBrowser browser) : IClassFixture<KioskBrowser>
{
    private const int TabletWidth = 1024, TabletHeight = 768;

    private async Task<(TestOrg Org, LocationDto Location)> PlaceAsync()
    {
        var org = await browser.App.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Клиника на Лесной" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        await (await http.PostAsync("/api/v1/reasons/starter?template=clinic", null)).ReadAsync<StarterApplied>();
        return (org, location);
    }

    private Task<List<Otklik.Web.Features.Feedback.Feedback>> StoredAsync(Guid org) =>
        browser.App.WithDbAsync(db => db.Feedback.Include(f => f.Reasons).ToListAsync(), org);

    /// <summary>The kiosk sends in the background after the thank-you screen: wait for the row.</summary>
    private async Task<List<Otklik.Web.Features.Feedback.Feedback>> StoredEventuallyAsync(Guid org, int count = 1)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var stored = await StoredAsync(org);
            if (stored.Count >= count || clock.Elapsed > TimeSpan.FromSeconds(40)) return stored;
            await Task.Delay(250);
        }
    }

    private static async Task ComplainAsync(IPage page, string reason, string text)
    {
        await page.ClickAsync("#k-bad");
        await page.Locator("#reasons-bad .tile").Filter(new() { HasTextString = reason }).ClickAsync();
        await page.ClickAsync("#k-reasons-next");
        await page.FillAsync("#k-text", text);
        await page.ClickAsync("#k-text-next");
        await Expect(page.Locator("#step-photo")).ToBeVisibleAsync();
        await page.ClickAsync("#k-photo-next");
        await Expect(page.Locator("#step-contact")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ACustomer_ComplainsAtTheKiosk_WithAReason_AndTheFeedbackIsStoredWithChannelKiosk()
    {
        var (org, location) = await PlaceAsync();
        var page = await browser.NewPageAsync(TabletWidth, TabletHeight, locale: "ru-RU");

        await page.GotoAsync($"/k/{location.Slug}");
        await Expect(page.Locator("#step-start h1")).ToHaveTextAsync("Как вам у нас?");
        await page.ScreenshotAsync("kiosk-start-1024");
        await page.ClickAsync("#k-bad");
        await page.Locator("#reasons-bad .tile").Filter(new() { HasTextString = "Невежливость" }).ClickAsync();
        await Expect(page.Locator("#reasons-bad .tile[aria-pressed=true]")).ToHaveCountAsync(1);
        await page.ScreenshotAsync("kiosk-reasons-1024");
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        await page.ClickAsync("#k-reasons-next");
        await page.FillAsync("#k-text", "Нагрубили в регистратуре");
        await page.ClickAsync("#k-text-next");
        await page.ClickAsync("#k-photo-next");
        await page.FillAsync("#k-phone", "+7 900 222-33-44");
        await page.ClickAsync("#k-consent-text");
        await page.ScreenshotAsync("kiosk-contact-1024");
        await page.ClickAsync("#k-send");

        await Expect(page.Locator("#k-thanks")).ToBeVisibleAsync();
        var stored = Assert.Single(await StoredEventuallyAsync(org.Id));
        var rude = await browser.App.WithDbAsync(db => db.Reasons.SingleAsync(r => r.NameRu == "Невежливость"), org.Id);
        Assert.Equal((FeedbackChannel.Kiosk, Sentiment.Negative, "Нагрубили в регистратуре"), (stored.Channel, stored.Sentiment, stored.Text));
        Assert.Equal(rude.Id, Assert.Single(stored.Reasons).ReasonId);
        Assert.Equal(("+7 900 222-33-44", (int?)0), (stored.ContactPhone, stored.ContactConsentVersion));
        Assert.False(overflow, "The kiosk is wider than the tablet's screen.");
        await Expect(page.Locator("#queue-status")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task APhotoFromTheTabletCamera_IsTakenOnlyAfterConsent_AndStoredWithTheFeedback()
    {
        var (org, location) = await PlaceAsync();
        var page = await browser.NewPageAsync(TabletWidth, TabletHeight, locale: "en-US");
        await page.Context.GrantPermissionsAsync(["camera"]);
        await page.GotoAsync($"/k/{location.Slug}");
        await page.ClickAsync("#k-bad");
        await page.ClickAsync("#k-reasons-next");
        await page.ClickAsync("#k-text-next");

        await Expect(page.Locator("#k-camera")).ToBeHiddenAsync();
        await page.ClickAsync("#k-photo-consent");
        await Expect(page.Locator("#k-video")).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('k-video').videoWidth > 0");
        await page.ClickAsync("#k-shoot");
        await Expect(page.Locator("#k-preview")).ToBeVisibleAsync();
        await page.ScreenshotAsync("kiosk-photo-1024");
        await page.ClickAsync("#k-photo-next");
        await page.ClickAsync("#k-send");

        await Expect(page.Locator("#k-thanks")).ToBeVisibleAsync();
        var stored = Assert.Single(await StoredEventuallyAsync(org.Id));
        var attachment = await browser.App.WithDbAsync(db => db.FeedbackAttachments.SingleAsync(a => a.FeedbackId == stored.Id), org.Id);
        Assert.Equal(("image/jpeg", FeedbackChannel.Kiosk), (attachment.ContentType, stored.Channel));
        Assert.True(attachment.Size > 1000, $"The photo is only {attachment.Size} bytes.");
    }

    [Fact]
    public async Task TheKiosk_GoesBackToItsFirstScreen_AfterItsTimeout_AndForgetsTheChoice()
    {
        var (_, location) = await PlaceAsync();
        var page = await browser.NewPageAsync(TabletWidth, TabletHeight, locale: "en-US");
        await page.GotoAsync($"/k/{location.Slug}");

        await page.ClickAsync("#k-bad");
        await page.Locator("#reasons-bad .tile").Filter(new() { HasTextString = "Rudeness" }).ClickAsync();
        var idle = Stopwatch.StartNew();
        await Expect(page.Locator("#step-reasons")).ToBeVisibleAsync();

        await Expect(page.Locator("#step-start")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        var waited = idle.Elapsed;
        await Expect(page.Locator("#step-reasons")).ToBeHiddenAsync();
        Assert.True(waited >= TimeSpan.FromSeconds(KioskBrowser.ResetSeconds - 0.5), $"Reset after {waited.TotalSeconds:0.0} s, before its timeout.");
        await page.ClickAsync("#k-bad");
        await Expect(page.Locator("#reasons-bad .tile[aria-pressed=true]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Offline_TheSubmissionWaitsInTheQueue_AndIsStoredOnceWhenTheNetworkIsBack()
    {
        var (org, location) = await PlaceAsync();
        var page = await browser.NewPageAsync(TabletWidth, TabletHeight, locale: "en-US");
        await page.GotoAsync($"/k/{location.Slug}");
        await Expect(page.Locator("#step-start")).ToBeVisibleAsync();

        await page.Context.SetOfflineAsync(true);
        await ComplainAsync(page, "Not clean", "Dirty floor in the hall");
        await page.ClickAsync("#k-send");

        await Expect(page.Locator("#k-queued")).ToBeVisibleAsync();
        await Expect(page.Locator("#queue-status")).ToContainTextAsync("1");
        await page.ScreenshotAsync("kiosk-queued-1024");
        await Task.Delay(1500);
        Assert.Empty(await StoredAsync(org.Id));

        await page.Context.SetOfflineAsync(false);
        await Expect(page.Locator("#queue-status")).ToBeHiddenAsync(new() { Timeout = 30_000 });
        var stored = Assert.Single(await StoredEventuallyAsync(org.Id));
        Assert.Equal((FeedbackChannel.Kiosk, "Dirty floor in the hall"), (stored.Channel, stored.Text));
        // A reload sends whatever is still queued: nothing, so nothing is doubled.
        await page.ReloadAsync();
        await Expect(page.Locator("#step-start")).ToBeVisibleAsync();
        await Task.Delay(1500);
        Assert.Single(await StoredAsync(org.Id));
        Assert.Equal(0, await page.EvaluateAsync<int>("""
            () => new Promise(resolve => {
              const open = indexedDB.open('otklik-kiosk', 1);
              open.onsuccess = () => { const r = open.result.transaction('queue').objectStore('queue').count(); r.onsuccess = () => resolve(r.result); };
            })
            """));
    }
}

/// <summary>A short kiosk timeout for the reset test; no minimum fill time, as a browser is faster than a person.</summary>
public sealed class KioskSqliteApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Otklik:Feedback:MinFillSeconds", "0"),
        new("Otklik:Feedback:KioskResetSeconds", KioskBrowser.ResetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

/// <summary>Chromium's fake camera stands in for the tablet's.</summary>
public sealed class KioskBrowser : BrowserFixture<KioskSqliteApp>
{
    public const int ResetSeconds = 5;

    protected override IEnumerable<string> ExtraArgs => ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];
}
