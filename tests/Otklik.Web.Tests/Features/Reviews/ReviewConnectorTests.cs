using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reviews;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Reviews;

/// <summary>Otklik allowed to reach loopback endpoints (the fake), and its pull worker left to the test.</summary>
public sealed class ReviewConnectorApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Otklik:Reviews:AllowPrivateAddresses", "true"), new("Otklik:Reviews:PullCheckInterval", "01:00:00")];
}

/// <summary>A maps-review aggregator on loopback: a Kestrel minimal app answering whatever the test sets.</summary>
public sealed class FakeReviewEndpoint : IAsyncDisposable
{
    private WebApplication _app = default!;
    public string Body { get; set; } = "{}";
    public int Status { get; set; } = 200;
    public int Hits;
    public Uri BaseAddress { get; private set; } = default!;

    public static async Task<FakeReviewEndpoint> StartAsync()
    {
        var fake = new FakeReviewEndpoint();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/places/{id}/reviews", (string id) =>
        {
            Interlocked.Increment(ref fake.Hits);
            return Results.Content(fake.Body, "application/json", statusCode: fake.Status);
        });
        await app.StartAsync();
        fake._app = app;
        fake.BaseAddress = new Uri(app.Urls.First());
        return fake;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed class ReviewConnectorTests(ReviewConnectorApp app) : IClassFixture<ReviewConnectorApp>
{
    private const string Answer = """{"data":{"place":"x","reviews":{"total":20,"stars":{"1":1,"2":1,"3":2,"4":6,"5":10},"rating":4.2}}}""";

    [Fact]
    public async Task Worker_PullsTheJsonEndpoint_StoresASnapshot_OnlyWhenDue_AndKeepsErrors()
    {
        await using var fake = await FakeReviewEndpoint.StartAsync();
        fake.Body = Answer;
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Main" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var source = await (await http.PostJsonAsync("/api/v1/reviews/sources", new
        {
            locationId = location.Id, service = "TwoGis", url = new Uri(fake.BaseAddress, "/places/42/reviews").ToString(),
            totalPath = "data.reviews.total", histogramPath = "data.reviews.stars", averagePath = "data.reviews.rating",
        })).ReadAsync<ReviewSourceDto>(HttpStatusCode.Created);
        var worker = app.Services.GetRequiredService<ReviewPullWorker>();

        Assert.Equal(1, await worker.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await worker.RunOnceAsync(CancellationToken.None)); // pulled a moment ago: not due for six hours

        var snapshot = Assert.Single(await (await http.GetAsync($"/api/v1/reviews/snapshots?location={location.Id}")).ReadAsync<List<SnapshotDto>>());
        Assert.Equal((MapsService.TwoGis, 20, 16L, 4.2, SnapshotOrigin.Connector), (snapshot.Service, snapshot.TotalReviews, snapshot.Positive, snapshot.AverageRating, snapshot.Origin));
        Assert.Equal([1, 1, 2, 6, 10], snapshot.Histogram);
        Assert.Equal(1, fake.Hits);

        // Pulled by hand: a broken answer is a 502 with the reason, stored on the source; nothing is written.
        fake.Body = """{"data":{"reviews":{"total":"many"}}}""";
        var problem = await (await http.PostAsync($"/api/v1/reviews/sources/{source.Id}/pull", null)).AssertProblemAsync(HttpStatusCode.BadGateway);
        Assert.Contains("data.reviews.total", problem.GetProperty("detail").GetString());
        fake.Status = 500;
        fake.Body = "{}";
        await (await http.PostAsync($"/api/v1/reviews/sources/{source.Id}/pull", null)).AssertProblemAsync(HttpStatusCode.BadGateway);
        var listed = Assert.Single(await (await http.GetAsync("/api/v1/reviews/sources")).ReadAsync<List<ReviewSourceDto>>());
        Assert.Contains("500", listed.LastError);
        Assert.Equal(1, await app.WithDbAsync(db => db.ReviewSnapshots.CountAsync(), org.Id));

        fake.Status = 200;
        fake.Body = Answer.Replace("\"total\":20", "\"total\":25", StringComparison.Ordinal);
        var pulled = await (await http.PostAsync($"/api/v1/reviews/sources/{source.Id}/pull", null)).ReadAsync<SnapshotDto>();
        Assert.Equal(25, pulled.TotalReviews);
        Assert.Null((await (await http.GetAsync("/api/v1/reviews/sources")).ReadAsync<List<ReviewSourceDto>>())[0].LastError);
    }

    [Fact]
    public async Task Source_BadInput_Is400()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Main" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        object[] bodies =
        [
            new { locationId = location.Id, service = "TwoGis", url = "ftp://example.com/x", totalPath = "a", positivePath = "b" },
            new { locationId = location.Id, service = "TwoGis", url = "https://example.com/x", totalPath = "a..b", positivePath = "b" },
            new { locationId = location.Id, service = "TwoGis", url = "https://example.com/x", totalPath = "a" },
            new { locationId = location.Id, service = "TwoGis", url = "https://example.com/x", totalPath = "a[x]", positivePath = "b" },
            new { service = "TwoGis", url = "https://example.com/x", totalPath = "a", positivePath = "b" },
        ];
        foreach (var body in bodies)
            await (await http.PostJsonAsync("/api/v1/reviews/sources", body)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(0, await app.WithDbAsync(db => db.ReviewSources.CountAsync(), org.Id));
    }

    [Fact]
    public async Task DefaultHandler_RefusesLoopbackEndpoints()
    {
        await using var fake = await FakeReviewEndpoint.StartAsync();
        fake.Body = Answer;
        var services = new ServiceCollection();
        services.AddHttpClient(JsonEndpointReviewSource.ClientName).ConfigurePrimaryHttpMessageHandler(() => JsonEndpointReviewSource.Handler(new ReviewOptions()));
        await using var provider = services.BuildServiceProvider();
        var reader = new JsonEndpointReviewSource(provider.GetRequiredService<IHttpClientFactory>());

        var error = await Assert.ThrowsAsync<ReviewSourceException>(() => reader.ReadAsync(
            new ReviewSource { Url = new Uri(fake.BaseAddress, "/places/1/reviews").ToString(), TotalPath = "data.reviews.total", PositivePath = "data.reviews.total" },
            CancellationToken.None));

        Assert.Contains("not allowed", error.Message);
        Assert.Equal(0, fake.Hits);
    }
}
