using System.Net;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.ApiKeys;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Users;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Users;

public abstract class UsersAndKeysApiTests(OtklikApp app)
{
    [Fact]
    public async Task Users_CanBeCreatedWithAScope_UpdatedAndDeleted()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var created = await (await http.PostJsonAsync("/api/v1/users", new
        {
            email = $"cx-{Guid.NewGuid():N}@test.otklik", displayName = "CX", role = "LocationManager", password = TestOrg.Password,
            locationGroupIds = new[] { seed.Group.Id },
        })).ReadAsync<UserDto>(HttpStatusCode.Created);
        var updated = await (await http.PutJsonAsync($"/api/v1/users/{created.Id}", new { email = created.Email, role = "CxManager", language = "ru" })).ReadAsync<UserDto>();
        var list = await (await http.GetAsync("/api/v1/users")).ReadAsync<Page<UserDto>>();

        Assert.Equal([seed.Group.Id], created.LocationGroupIds);
        Assert.Equal((OtklikRole.CxManager, "ru"), (updated.Role, updated.Language));
        Assert.Empty(updated.LocationGroupIds);
        Assert.Equal(3, list.Total);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/v1/users/{created.Id}")).StatusCode);
        await (await http.GetAsync($"/api/v1/users/{created.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Users_WithAWeakPasswordOrTakenEmail_AreRefused_AndNothingIsWritten()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var weak = await http.PostJsonAsync("/api/v1/users", new { email = $"w-{Guid.NewGuid():N}@test.otklik", role = "Viewer", password = "123" });
        var taken = await http.PostJsonAsync("/api/v1/users", new { email = seed.Org.OwnerEmail, role = "Viewer", password = TestOrg.Password });
        var managerWithoutScope = await http.PostJsonAsync("/api/v1/users", new { email = $"m-{Guid.NewGuid():N}@test.otklik", role = "LocationManager", password = TestOrg.Password });

        Assert.Equal(["password"], (await weak.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(["email"], (await taken.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(["locationids"], (await managerWithoutScope.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(2, await app.WithDbAsync(db => db.Users.CountAsync(u => u.OrganizationId == seed.Org.Id)));
    }

    [Fact]
    public async Task TheLastOwner_CannotBeDemotedOrDeleted()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var demote = await http.PutJsonAsync($"/api/v1/users/{seed.Org.OwnerId}", new { email = seed.Org.OwnerEmail, role = "Viewer" });
        var delete = await http.DeleteAsync($"/api/v1/users/{seed.Org.OwnerId}");

        Assert.Equal(["role"], (await demote.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        await delete.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ApiKeys_AreShownOnce_Work_AndStopWorkingWhenRevoked()
    {
        var seed = await Seed.CreateAsync(app);
        using var http = seed.Org.Owner();

        var created = await (await http.PostJsonAsync("/api/v1/api-keys", new { name = "Integration", role = "CxManager" })).ReadAsync<ApiKeyWithSecret>(HttpStatusCode.Created);
        using var integration = app.WithKey(created.Key);
        Assert.Equal(HttpStatusCode.OK, (await integration.GetAsync("/api/v1/locations")).StatusCode);
        var listed = await (await http.GetAsync("/api/v1/api-keys")).Content.ReadAsStringAsync();
        var afterUse = await app.WithDbAsync(db => db.ApiKeys.SingleAsync(k => k.Id == created.ApiKey.Id), seed.Org.Id);

        Assert.DoesNotContain(created.Key, listed, StringComparison.Ordinal);
        Assert.StartsWith(created.ApiKey.Prefix, created.Key, StringComparison.Ordinal);
        Assert.NotNull(afterUse.LastUsedAt);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/v1/api-keys/{created.ApiKey.Id}")).StatusCode);
        await (await integration.GetAsync("/api/v1/locations")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ExpiredAndUnknownKeys_AreRefused()
    {
        var seed = await Seed.CreateAsync(app);
        await app.WithDbAsync(db => db.ApiKeys.Where(k => k.Id == seed.ApiKey.ApiKey.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1))));

        using var expired = app.WithKey(seed.ApiKey.Key);
        using var unknown = app.WithKey("otk_" + new string('a', 43));
        using var anonymous = app.Anonymous();

        await (await expired.GetAsync("/api/v1/locations")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await unknown.GetAsync("/api/v1/locations")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.GetAsync("/api/v1/locations")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Organization_SettingsAreReadByAll_AndChangedByTheOwnerOnly()
    {
        var seed = await Seed.CreateAsync(app);
        using var owner = seed.Org.Owner();
        using var viewer = app.WithKey(seed.ApiKey.Key);

        var updated = await (await owner.PutJsonAsync("/api/v1/organization", new { name = "Renamed", timeZone = "Asia/Novosibirsk", language = "en" })).ReadAsync<OrganizationDto>();
        var seen = await (await viewer.GetAsync("/api/v1/organization")).ReadAsync<OrganizationDto>();
        var refused = await viewer.PutJsonAsync("/api/v1/organization", new { name = "Nope", timeZone = "Europe/Moscow", language = "ru" });
        var invalid = await owner.PutJsonAsync("/api/v1/organization", new { name = "", timeZone = "Nowhere/Land", language = "de" });

        Assert.Equal(updated, seen);
        Assert.Equal(("Renamed", "Asia/Novosibirsk", "en"), (seen.Name, seen.TimeZone, seen.Language));
        await refused.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(["language", "name"], (await invalid.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields().Order(StringComparer.Ordinal));
    }
}

public sealed class UsersAndKeysApiSqliteTests(SqliteApp app) : UsersAndKeysApiTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class UsersAndKeysApiPostgresTests(PostgresApp app) : UsersAndKeysApiTests(app), IClassFixture<PostgresApp>;
