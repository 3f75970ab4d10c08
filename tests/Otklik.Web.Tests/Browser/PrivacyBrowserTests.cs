using System.IO.Compression;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>Issue 10 through the browser: an owner answers a data request; repeated wrong passwords lock the account.</summary>
public abstract class PrivacyBrowserTests<TApp>(BrowserFixture<TApp> browser) where TApp : OtklikApp, new()
{
    private OtklikApp App => browser.App;

    [Fact]
    public async Task Owner_FindsAPerson_DownloadsTheCopy_AndErasesThem()
    {
        var seed = await Seed.CreateAsync(App);
        var token = Guid.NewGuid().ToString("N")[..8];
        var email = $"marina.{token}@example.com";
        using (var owner = seed.Org.Owner())
            await (await owner.PostJsonAsync("/api/v1/feedback", new
            {
                locationId = seed.Location.Id, channel = "CallCentre", sentiment = "Negative", reasonIds = new[] { seed.Reason.Id }, text = $"Long queue {token}",
                contactName = "Marina", contactEmail = email, contactConsent = true, attachments = new[] { Convert.ToBase64String(Files.Jpeg) }, attachmentConsent = true,
            })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);
        var page = await browser.NewPageAsync();
        await page.SignInAsync(seed.Org.OwnerEmail);

        await page.GotoInteractiveAsync("/privacy");
        await page.Locator("#privacy-email").FillAsync("nobody@example.com");
        await page.Locator("#privacy-find").ClickAsync();
        await Expect(page.Locator("#privacy-nothing")).ToBeVisibleAsync();

        await page.Locator("#privacy-email").FillAsync(email);
        await page.Locator("#privacy-find").ClickAsync();
        await Expect(page.Locator("#privacy-summary")).ToContainTextAsync("Marina");
        await Expect(page.GetByTestId("count-feedback")).ToContainTextAsync("1");
        await Expect(page.GetByTestId("count-attachments")).ToContainTextAsync("1");
        await Expect(page.Locator("#privacy-items")).ToContainTextAsync($"Long queue {token}");
        await page.ScreenshotAsync($"privacy-found-{App.Provider}");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#privacy-export").ClickAsync());
        var path = await download.PathAsync();
        using (var zip = ZipFile.OpenRead(path))
        {
            Assert.NotNull(zip.GetEntry("person.json"));
            Assert.Single(zip.Entries, e => e.FullName.StartsWith("attachments/", StringComparison.Ordinal));
        }

        await page.Locator("#privacy-erase").ClickAsync();
        await page.Locator("#privacy-erase-confirm").ClickAsync();
        await Expect(page.Locator("#privacy-erased")).ToBeVisibleAsync();
        await page.ScreenshotAsync($"privacy-erased-{App.Provider}");
        var left = await App.WithDbAsync(db => db.Feedback.CountAsync(f => f.ContactEmail == email || f.Text!.Contains(token)), seed.Org.Id);
        Assert.Equal(0, left);

        // The same page in Russian.
        await page.Locator("#culture-switch").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Персональные данные" })).ToBeVisibleAsync();
        await Expect(page.Locator("#privacy-find")).ToHaveTextAsync("Найти");
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_EvenForTheRightOne()
    {
        var org = await App.NewOrganizationAsync();
        var page = await browser.NewPageAsync();
        for (var i = 0; i < 5; i++)
        {
            await page.GotoAsync("/login");
            await page.Locator("#email").FillAsync(org.OwnerEmail);
            await page.Locator("#password").FillAsync("wrong-password-" + i);
            await page.Locator("#sign-in").ClickAsync();
            await Expect(page.Locator("#login-error")).ToHaveTextAsync(i < 4 ? "Wrong e-mail or password." : "Too many failed attempts. Try again in 15 minutes.");
        }
        await page.Locator("#email").FillAsync(org.OwnerEmail);
        await page.Locator("#password").FillAsync(TestOrg.Password);
        await page.Locator("#sign-in").ClickAsync();
        await Expect(page.Locator("#login-error")).ToHaveTextAsync("Too many failed attempts. Try again in 15 minutes.");
        await page.ScreenshotAsync($"login-locked-{App.Provider}");
        await page.GotoAsync("/privacy");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
    }

    [Fact]
    public async Task SessionsList_SignsOutOneBrowser_OrEveryBrowser()
    {
        var org = await App.NewOrganizationAsync();
        var mine = await browser.NewPageAsync();
        await mine.SignInAsync(org.OwnerEmail);
        var other = await browser.NewPageAsync();
        await other.SignInAsync(org.OwnerEmail);

        await mine.GotoInteractiveAsync("/account/sessions");
        await Expect(mine.GetByTestId("session-row")).ToHaveCountAsync(2);
        await Expect(mine.GetByTestId("session-current")).ToHaveCountAsync(1);
        await mine.ScreenshotAsync($"sessions-{App.Provider}");

        // The other browser, signed out from here, has to sign in again.
        await mine.GetByTestId("session-end").ClickAsync();
        await Expect(mine.GetByTestId("session-row")).ToHaveCountAsync(1);
        await other.GotoAsync("/cases");
        await Expect(other).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));

        // Everywhere: this browser too.
        await other.SignInAsync(org.OwnerEmail);
        await mine.ReloadAsync();
        await mine.WaitForInteractiveAsync();
        await Expect(mine.GetByTestId("session-row")).ToHaveCountAsync(2);
        await mine.Locator("#sessions-end-all").ClickAsync();
        await Expect(mine).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await other.GotoAsync("/cases");
        await Expect(other).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        var ended = await App.WithDbAsync(db => db.UserSessions.CountAsync(s => s.UserId == org.OwnerId && s.EndedAt == null), org.Id);
        Assert.Equal(0, ended);
        var log = await App.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Action == Otklik.Web.Features.Security.AuditActions.SignOutEverywhere && e.TargetId == org.OwnerId), org.Id);
        Assert.Equal(1, log);
    }

    [Fact]
    public async Task TwoFactor_TurnedOnWithTheAuthenticatorsCode_IsAskedAtTheNextSignIn()
    {
        var org = await App.NewOrganizationAsync();
        var page = await browser.NewPageAsync();
        await page.SignInAsync(org.OwnerEmail);
        await page.GotoInteractiveAsync("/account/two-factor");
        var key = (await page.Locator("#authenticator-key").TextContentAsync())!.Trim();
        await page.Locator("#two-factor-code").FillAsync("000000" == Totp(key, 0) ? "111111" : "000000");
        await page.Locator("#two-factor-enable").ClickAsync();
        await Expect(page.Locator("#two-factor-wrong")).ToBeVisibleAsync();
        await page.Locator("#two-factor-code").FillAsync(Totp(key, 0));
        await page.Locator("#two-factor-enable").ClickAsync();
        await Expect(page.Locator("#two-factor-on")).ToBeVisibleAsync();
        await Expect(page.Locator("#recovery-codes")).Not.ToBeEmptyAsync();
        await page.ScreenshotAsync($"two-factor-on-{App.Provider}");

        // The password alone no longer signs in; the code does.
        var fresh = await browser.NewPageAsync();
        await fresh.GotoAsync("/login");
        await fresh.Locator("#email").FillAsync(org.OwnerEmail);
        await fresh.Locator("#password").FillAsync(TestOrg.Password);
        await fresh.Locator("#sign-in").ClickAsync();
        await Expect(fresh).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login/two-factor"));
        await fresh.GotoAsync("/cases");
        await Expect(fresh).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await fresh.Locator("#email").FillAsync(org.OwnerEmail);
        await fresh.Locator("#password").FillAsync(TestOrg.Password);
        await fresh.Locator("#sign-in").ClickAsync();
        await fresh.Locator("#code").FillAsync("12345a");
        await fresh.Locator("#verify").ClickAsync();
        await Expect(fresh.Locator("#login-error")).ToHaveTextAsync("Wrong code.");
        await fresh.Locator("#code").FillAsync(Totp(key, 1));
        await fresh.Locator("#verify").ClickAsync();
        await Expect(fresh).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await fresh.GotoInteractiveAsync("/account/sessions");
        await Expect(fresh.GetByTestId("session-current")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task RequiredTwoFactor_AnOwnerWithoutIt_SetsItUpBeforeAnyOtherPage_AndTheNextSignInAsksForTheCode()
    {
        var org = await App.NewOrganizationAsync(requireTwoFactor: true);
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/login?returnUrl=" + Uri.EscapeDataString("/cases"));
        await page.Locator("#email").FillAsync(org.OwnerEmail);
        await page.Locator("#password").FillAsync(TestOrg.Password);
        await page.Locator("#sign-in").ClickAsync();

        // The password is accepted, but the only page open is the set-up: by address, by the menu, and the API refuses.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/two-factor\\?returnUrl=%2Fcases$"));
        await page.WaitForInteractiveAsync();
        await Expect(page.Locator("#two-factor-required")).ToBeVisibleAsync();
        await page.ScreenshotAsync($"two-factor-required-{App.Provider}");
        await page.GotoAsync("/privacy");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/two-factor"));
        await page.WaitForInteractiveAsync();
        await page.Locator("#nav-live").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/two-factor\\?returnUrl=%2Flive$"));
        var api = await page.APIRequest.GetAsync("/api/v1/feedback");
        Assert.Equal(403, api.Status);

        await page.WaitForInteractiveAsync();
        await Expect(page.Locator("#authenticator-key")).Not.ToBeEmptyAsync();
        var key = (await page.Locator("#authenticator-key").TextContentAsync())!.Trim();
        var totp = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(key));
        await page.Locator("#two-factor-code").FillAsync(totp.ComputeTotp(DateTime.UtcNow));
        await page.Locator("#two-factor-enable").ClickAsync();
        await Expect(page.Locator("#two-factor-on")).ToBeVisibleAsync();
        await Expect(page.Locator("#two-factor-disable")).ToHaveCountAsync(0);
        await page.Locator("#two-factor-continue").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/live$"));
        await page.GotoAsync("/cases");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/cases$"));
        Assert.Equal(200, (await page.APIRequest.GetAsync("/api/v1/feedback")).Status);

        // The next sign-in asks for the code.
        var fresh = await browser.NewPageAsync();
        await fresh.GotoAsync("/login");
        await fresh.Locator("#email").FillAsync(org.OwnerEmail);
        await fresh.Locator("#password").FillAsync(TestOrg.Password);
        await fresh.Locator("#sign-in").ClickAsync();
        await Expect(fresh).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login/two-factor"));
        await fresh.Locator("#code").FillAsync(totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30)));
        await fresh.Locator("#verify").ClickAsync();
        await Expect(fresh).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login|/account/two-factor"));
        await fresh.GotoAsync("/privacy");
        await Expect(fresh).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/privacy$"));
    }

    [Fact]
    public async Task FeedbackInbox_MasksTheContact_AndShowingItWritesOneAuditLine()
    {
        var org = await App.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Reveal" })).ReadAsync<Otklik.Web.Features.Locations.LocationDto>(HttpStatusCode.Created);
        var created = await (await http.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = location.Id, channel = "CallCentre", sentiment = "Negative", text = "Call me back",
            contactName = "Olga", contactPhone = "+7 912 345 67 12", contactEmail = "olga.p@example.com", contactConsent = true,
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);
        Task<List<Otklik.Web.Features.Security.AuditEntry>> RevealsAsync() => App.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.Action == Otklik.Web.Features.Security.AuditActions.ContactViewed && e.TargetId == created.Id && e.Detail == "feedback inbox").ToListAsync(), org.Id);

        var page = await browser.NewPageAsync();
        await page.SignInAsync(org.OwnerEmail, returnTo: "/feedback");
        var contact = page.GetByTestId("contact");
        await Expect(contact.GetByTestId("contact-phone")).ToHaveTextAsync("+7 9•• ••• •• 12");
        await Expect(contact.GetByTestId("contact-email")).ToHaveTextAsync("o•••@e•••.com");
        var masked = await page.ContentAsync();
        await page.ScreenshotAsync($"feedback-inbox-masked-{App.Provider}");
        var before = await RevealsAsync();

        await contact.GetByTestId("contact-show").ClickAsync();

        await Expect(contact.GetByTestId("contact-phone")).ToHaveTextAsync("+7 912 345 67 12");
        await Expect(contact.GetByTestId("contact-email")).ToHaveTextAsync("olga.p@example.com");
        await Expect(contact.GetByTestId("contact-show")).ToHaveCountAsync(0);
        await page.ScreenshotAsync($"feedback-inbox-revealed-{App.Provider}");
        Assert.DoesNotContain("345 67", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("olga.p@", masked, StringComparison.Ordinal);
        Assert.Empty(before);
        var line = Assert.Single(await RevealsAsync());
        Assert.Equal(("feedback", org.OwnerId), (line.TargetType, line.UserId));
        Assert.DoesNotContain("912", line.Detail ?? "", StringComparison.Ordinal);

        // The owner finds the line in the audit log.
        await page.GotoInteractiveAsync("/audit");
        await Expect(page.GetByTestId("audit-action-cell").Filter(new() { HasText = "contact.viewed" }).First).ToBeVisibleAsync();
    }

    /// <summary>RFC 6238 as authenticator apps compute it: HMAC-SHA1 over 30-second steps, 6 digits; <paramref name="offset"/> steps ahead.</summary>
    private static string Totp(string base32Key, int offset)
    {
        var bits = base32Key.TrimEnd('=').ToUpperInvariant().Select(c => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".IndexOf(c, StringComparison.Ordinal))
            .SelectMany(v => Enumerable.Range(0, 5).Select(i => (v >> (4 - i)) & 1)).ToList();
        var key = Enumerable.Range(0, bits.Count / 8).Select(b => (byte)Enumerable.Range(0, 8).Aggregate(0, (acc, i) => (acc << 1) | bits[b * 8 + i])).ToArray();
        var step = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30 + offset;
        var counter = BitConverter.GetBytes(step);
        if (BitConverter.IsLittleEndian) Array.Reverse(counter);
        var hash = System.Security.Cryptography.HMACSHA1.HashData(key, counter);
        var start = hash[^1] & 0x0F;
        var value = ((hash[start] & 0x7F) << 24) | (hash[start + 1] << 16) | (hash[start + 2] << 8) | hash[start + 3];
        return (value % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class PrivacyBrowserSqliteTests(SqliteBrowser browser) : PrivacyBrowserTests<SqliteApp>(browser), IClassFixture<SqliteBrowser>;
