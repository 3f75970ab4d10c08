using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Users;
using Otklik.Web.Tests.Features.Alerts;
using Otklik.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Otklik.Web.Tests.Browser;

/// <summary>
/// The closed loop in a browser: a call-centre employee logs a complaint on a 375 px phone; the CX manager qualifies it,
/// binds a root cause, answers with the complaint template (the fake SMTP server receives it with the customer's name)
/// and closes it; the root cause then shows in the Pareto report.
/// </summary>
public sealed class CasesBrowserTests(CasesBrowser browser) : IClassFixture<CasesBrowser>
{
    [Fact]
    public async Task ACallCentreComplaint_IsQualifiedAnsweredWithATemplateAndClosed()
    {
        var app = browser.App;
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var cxEmail = $"cx-{Guid.NewGuid():N}@test.otklik";
        await (await owner.PostJsonAsync("/api/v1/users", new { email = cxEmail, displayName = "CX manager", role = "CxManager", password = TestOrg.Password }))
            .ReadAsync<UserDto>(HttpStatusCode.Created);
        var customer = $"olga-{Guid.NewGuid():N}@customer.test";

        // The call centre, on a phone.
        var phone = await browser.NewPageAsync(375, 740);
        await phone.SignInAsync(seed.User.Email, returnTo: "/feedback/new");
        await phone.GotoInteractiveAsync("/feedback/new");
        await phone.Locator("label").Filter(new() { HasText = "Slow" }).First.ClickAsync();
        await phone.Locator("#entry-text").FillAsync("Waited twenty minutes at the counter");
        await phone.Locator("#entry-name").FillAsync("Olga");
        await phone.Locator("#entry-email").FillAsync(customer);
        await phone.Locator("label").Filter(new() { HasText = "The customer agrees" }).ClickAsync();
        await phone.ScreenshotAsync($"cases-entry-375-{app.Provider}");
        var overflow = await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        await phone.Locator("#entry-save").ClickAsync();
        await Expect(phone.Locator("#entry-saved")).ToBeVisibleAsync();
        Assert.False(overflow, "The entry form is wider than a phone screen.");
        var caseId = await app.WithDbAsync(db => db.Cases.Where(c => c.Summary == "Waited twenty minutes at the counter").Select(c => c.Id).SingleAsync(), seed.Org.Id);

        // The CX manager, at a desk.
        var page = await browser.NewPageAsync();
        await page.SignInAsync(cxEmail, returnTo: "/cases");
        await page.GotoInteractiveAsync("/cases");
        await page.Locator("[data-testid=case-link]").Filter(new() { HasText = "Waited twenty minutes" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/cases/{caseId}$"));
        await page.WaitForInteractiveAsync();
        await Expect(page.Locator("#case-contact")).ToContainTextAsync(customer);
        // Seeing the customer's contact is in the audit log, once for this opening, with who saw it.
        Task<List<Otklik.Web.Features.Security.AuditEntry>> ViewedAsync() => app.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(a => a.Action == Otklik.Web.Features.Security.AuditActions.ContactViewed && a.TargetId == caseId).ToListAsync(), seed.Org.Id);
        for (var i = 0; i < 100 && (await ViewedAsync()).Count == 0; i++) await Task.Delay(100);
        var viewed = await ViewedAsync();
        Assert.Single(viewed);
        Assert.NotNull(viewed[0].UserId);
        await page.SelectAsync("case-qualify", "Needs reaction");
        await Expect(page.Locator("#case-status")).ToHaveTextAsync("Qualified");
        await page.SelectAsync("case-root-cause", "Slow");
        await Expect(page.Locator("[data-testid=timeline-entry][data-kind=RootCauseSet]")).ToHaveCountAsync(1);
        await page.Locator("#template-complaint").ClickAsync();
        await Expect(page.Locator("#answer-text")).ToHaveValueAsync(new Regex("Olga"));
        await page.ScreenshotAsync($"cases-detail-answer-{app.Provider}");
        await page.Locator("#answer-send").ClickAsync();
        await Expect(page.Locator("[data-testid=timeline-entry][data-kind=MessageSent]")).ToHaveCountAsync(1);

        var mail = await EventuallyAsync(() => app.Fakes.Mail.FirstOrDefault(m => m.To.Mailboxes.Any(x => x.Address == customer)));
        Assert.Contains("Olga", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Main", mail.Subject, StringComparison.Ordinal);

        await page.Locator("#case-to-inprogress").ClickAsync();
        await Expect(page.Locator("#case-status")).ToHaveTextAsync("In progress");
        await page.Locator("#case-resolution").FillAsync("A second cashier opens at peak hours");
        await page.Locator("#case-to-resolved").ClickAsync();
        await Expect(page.Locator("#case-status")).ToHaveTextAsync("Resolved");
        await page.Locator("#case-to-closed").ClickAsync();
        await Expect(page.Locator("#case-status")).ToHaveTextAsync("Closed");
        await Expect(page.Locator("#case-follow-up-link")).ToContainTextAsync("/c/");
        await page.ScreenshotAsync($"cases-detail-closed-{app.Provider}");

        // The root cause counts in the Pareto report of the organization (its only case).
        await page.GotoInteractiveAsync("/reports/causes");
        var row = page.Locator("#pareto-table tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("Slow");
        await Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("1");
        await Expect(page.Locator("#pareto svg rect")).ToHaveCountAsync(1);
        await Expect(page.Locator("#trends svg").First).ToBeVisibleAsync();
        await page.ScreenshotAsync($"cases-pareto-{app.Provider}");

        var closed = await app.WithDbAsync(db => db.Cases.AsNoTracking().SingleAsync(c => c.Id == caseId), seed.Org.Id);
        Assert.Equal((Otklik.Core.Cases.CaseStatus.Closed, Otklik.Core.Cases.CaseQualification.NeedsReaction, seed.Reason.Id),
            (closed.Status, closed.Qualification!.Value, closed.RootCauseId!.Value));
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe) where T : class
    {
        for (var i = 0; i < 300; i++)
        {
            if (probe() is { } found) return found;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("Timed out waiting for the e-mail");
    }
}

public sealed class CasesBrowser : BrowserFixture<AlertsSqliteApp>;
