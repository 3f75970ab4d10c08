using System.Net;

namespace Otklik.Web.Tests.Infrastructure;

public sealed class LowRateLimitApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Otklik:RateLimit:PerMinute", "5")];

}

public sealed class RateLimitTests(LowRateLimitApp app) : IClassFixture<LowRateLimitApp>
{
    [Fact]
    public async Task AKey_PastItsLimit_Gets429WithRetryAfter_WhileAnotherKeyStillWorks()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        using var http = org.Owner();
        using var otherHttp = other.Owner();

        var codes = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 7; i++)
        {
            last = await http.GetAsync("/api/v1/locations");
            codes.Add(last.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5).Concat([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests]), codes);
        await last.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.Equal(HttpStatusCode.OK, (await otherHttp.GetAsync("/api/v1/locations")).StatusCode);
    }
}
