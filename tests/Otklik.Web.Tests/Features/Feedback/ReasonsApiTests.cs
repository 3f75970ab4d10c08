using System.Net;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Feedback;

public abstract class ReasonsApiTests(OtklikApp app)
{
    private static async Task<ReasonDto> AddAsync(HttpClient http, string name, Guid? parentId = null, string kind = "Negative") =>
        await (await http.PostJsonAsync("/api/v1/reasons", new { kind, parentId, nameRu = name + " (ru)", nameEn = name, dimension = "Responsiveness", responsibleRole = "Cashier" }))
            .ReadAsync<ReasonDto>(HttpStatusCode.Created);

    private static async Task<List<ReasonDto>> ListAsync(HttpClient http, string query = "") =>
        await (await http.GetAsync("/api/v1/reasons" + query)).ReadAsync<List<ReasonDto>>();

    [Fact]
    public async Task Tree_GoesThreeLevelsDeep_AndListsParentsBeforeChildren()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();

        var queue = await AddAsync(http, "Queue");
        var till = await AddAsync(http, "Slow till", queue.Id);
        var oneOpen = await AddAsync(http, "One till open", till.Id);
        var fourth = await http.PostJsonAsync("/api/v1/reasons", new { kind = "Negative", parentId = oneOpen.Id, nameEn = "Too deep" });
        var wrongKind = await http.PostJsonAsync("/api/v1/reasons", new { kind = "Positive", parentId = queue.Id, nameEn = "Praise under a complaint" });
        var noName = await http.PostJsonAsync("/api/v1/reasons", new { kind = "Negative", nameRu = " ", nameEn = "" });

        Assert.Contains("parentid", (await fourth.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Contains("parentid", (await wrongKind.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Contains("nameru", (await noName.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        var list = await ListAsync(http);
        Assert.Equal([queue.Id, till.Id, oneOpen.Id], list.Select(r => r.Id));
        Assert.Equal(Servqual.Responsiveness, list[0].Dimension);
        Assert.Equal("Cashier", list[0].ResponsibleRole);
        Assert.Equal("Queue (ru)", list[0].NameRu);
    }

    [Fact]
    public async Task OneLanguage_FillsTheOther_AndRenameKeepsTheId()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var created = await (await http.PostJsonAsync("/api/v1/reasons", new { kind = "Positive", nameRu = "Быстро" })).ReadAsync<ReasonDto>(HttpStatusCode.Created);

        var renamed = await (await http.PutJsonAsync($"/api/v1/reasons/{created.Id}", new { nameRu = "Очень быстро", nameEn = "Very quick", dimension = "Empathy" })).ReadAsync<ReasonDto>();

        Assert.Equal("Быстро", created.NameEn);
        Assert.Equal(created.Id, renamed.Id);
        Assert.Equal(("Очень быстро", "Very quick", Servqual.Empathy), (renamed.NameRu, renamed.NameEn, renamed.Dimension!.Value));
    }

    [Fact]
    public async Task MoveAndReorder_ChangeTheOrderOfSiblingsOnly()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var a = await AddAsync(http, "A");
        var b = await AddAsync(http, "B");
        var c = await AddAsync(http, "C");
        var child = await AddAsync(http, "A1", a.Id);

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/v1/reasons/{c.Id}/move?direction=up", null)).StatusCode);
        var afterMove = (await ListAsync(http)).Where(r => r.ParentId is null).Select(r => r.Id);
        Assert.Equal([a.Id, c.Id, b.Id], afterMove);

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/v1/reasons/{a.Id}/move?direction=up", null)).StatusCode);
        await (await http.PostAsync($"/api/v1/reasons/{a.Id}/move?direction=sideways", null)).AssertProblemAsync(HttpStatusCode.BadRequest);

        var reordered = await http.PostJsonAsync("/api/v1/reasons/reorder", new { ids = new[] { b.Id, a.Id, c.Id } });
        Assert.Equal(HttpStatusCode.OK, reordered.StatusCode);
        Assert.Equal([b.Id, a.Id, child.Id, c.Id], (await ListAsync(http)).Select(r => r.Id));

        var mixed = await http.PostJsonAsync("/api/v1/reasons/reorder", new { ids = new[] { child.Id, a.Id } });
        await mixed.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Archive_HidesTheSubtree_ButOldFeedbackStillReadsItsReasons()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Shop" })).ReadAsync<Otklik.Web.Features.Locations.LocationDto>(HttpStatusCode.Created);
        var parent = await AddAsync(http, "Staff");
        var child = await AddAsync(http, "Rude", parent.Id);
        var old = await (await http.PostJsonAsync("/api/v1/feedback", new { locationId = location.Id, channel = "Kiosk", sentiment = "Negative", reasonIds = new[] { child.Id } }))
            .ReadAsync<FeedbackCreated>(HttpStatusCode.Created);

        var archived = await (await http.PostAsync($"/api/v1/reasons/{parent.Id}/archive", null)).ReadAsync<ReasonDto>();

        Assert.True(archived.Archived);
        Assert.Empty(await ListAsync(http));
        Assert.Equal(2, (await ListAsync(http, "?includeArchived=true")).Count(r => r.Archived));
        var feedback = await (await http.GetAsync($"/api/v1/feedback/{old.Id}")).ReadAsync<FeedbackDto>();
        var reason = Assert.Single(feedback.Reasons);
        Assert.Equal(("Rude", true), (reason.NameEn, reason.Archived));
        // New feedback cannot pick an archived reason…
        var refused = await http.PostJsonAsync("/api/v1/feedback", new { locationId = location.Id, channel = "Kiosk", sentiment = "Negative", reasonIds = new[] { child.Id } });
        Assert.Contains("reasonids", (await refused.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        // …until it is restored, with its parent.
        await (await http.PostAsync($"/api/v1/reasons/{child.Id}/restore", null)).ReadAsync<ReasonDto>();
        Assert.Equal([parent.Id, child.Id], (await ListAsync(http)).Select(r => r.Id));
    }

    [Theory]
    [InlineData("retail")]
    [InlineData("food")]
    [InlineData("clinic")]
    public async Task StarterTree_IsAppliedOnce_WithBothKindsAndBothLanguages(string template)
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();

        var applied = await (await http.PostAsync($"/api/v1/reasons/starter?template={template}", null)).ReadAsync<StarterApplied>();
        var again = await http.PostAsync($"/api/v1/reasons/starter?template={template}", null);

        await again.AssertProblemAsync(HttpStatusCode.Conflict);
        var list = await ListAsync(http);
        Assert.Equal(applied.Created, list.Count);
        Assert.Contains(list, r => r.Kind == ReasonKind.Positive);
        Assert.Contains(list, r => r.Kind == ReasonKind.Negative && r.ParentId is not null);
        Assert.All(list, r => Assert.False(string.IsNullOrWhiteSpace(r.NameRu) || string.IsNullOrWhiteSpace(r.NameEn)));
        Assert.All(list.Where(r => r.ParentId is null && r.Kind == ReasonKind.Negative).Take(3), r => Assert.NotNull(r.Dimension));
    }

    [Fact]
    public async Task StarterTree_UnknownTemplate_Is400()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();

        var response = await http.PostAsync("/api/v1/reasons/starter?template=spaceport", null);

        Assert.Contains("template", (await response.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(0, await app.WithDbAsync(db => db.Reasons.CountAsync(), org.Id));
    }

    [Fact]
    public async Task AViewer_ReadsButCannotChangeTheTree()
    {
        var org = await app.NewOrganizationAsync();
        using var owner = org.Owner();
        var reason = await AddAsync(owner, "Queue");
        using var viewer = app.WithKey(await app.NewApiKeyAsync(org.Id, Otklik.Web.Tenancy.OtklikRole.Viewer));

        Assert.Single(await ListAsync(viewer));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/v1/reasons/{reason.Id}/archive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostJsonAsync("/api/v1/reasons", new { kind = "Negative", nameEn = "x" })).StatusCode);
    }
}

public sealed class ReasonsApiSqliteTests(SqliteApp app) : ReasonsApiTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class ReasonsApiPostgresTests(PostgresApp app) : ReasonsApiTests(app), IClassFixture<PostgresApp>;
