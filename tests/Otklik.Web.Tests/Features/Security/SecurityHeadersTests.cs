using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Security;

public abstract partial class SecurityHeadersTests(OtklikApp app)
{
    /// <summary>Every GET route the app maps (pages, API, public pages), with its parameters filled in from a seed.</summary>
    private List<string> GetRoutes(Seed seed) =>
        [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is not { } methods || methods.Contains("GET"))
            .Select(e => (e.RoutePattern.RawText ?? "").TrimEnd('/'))
            .Where(r => !r.Contains('*') && !r.Contains("_framework", StringComparison.Ordinal) && !r.Contains("_content", StringComparison.Ordinal)
                        && !r.Contains("_blazor", StringComparison.Ordinal) && !Path.HasExtension(r.Split('{')[0]))
            .Select(r => Parameter().Replace(r.StartsWith('/') ? r : "/" + r, m => m.Groups[1].Value switch
            {
                var n when n.Contains("slug", StringComparison.OrdinalIgnoreCase) => seed.Location.Slug,
                var n when n.Contains(":guid", StringComparison.Ordinal) || n.EndsWith("id", StringComparison.OrdinalIgnoreCase) => seed.Location.Id.ToString(),
                _ => "x",
            }))
            .Distinct()];

    [Fact]
    public async Task EveryGetRoute_CarriesTheSecurityHeaders_SignedInOrNot()
    {
        var seed = await Seed.CreateAsync(app);
        var routes = GetRoutes(seed);
        Assert.Contains("/login", routes);
        Assert.Contains("/api/v1/locations", routes);
        Assert.Contains(routes, r => r.StartsWith("/f/", StringComparison.Ordinal));
        using var owner = await SignIn.AsAsync(app, seed.Org.OwnerEmail, followRedirects: false);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };

        var missing = new List<string>();
        foreach (var route in routes)
        foreach (var (who, http) in new[] { ("owner", owner), ("anonymous", anonymous) })
        {
            using var response = await http.GetAsync(route);
            var h = response.Headers;
            var csp = h.TryGetValues("Content-Security-Policy", out var v) ? string.Join(";", v) : "";
            var problems = new List<string>();
            if (!h.TryGetValues("X-Content-Type-Options", out var nosniff) || !nosniff.Contains("nosniff")) problems.Add("nosniff");
            if (!csp.Contains("frame-ancestors", StringComparison.Ordinal)) problems.Add("CSP frame-ancestors");
            if (!csp.Contains("default-src", StringComparison.Ordinal)) problems.Add("CSP default-src");
            var scripts = Regex.Match(csp, "script-src([^;]*)").Groups[1].Value;
            if (!route.StartsWith("/api-docs", StringComparison.Ordinal) && scripts.Contains("unsafe-inline", StringComparison.Ordinal)) problems.Add("inline scripts allowed");
            if (!h.Contains("Referrer-Policy")) problems.Add("Referrer-Policy");
            if (problems.Count > 0) missing.Add($"{who} GET {route} ({(int)response.StatusCode}): {string.Join(", ", problems)}");
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public async Task LoginAndLogout_WithoutTheAntiforgeryToken_AreRefused_AndChangeNothing()
    {
        var org = await app.NewOrganizationAsync();
        using var forged = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = app.BaseAddress };
        using var login = await forged.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = org.OwnerEmail, ["password"] = TestOrg.Password, ["returnUrl"] = "/",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        Assert.False(login.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("otklik.auth=", StringComparison.Ordinal)));

        // The second step of a two-factor sign-in is a form too.
        using var second = await forged.PostAsync("/account/login/two-factor", new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "123456", ["returnUrl"] = "/" }));
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);

        using var owner = await SignIn.AsAsync(app, org.OwnerEmail);
        using var logout = await owner.PostAsync("/account/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, logout.StatusCode);
        using var still = await owner.GetAsync("/api/v1/organization");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex Parameter();
}

public sealed class SecurityHeadersSqliteTests(SqliteApp app) : SecurityHeadersTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class SecurityHeadersPostgresTests(PostgresApp app) : SecurityHeadersTests(app), IClassFixture<PostgresApp>;
