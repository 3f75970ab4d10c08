using System.Net;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Locations;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Locations;

public abstract class LocationsApiTests(OtklikApp app)
{
    private static object NewLocation(string name = "Кофейня на Тверской") => new
    {
        name,
        address = "Москва, Тверская, 1",
        timeZone = "Europe/Moscow",
        openingHours = new[] { new { day = "Monday", open = "09:00", close = "21:00" } },
        yandexMapsUrl = "https://yandex.ru/maps/org/123",
    };

    [Fact]
    public async Task Create_ThenGet_ReturnsTheLocationWithAGeneratedSlug()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();

        var created = await (await http.PostJsonAsync("/api/v1/locations", NewLocation())).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var fetched = await (await http.GetAsync($"/api/v1/locations/{created.Id}")).ReadAsync<LocationDto>();

        Assert.Equal("Кофейня на Тверской", fetched.Name);
        Assert.StartsWith("kofeynya-na-tverskoy-", fetched.Slug, StringComparison.Ordinal);
        Assert.Equal([new OpeningHours(DayOfWeek.Monday, "09:00", "21:00")], fetched.OpeningHours);
        Assert.Equal("Europe/Moscow", fetched.TimeZone);
    }

    [Fact]
    public async Task List_IsPagedAndSortedByName()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        foreach (var name in new[] { "C", "A", "B" })
            (await http.PostJsonAsync("/api/v1/locations", NewLocation(name))).EnsureSuccessStatusCode();

        var first = await (await http.GetAsync("/api/v1/locations?page=1&pageSize=2")).ReadAsync<Page<LocationDto>>();
        var second = await (await http.GetAsync("/api/v1/locations?page=2&pageSize=2")).ReadAsync<Page<LocationDto>>();

        Assert.Equal(3, first.Total);
        Assert.Equal(["A", "B"], first.Items.Select(l => l.Name));
        Assert.Equal(["C"], second.Items.Select(l => l.Name));
    }

    [Fact]
    public async Task Update_ChangesFields_AndDelete_RemovesIt()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var created = await (await http.PostJsonAsync("/api/v1/locations", NewLocation())).ReadAsync<LocationDto>(HttpStatusCode.Created);

        var updated = await (await http.PutJsonAsync($"/api/v1/locations/{created.Id}", new { name = "Новое имя", slug = "new-name-1", timeZone = "Asia/Yekaterinburg" }))
            .ReadAsync<LocationDto>();
        Assert.Equal(("Новое имя", "new-name-1", "Asia/Yekaterinburg"), (updated.Name, updated.Slug, updated.TimeZone));

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/v1/locations/{created.Id}")).StatusCode);
        await (await http.GetAsync($"/api/v1/locations/{created.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Create_WithEveryFieldBad_ListsEveryBadField_AndWritesNothing()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();

        var response = await http.PostJsonAsync("/api/v1/locations", new
        {
            name = new string('x', 201),
            slug = "Bad Slug!",
            timeZone = "Mars/Olympus",
            groupId = Guid.NewGuid(),
            openingHours = new[] { new { day = "Monday", open = "25:00", close = "09:00" } },
            yandexMapsUrl = "not a url",
        });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var fields = problem.ErrorFields();
        Assert.Contains("name", fields);
        Assert.Contains("yandexmapsurl", fields);
        Assert.Equal(0, await app.WithDbAsync(db => db.Locations.CountAsync(), org.Id));
    }

    [Fact]
    public async Task Create_WithSemanticErrors_ListsEachOne_AndWritesNothing()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();

        var response = await http.PostJsonAsync("/api/v1/locations", new
        {
            name = "Ok",
            slug = "Bad Slug!",
            timeZone = "Mars/Olympus",
            groupId = Guid.NewGuid(),
            openingHours = new[] { new { day = "Monday", open = "25:00", close = "09:00" } },
        });

        var fields = (await response.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields();
        Assert.Equal(["groupid", "openinghours[0]", "slug", "timezone"], fields.Order(StringComparer.Ordinal));
        Assert.Equal(0, await app.WithDbAsync(db => db.Locations.CountAsync(), org.Id));
    }

    [Fact]
    public async Task Create_WithATakenSlug_IsRefused()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        using var http = org.Owner();
        using var otherHttp = other.Owner();
        var slug = "taken-" + Guid.NewGuid().ToString("N")[..6];
        (await otherHttp.PostJsonAsync("/api/v1/locations", new { name = "Theirs", slug })).EnsureSuccessStatusCode();

        var problem = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Mine", slug })).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["slug"], problem.ErrorFields());
    }

    [Fact]
    public async Task Groups_FormATree_AndACycleIsRefused()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var region = await (await http.PostJsonAsync("/api/v1/location-groups", new { name = "Центр" })).ReadAsync<LocationGroupDto>(HttpStatusCode.Created);
        var city = await (await http.PostJsonAsync("/api/v1/location-groups", new { name = "Москва", parentId = region.Id })).ReadAsync<LocationGroupDto>(HttpStatusCode.Created);

        var cycle = await http.PutJsonAsync($"/api/v1/location-groups/{region.Id}", new { name = "Центр", parentId = city.Id });

        Assert.Equal(["parentid"], (await cycle.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        await (await http.DeleteAsync($"/api/v1/location-groups/{region.Id}")).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Delete_ALocationWithDevices_IsAConflict_AndKeepsIt()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", NewLocation())).ReadAsync<LocationDto>(HttpStatusCode.Created);
        (await http.PostJsonAsync("/api/v1/devices", new { name = "Button", kind = "ButtonSmart", locationId = location.Id })).EnsureSuccessStatusCode();

        await (await http.DeleteAsync($"/api/v1/locations/{location.Id}")).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(1, await app.WithDbAsync(db => db.Locations.CountAsync(), org.Id));
    }
}

public sealed class LocationsApiSqliteTests(SqliteApp app) : LocationsApiTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class LocationsApiPostgresTests(PostgresApp app) : LocationsApiTests(app), IClassFixture<PostgresApp>;
