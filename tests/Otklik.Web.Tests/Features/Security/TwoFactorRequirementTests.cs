using System.Net;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Users;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Security;

/// <summary>
/// "Require two-factor sign-in for owners and CX managers" over plain HTTP: who is held at the set-up page, what the API
/// answers meanwhile, and the setting itself. (The whole set-up in a browser: PrivacyBrowserTests.)
/// </summary>
public abstract class TwoFactorRequirementTests(OtklikApp app)
{
    private async Task<HttpClient> SignInAsync(string email)
    {
        var (http, response) = await SignIn.PostLoginAsync(app, email, TestOrg.Password);
        using (response) Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return http;
    }

    [Fact]
    public async Task WhenRequired_OwnersAndCxManagersWithoutAnAuthenticator_AreHeldAtTheSetUp_OthersAreNot()
    {
        var org = await app.NewOrganizationAsync(requireTwoFactor: true);
        using var key = org.Owner();
        async Task<string> UserAsync(string role)
        {
            var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@test.otklik";
            (await key.PostJsonAsync("/api/v1/users", new { email, displayName = role, role, password = TestOrg.Password })).EnsureSuccessStatusCode();
            return email;
        }
        var cx = await UserAsync("CxManager");
        var viewer = await UserAsync("Viewer");

        foreach (var email in new[] { org.OwnerEmail, cx })
        {
            using var held = await SignInAsync(email);
            using var page = await held.GetAsync("/cases");
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.Equal("/account/two-factor?returnUrl=%2Fcases", page.Headers.Location?.OriginalString);
            using var api = await held.GetAsync("/api/v1/organization");
            await api.AssertProblemAsync(HttpStatusCode.Forbidden);
            using var setup = await held.GetAsync("/account/two-factor");
            Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
            // "Continue" without an authenticator goes back to the set-up.
            using var skip = await held.GetAsync("/account/two-factor/continue?returnUrl=%2Fcases");
            Assert.Equal("/account/two-factor?returnUrl=%2Fcases", skip.Headers.Location?.OriginalString);
        }

        using var free = await SignInAsync(viewer);
        using var viewerPage = await free.GetAsync("/cases");
        Assert.Equal(HttpStatusCode.OK, viewerPage.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await free.GetAsync("/api/v1/organization")).StatusCode);
        // API keys are not people: the owner's key keeps working.
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync("/api/v1/organization")).StatusCode);
    }

    [Fact]
    public async Task TheSetting_IsOnForNewOrganizations_AndTheOwnerCanTurnItOff()
    {
        Assert.True(new Organization { Name = "New" }.RequireTwoFactorForAdmins);
        var org = await app.NewOrganizationAsync(requireTwoFactor: true);
        using var key = org.Owner();
        var before = await (await key.GetAsync("/api/v1/organization")).ReadAsync<OrganizationDto>();

        // Other settings change without touching it (the field is optional)…
        var renamed = await (await key.PutJsonAsync("/api/v1/organization", new { name = "Renamed", timeZone = "Europe/Moscow", language = "ru" })).ReadAsync<OrganizationDto>();
        // …and the owner turns it off.
        var off = await (await key.PutJsonAsync("/api/v1/organization", new { name = "Renamed", timeZone = "Europe/Moscow", language = "ru", requireTwoFactorForAdmins = false }))
            .ReadAsync<OrganizationDto>();

        Assert.True(before.RequireTwoFactorForAdmins);
        Assert.True(renamed.RequireTwoFactorForAdmins);
        Assert.False(off.RequireTwoFactorForAdmins);
        using var owner = await SignInAsync(org.OwnerEmail);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/cases")).StatusCode);
    }
}

public sealed class TwoFactorRequirementSqliteTests(SqliteApp app) : TwoFactorRequirementTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class TwoFactorRequirementPostgresTests(PostgresApp app) : TwoFactorRequirementTests(app), IClassFixture<PostgresApp>;
