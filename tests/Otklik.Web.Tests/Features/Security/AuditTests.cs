using System.Net;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.ApiKeys;
using Otklik.Web.Features.Security;
using Otklik.Web.Features.Users;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Security;

public abstract class AuditTests(OtklikApp app)
{
    private static async Task<List<AuditEntryDto>> LogAsync(HttpClient owner, string query = "") =>
        (await (await owner.GetAsync("/api/v1/audit?pageSize=500" + query)).ReadAsync<Page<AuditEntryDto>>()).Items.ToList();

    [Fact]
    public async Task ReadingCustomersContactsThroughTheApi_WritesOneLinePerRequest_WithCountsOnly()
    {
        var org = await app.NewOrganizationAsync();
        using var owner = org.Owner();
        var location = await (await owner.PostJsonAsync("/api/v1/locations", new { name = "Audited" })).ReadAsync<Otklik.Web.Features.Locations.LocationDto>(HttpStatusCode.Created);
        async Task<Guid> PostAsync(object body) => (await (await owner.PostJsonAsync("/api/v1/feedback", body)).ReadAsync<Otklik.Web.Features.Feedback.FeedbackCreated>(HttpStatusCode.Created)).Id;
        var withContact = await PostAsync(new { locationId = location.Id, channel = "CallCentre", sentiment = "Negative", contactEmail = "anna.k@example.com", contactConsent = true });
        var anonymous = await PostAsync(new { locationId = location.Id, channel = "CallCentre", sentiment = "Positive", text = "Nice" });

        (await owner.GetAsync("/api/v1/feedback")).EnsureSuccessStatusCode();
        (await owner.GetAsync($"/api/v1/feedback/{withContact}")).EnsureSuccessStatusCode();
        (await owner.GetAsync($"/api/v1/feedback/{anonymous}")).EnsureSuccessStatusCode();
        (await owner.GetAsync("/api/v1/feedback?sentiment=Positive")).EnsureSuccessStatusCode();

        var lines = (await LogAsync(owner, $"&action={AuditActions.ContactViewed}")).OrderBy(e => e.At).ThenBy(e => e.Id).ToList();
        Assert.Equal([("api list: 1 contacts", (Guid?)withContact), ("api", withContact)], lines.Select(l => (l.Detail, l.TargetId)));
        Assert.All(lines, l => Assert.DoesNotContain("anna", l.Detail ?? "", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SignIns_Failures_AndTheLockout_AreLogged_AndALockedAccountStaysShut()
    {
        var org = await app.NewOrganizationAsync();

        await SignIn.AsAsync(app, org.OwnerEmail);
        for (var i = 0; i < 5; i++)
        {
            var (_, wrong) = await SignIn.PostLoginAsync(app, org.OwnerEmail, "not-the-password");
            Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
            Assert.Contains(i < 4 ? "error=invalid" : "error=locked", wrong.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        var (_, right) = await SignIn.PostLoginAsync(app, org.OwnerEmail, TestOrg.Password);
        Assert.Contains("error=locked", right.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var log = await LogAsync(org.Owner());
        var signIns = log.Where(e => e.Action.StartsWith("sign-in", StringComparison.Ordinal)).OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => e.Action).ToList();
        Assert.Equal([AuditActions.SignIn, .. Enumerable.Repeat(AuditActions.SignInFailed, 4), AuditActions.LockedOut, AuditActions.LockedOut], signIns);
        Assert.All(log.Where(e => e.Action.StartsWith("sign-in", StringComparison.Ordinal)), e =>
        {
            Assert.Equal(org.OwnerId, e.TargetId);
            Assert.Equal(org.OwnerEmail, e.Actor);
            Assert.False(string.IsNullOrEmpty(e.Address));
        });
    }

    [Fact]
    public async Task RoleChanges_ApiKeys_AndKeyUse_AreLogged_WithTheActorNamed()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        var update = await owner.PutJsonAsync($"/api/v1/users/{seed.User.Id}", new { email = seed.User.Email, role = "CxManager" });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var key = await (await owner.PostJsonAsync("/api/v1/api-keys", new { name = "Script", role = "Viewer" })).ReadAsync<ApiKeyWithSecret>(HttpStatusCode.Created);
        using (var script = app.WithKey(key.Key))
        {
            Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/v1/locations")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/v1/staff")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/api-keys/{key.ApiKey.Id}")).StatusCode);

        var log = await LogAsync(owner);
        var role = Assert.Single(log, e => e.Action == AuditActions.UserChanged);
        Assert.Equal((seed.User.Id, seed.User.Email, "role: LocationManager → CxManager"), (role.TargetId!.Value, role.Target, role.Detail));
        Assert.StartsWith("Owner key", role.Actor, StringComparison.Ordinal);
        Assert.Single(log, e => e.Action == AuditActions.ApiKeyCreated && e.TargetId == key.ApiKey.Id);
        Assert.Single(log, e => e.Action == AuditActions.ApiKeyRevoked && e.TargetId == key.ApiKey.Id);
        var used = Assert.Single(log, e => e.Action == AuditActions.ApiKeyUsed && e.ApiKeyId == key.ApiKey.Id); // two requests, one line an hour
        Assert.Equal("GET /api/v1/locations", used.Detail);

        var filtered = await LogAsync(owner, $"&action={AuditActions.ApiKeyRevoked}");
        Assert.All(filtered, e => Assert.Equal(AuditActions.ApiKeyRevoked, e.Action));
        Assert.NotEmpty(filtered);
    }

    [Fact]
    public async Task TheLog_IsForOwnersOnly_PerOrganization_AndAppendOnly()
    {
        var seed = await Seed.CreateAsync(app);
        var other = await app.NewOrganizationAsync();
        Assert.NotEmpty(await LogAsync(seed.Org.Owner()));
        var manager = await app.NewApiKeyAsync(seed.Org.Id, OtklikRole.CxManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.WithKey(manager).GetAsync("/api/v1/audit")).StatusCode);
        var foreign = await LogAsync(other.Owner());
        Assert.DoesNotContain(foreign, e => e.TargetId == seed.User.Id || e.TargetId == seed.ApiKey.ApiKey.Id);
        await (await app.WithKey(other.OwnerKey).GetAsync("/api/v1/audit?action=no-such-action")).AssertProblemAsync(HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.WithDbAsync(async db =>
        {
            var line = await db.AuditEntries.FirstAsync();
            line.Detail = "rewritten";
            await db.SaveChangesAsync();
        }, seed.Org.Id));
        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => app.WithDbAsync(async db =>
        {
            db.AuditEntries.Remove(await db.AuditEntries.FirstAsync());
            await db.SaveChangesAsync();
        }, seed.Org.Id));
    }
}

public sealed class AuditSqliteTests(SqliteApp app) : AuditTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class AuditPostgresTests(PostgresApp app) : AuditTests(app), IClassFixture<PostgresApp>;
