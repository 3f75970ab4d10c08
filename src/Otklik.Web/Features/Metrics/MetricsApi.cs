using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Metrics;

/// <summary><c>?from=&amp;to=&amp;location=&amp;groupBy=</c>; all optional (every visible location, the last 30 days, by location).</summary>
public sealed record MetricsQuery(string? From, string? To, string? Location, string? GroupBy);

/// <summary>Body of <c>POST /api/v1/rollups/rebuild</c>: instants with offsets; whole UTC hours touching the range are rebuilt.</summary>
public sealed record RebuildInput(DateTimeOffset? From, DateTimeOffset? To);

public static class MetricsApi
{
    public static readonly IReadOnlyList<string> GroupByValues = [.. Enum.GetNames<MetricsGrouping>().Select(n => n.ToLowerInvariant())];
    public static readonly TimeSpan MaxRebuild = TimeSpan.FromDays(800);

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/v1/metrics").WithTags("Metrics").RequireAuthorization(Policies.Read)
            .MapGet("/", Get)
            .WithSummary("Green share, red rate, happiness index (per channel), counts and trends per location, employee, day, hour or weekday, from hourly rollups")
            .WithDescription("from/to as in /stats/buttons (a date in each location's time zone, or a date-time with offset); widened to whole UTC hours. "
                + "groupBy: location (default), staff, day, hour, weekday. Trends: week-over-week (last 7 days of the period against the 7 before) and "
                + "year-over-year, with withinNoise from a two-proportion z-test at 95 %.");
        var files = routes.MapGroup("/api/v1").WithTags("Metrics").RequireAuthorization(Policies.Read);
        files.MapGet("/metrics.csv", async ([AsParameters] MetricsQuery query, OtklikDb db, TimeProvider time, IEnumerable<IRollupSource> sources, CancellationToken ct) =>
                await Get(query, db, time, sources, ct) is { Result: Ok<MetricsReport> ok }
                    ? TypedResults.File(await MetricsExport.ToCsvAsync(ok.Value!, ct), "text/csv; charset=utf-8", FileName(ok.Value!, "csv"))
                    : (IResult)(await Get(query, db, time, sources, ct)).Result)
            .WithSummary("The same table as /metrics, as CSV (UTF-8 with BOM, invariant culture, a last row with the totals)");
        files.MapGet("/metrics.xlsx", async ([AsParameters] MetricsQuery query, OtklikDb db, TimeProvider time, IEnumerable<IRollupSource> sources, CancellationToken ct) =>
                await Get(query, db, time, sources, ct) is { Result: Ok<MetricsReport> ok }
                    ? TypedResults.File(MetricsExport.ToXlsx(ok.Value!, "Otklik"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", FileName(ok.Value!, "xlsx"))
                    : (IResult)(await Get(query, db, time, sources, ct)).Result)
            .WithSummary("The same table as /metrics, as an Excel workbook");
        routes.MapGroup("/api/v1/rollups").WithTags("Metrics").RequireAuthorization(Policies.Admin)
            .MapPost("/rebuild", Rebuild)
            .WithSummary("Recomputes the hourly rollups of the organization for a range from raw presses and feedback, in one transaction");
        return routes;
    }

    private static async Task<Results<Ok<MetricsReport>, ValidationProblem, ProblemHttpResult>> Get(
        [AsParameters] MetricsQuery query, OtklikDb db, TimeProvider time, IEnumerable<IRollupSource> sources, CancellationToken ct)
    {
        var errors = new Errors();
        Guid? locationId = null;
        if (!string.IsNullOrWhiteSpace(query.Location))
        {
            if (Guid.TryParse(query.Location, out var l)) locationId = l;
            else errors.Add("location", "Not a location id.");
        }
        var grouping = MetricsGrouping.Location;
        if (!string.IsNullOrWhiteSpace(query.GroupBy))
        {
            var index = GroupByValues.ToList().FindIndex(v => string.Equals(v, query.GroupBy.Trim(), StringComparison.OrdinalIgnoreCase));
            if (index >= 0) grouping = (MetricsGrouping)index;
            else errors.Add("groupBy", $"Unknown grouping. Allowed values: {string.Join(", ", GroupByValues)}.");
        }
        var period = ReportPeriod.Parse(query.From, query.To, time.GetUtcNow(), errors);
        if (errors.Any) return errors.ToProblem();
        if (locationId is { } id && !await db.Locations.AnyAsync(x => x.Id == id, ct)) return Problem.NotFound("Location");
        return TypedResults.Ok(await MetricsEngine.ComputeAsync(db, period!, locationId, grouping, MetricsSource.Rollups, sources, ct));
    }

    private static string FileName(MetricsReport r, string ext) =>
        $"otklik-metrics-{r.GroupBy}-{new string([.. r.From.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_')])}-{new string([.. r.To.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_')])}.{ext}";

    private static async Task<Results<Ok<RebuildResult>, ValidationProblem>> Rebuild(RebuildInput input, OtklikDb db, RollupRebuilder rebuilder, CancellationToken ct)
    {
        var errors = new Errors();
        errors.Check(input.From is not null, "from", "Give the start of the range (a date-time with offset).");
        errors.Check(input.To is not null, "to", "Give the end of the range (a date-time with offset).");
        if (input is { From: { } f, To: { } t })
        {
            errors.Check(f < t, "to", "The end of the range must be after its start.");
            errors.Check(t - f <= MaxRebuild, "to", $"Rebuild at most {MaxRebuild.TotalDays:0} days at a time.");
        }
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(await rebuilder.RebuildAsync(db, input.From!.Value, input.To!.Value, ct));
    }
}
