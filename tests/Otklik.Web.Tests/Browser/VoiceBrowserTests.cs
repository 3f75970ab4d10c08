using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>
/// The issue's "done when": a customer on a phone complains with two reasons, a text and a voice note recorded in the
/// browser (Chromium's fake microphone), and the manager can play it in the inbox.
/// </summary>
public sealed partial class VoiceBrowserTests(VoiceBrowser browser) : IClassFixture<VoiceBrowser>
{
    [Fact]
    public async Task ACustomer_RecordsAVoiceNote_OnAPhone_AndTheManagerPlaysIt()
    {
        var app = browser.App;
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Кофейня с голосом" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        await (await http.PostAsync("/api/v1/reasons/starter?template=food", null)).ReadAsync<StarterApplied>();
        var page = await browser.NewPageAsync(375, 812, locale: "ru-RU");
        await page.Context.GrantPermissionsAsync(["microphone"]);

        await page.GotoAsync($"/f/{location.Slug}");
        await page.ClickAsync("#mood-bad");
        await page.GetByText("Холодное").ClickAsync();
        await page.GetByText("Долгая очередь").ClickAsync();
        await page.FillAsync("textarea[name=text]", "Суп холодный, ждали долго");
        await Expect(page.Locator("#voice-record")).ToBeDisabledAsync();
        await page.ClickAsync("#media-consent");
        await page.ClickAsync("#voice-record");
        await Expect(page.Locator("#voice-status")).ToHaveTextAsync(Seconds());
        await page.ClickAsync("#voice-record");
        await Expect(page.Locator("#voice-status")).ToHaveTextAsync("Голосовое сообщение прикреплено");
        await Expect(page.Locator("#voice-preview")).ToBeVisibleAsync();
        var attached = await page.EvaluateAsync<int>("() => document.querySelector('input[name=voice]').files[0].size");
        await page.ScreenshotAsync("feedback-voice-recorded-375");
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        await page.ClickAsync("#send");
        await Expect(page.Locator("#thanks")).ToBeVisibleAsync();

        Assert.True(attached > 0, "The recording did not reach the form's file input.");
        Assert.False(overflow, "The form is wider than a phone screen.");
        var stored = await app.WithDbAsync(db => db.Feedback.Include(f => f.Reasons).Include(f => f.Attachments).SingleAsync(), org.Id);
        Assert.Equal(2, stored.Reasons.Count);
        Assert.Equal("Суп холодный, ждали долго", stored.Text);
        var voice = Assert.Single(stored.Attachments);
        Assert.Equal((AttachmentKind.Voice, "audio/webm", (long)attached), (voice.Kind, voice.ContentType, voice.Size));

        var manager = await browser.NewPageAsync();
        await manager.SignInAsync(org.OwnerEmail, returnTo: "/feedback");
        var audio = manager.Locator("audio");
        await Expect(audio).ToHaveCountAsync(1);
        var src = await audio.GetAttributeAsync("src");
        await manager.ScreenshotAsync("feedback-inbox-voice");
        var served = await manager.APIRequest.GetAsync(src!);
        Assert.Equal(200, served.Status);
        Assert.StartsWith("audio/", served.Headers["content-type"], StringComparison.Ordinal);
        Assert.Equal(attached, (await served.BodyAsync()).Length);
    }

    [GeneratedRegex(@"^[1-9]\d* / 60 s$")]
    private static partial Regex Seconds();
}

/// <summary>A Chromium whose microphone is a fake device that always says yes.</summary>
public sealed class VoiceBrowser : BrowserFixture<FastFormSqliteApp>
{
    protected override IEnumerable<string> ExtraArgs => ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];
}
