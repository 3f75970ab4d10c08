using System.Net;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Infrastructure;

/// <summary>Malformed bodies, wrong types, missing fields, over-long strings, unknown ids: 4xx ProblemDetails, never 500, nothing written.</summary>
public abstract class BadInputTests(OtklikApp app)
{
    public static TheoryData<string, string> BadBodies => new()
    {
        { "/api/v1/locations", "{\"name\": " },
        { "/api/v1/locations", "not json at all" },
        { "/api/v1/locations", "{\"name\": 42}" },
        { "/api/v1/locations", "[1,2,3]" },
        { "/api/v1/locations", "{\"name\": \"x\", \"openingHours\": \"always\"}" },
        { "/api/v1/locations", "{\"name\": \"x\", \"groupId\": \"not-a-guid\"}" },
        { "/api/v1/locations", "{}" },
        { "/api/v1/locations", "" },
        { "/api/v1/staff", "{\"name\": \"x\", \"locationId\": 5}" },
        { "/api/v1/staff", "{\"name\": null}" },
        { "/api/v1/shifts", "{\"startsAt\": \"yesterday\"}" },
        { "/api/v1/devices", "{\"name\": \"x\", \"kind\": 3}" },
        { "/api/v1/devices", "{\"name\": [\"x\"], \"kind\": \"ButtonSmart\"}" },
        { "/api/v1/users", "{\"email\": \"not-an-email\", \"role\": \"Owner\", \"password\": \"Long-enough-1\"}" },
        { "/api/v1/users", "{\"email\": \"a@b.c\", \"role\": \"Emperor\"}" },
        { "/api/v1/api-keys", "{\"name\": \"k\", \"role\": \"Owner\", \"expiresAt\": \"2000-01-01T00:00:00Z\"}" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadBodies_Get400ProblemDetails_AndWriteNothing(string url, string body)
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var before = await CountAsync(org.Id);

        var response = await http.PostRawAsync(url, body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.Equal(before, await CountAsync(org.Id));
    }

    [Fact]
    public async Task OverLongStrings_AreNamedInTheProblem()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();

        var response = await http.PostJsonAsync("/api/v1/locations", new { name = new string('я', 10_000), address = new string('a', 501) });

        var fields = (await response.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields();
        Assert.Contains("name", fields);
        Assert.Contains("address", fields);
    }

    [Theory]
    [InlineData("GET", "/api/v1/locations/{0}")]
    [InlineData("PUT", "/api/v1/locations/{0}")]
    [InlineData("DELETE", "/api/v1/staff/{0}")]
    [InlineData("GET", "/api/v1/shifts/{0}")]
    [InlineData("POST", "/api/v1/devices/{0}/token")]
    [InlineData("DELETE", "/api/v1/api-keys/{0}")]
    [InlineData("GET", "/api/v1/users/{0}")]
    public async Task UnknownIds_Get404ProblemDetails(string method, string template)
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Guid.NewGuid()));
        if (method == "PUT") request.Content = new StringContent("{\"name\":\"x\"}", System.Text.Encoding.UTF8, "application/json");

        await (await http.SendAsync(request)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Health_Answers200_WhenTheDatabaseAnswers()
    {
        using var http = app.Anonymous();
        var response = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApi_DescribesTheApi()
    {
        using var http = app.Anonymous();
        var doc = await http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"/api/v1/locations\"", doc, StringComparison.Ordinal);
        Assert.Contains("\"/api/v1/devices/{id}/token\"", doc, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api-docs")).StatusCode);
    }

    private Task<int> CountAsync(Guid org) => app.WithDbAsync(async db =>
        await db.Locations.CountAsync() + await db.StaffMembers.CountAsync() + await db.Shifts.CountAsync() + await db.Devices.CountAsync()
        + await db.ApiKeys.CountAsync() + await db.Users.CountAsync(u => u.OrganizationId == org), org);
}

public sealed class BadInputSqliteTests(SqliteApp app) : BadInputTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class BadInputPostgresTests(PostgresApp app) : BadInputTests(app), IClassFixture<PostgresApp>;
