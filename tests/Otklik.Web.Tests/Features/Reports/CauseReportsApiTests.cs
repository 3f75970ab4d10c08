using System.Net;
using ClosedXML.Excel;
using Otklik.Core.Cases;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Features.Reports;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Reports;

/// <summary>GET /api/v1/reports/causes and /sla over cases with root causes, and over the reasons customers chose.</summary>
public abstract class CauseReportsApiTests(OtklikApp app)
{
    private static readonly DateTimeOffset Oct10 = new(2026, 10, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Causes_RanksRootCausesOfCases_WithTrendsBottlenecksAndSla()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Main" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var queue = await (await http.PostJsonAsync("/api/v1/reasons", new { kind = "Negative", nameRu = "Очередь", nameEn = "Queue" })).ReadAsync<ReasonDto>(HttpStatusCode.Created);
        var cold = await (await http.PostJsonAsync("/api/v1/reasons", new { kind = "Negative", nameRu = "Холодный кофе", nameEn = "Cold coffee" })).ReadAsync<ReasonDto>(HttpStatusCode.Created);
        // October: queue ×3 (one answered in 1 h and resolved within its due time), cold ×1. September: cold ×4.
        Case New(Guid cause, DateTimeOffset at) => new()
        {
            OrganizationId = org.Id, LocationId = location.Id, Summary = "x", RootCauseId = cause, CreatedAt = at, Status = CaseStatus.New, DueAt = at.AddHours(24),
        };
        await app.WithDbAsync(async db =>
        {
            var answered = New(queue.Id, Oct10);
            answered.FirstResponseAt = Oct10.AddHours(1);
            answered.ResolvedAt = Oct10.AddHours(30);
            answered.Status = CaseStatus.Closed;
            db.Cases.AddRange(answered, New(queue.Id, Oct10.AddDays(1)), New(queue.Id, Oct10.AddDays(1)), New(cold.Id, Oct10.AddDays(2)));
            db.Cases.AddRange(Enumerable.Range(0, 4).Select(i => New(cold.Id, Oct10.AddDays(-20 - i))));
            await db.SaveChangesAsync();
        }, org.Id);

        var report = await (await http.GetAsync("/api/v1/reports/causes?from=2026-10-01&to=2026-10-31&language=en")).ReadAsync<CauseReport>();
        var sla = await (await http.GetAsync("/api/v1/reports/sla?from=2026-10-01&to=2026-10-31")).ReadAsync<SlaReport>();

        Assert.Equal([("Queue", 3L, 0.75), ("Cold coffee", 1L, 1.0)], report.Pareto.Select(r => (r.Name, r.Count, r.CumulativeShare)));
        Assert.Equal(31, report.BucketStarts.Count);
        Assert.Equal([0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L, 2L, 0L], report.Trends[0].Counts.Take(12));
        // queue: 3 × (4/1) = 12; cold: 1 × (2/5) = 0.4.
        Assert.Equal([("Queue", 12.0), ("Cold coffee", 0.4)], report.Bottlenecks.Select(b => (b.Name, b.Score)));
        Assert.Equal((1, 60.0, 1L, 1L), (sla.FirstResponse.Count, sla.FirstResponse.MedianMinutes!.Value, sla.FirstResponse.WithinSla, sla.FirstResponse.WithSla));
        Assert.Equal((1, 0L, 1L), (sla.Resolution.Count, sla.Resolution.WithinSla, sla.Resolution.WithSla));
        Assert.Equal((1L, 1L), (sla.CustomersInformed.Informed, sla.CustomersInformed.Complaints));

        var csv = await (await http.GetAsync("/api/v1/reports/causes.csv?from=2026-10-01&to=2026-10-31&language=ru")).Content.ReadAsStringAsync();
        Assert.Contains("Очередь,3,0.75,0.75", csv, StringComparison.Ordinal);
        using var xlsx = new XLWorkbook(await (await http.GetAsync("/api/v1/reports/causes.xlsx?from=2026-10-01&to=2026-10-31&language=en")).Content.ReadAsStreamAsync());
        Assert.Equal("Queue", xlsx.Worksheet("Pareto").Cell(2, 2).GetString());
    }

    [Fact]
    public async Task Causes_FromTheReasonsCustomersChose()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Main" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var slow = await (await http.PostJsonAsync("/api/v1/reasons", new { kind = "Negative", nameRu = "Долго", nameEn = "Slow" })).ReadAsync<ReasonDto>(HttpStatusCode.Created);
        for (var i = 0; i < 2; i++)
            await http.PostJsonAsync("/api/v1/feedback", new { locationId = location.Id, channel = "Audit", sentiment = "Negative", reasonIds = new[] { slow.Id } });
        await http.PostJsonAsync("/api/v1/feedback", new { locationId = location.Id, channel = "Kiosk", sentiment = "Negative", reasonIds = new[] { slow.Id } });

        var all = await (await http.GetAsync("/api/v1/reports/causes?source=reasons&language=ru")).ReadAsync<CauseReport>();
        var audit = await (await http.GetAsync("/api/v1/reports/causes?source=reasons&channel=Audit")).ReadAsync<CauseReport>();

        Assert.Equal(("Долго", 3L), (all.Pareto[0].Name, all.Pareto[0].Count));
        Assert.Equal(2, audit.Pareto[0].Count);
    }

    [Fact]
    public async Task BadQuery_Gets400_AndAForeignLocation404()
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();

        var bad = await (await http.GetAsync("/api/v1/reports/causes?bucket=year&source=x&channel=Pigeon&from=yesterday")).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["bucket", "channel", "from", "source"], bad.ErrorFields().Order());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/reports/sla?locationId={Guid.NewGuid()}")).StatusCode);
    }
}

public sealed class CauseReportsApiSqliteTests(SqliteApp app) : CauseReportsApiTests(app), IClassFixture<SqliteApp>;

[Trait("Database", "Postgres")]
public sealed class CauseReportsApiPostgresTests(PostgresApp app) : CauseReportsApiTests(app), IClassFixture<PostgresApp>;
