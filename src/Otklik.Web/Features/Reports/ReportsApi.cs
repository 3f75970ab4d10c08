using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Reports;

/// <summary>
/// <c>?locationId=&amp;from=&amp;to=&amp;groupBy=</c> of the stats endpoints. All optional: every visible location,
/// the last 30 days up to now, grouped by location. Read as text so that every bad value gets a named 400.
/// </summary>
public sealed record ButtonStatsQuery(string? LocationId, string? From, string? To, string? GroupBy);

public static class ReportsApi
{
    public static readonly IReadOnlyList<string> GroupByValues = [.. Enum.GetNames<StatsGrouping>().Select(n => n.ToLowerInvariant())];

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder routes)
    {
        var stats = routes.MapGroup("/api/v1/stats").WithTags("Reports").RequireAuthorization(Policies.Read);
        stats.MapGet("/buttons", Buttons)
            .WithSummary("Green share of button presses per location, employee, hour of day, day or weekday")
            .WithDescription("from/to: a date (yyyy-MM-dd, in each location's own time zone, to inclusive) or a date-time with offset (to exclusive). "
                + "Defaults: to = now, from = 30 days before to. At most 400 days. groupBy: location (default), staff, hour, day, weekday; "
                + "hours, days and weekdays are in each location's own time zone. Suppressed presses are counted apart and never in the green share.");
        stats.MapGet("/buttons.csv", ButtonsCsv)
            .WithSummary("The same numbers as /stats/buttons, as CSV (UTF-8 with BOM, invariant culture, a header row, a last row with the totals)");
        return routes;
    }

    private static async Task<Results<Ok<ButtonStatsReport>, ValidationProblem, ProblemHttpResult>> Buttons(
        [AsParameters] ButtonStatsQuery query, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (report, invalid, missing) = await RunAsync(query, db, time, ct);
        if (invalid is not null) return invalid;
        if (missing is not null) return missing;
        return TypedResults.Ok(report!);
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ButtonsCsv(
        [AsParameters] ButtonStatsQuery query, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (report, invalid, missing) = await RunAsync(query, db, time, ct);
        if (invalid is not null) return invalid;
        if (missing is not null) return missing;
        var name = $"otklik-buttons-{report!.GroupBy}-{FileSafe(report.From)}-{FileSafe(report.To)}.csv";
        return TypedResults.File(await ToCsvAsync(report, ct), "text/csv; charset=utf-8", name);
    }

    private static async Task<(ButtonStatsReport? Report, ValidationProblem? Invalid, ProblemHttpResult? Missing)> RunAsync(ButtonStatsQuery query, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var errors = new Errors();
        Guid? locationId = null;
        if (!string.IsNullOrWhiteSpace(query.LocationId))
        {
            if (Guid.TryParse(query.LocationId, out var l)) locationId = l;
            else errors.Add("locationId", "Not a location id.");
        }
        var grouping = StatsGrouping.Location;
        if (!string.IsNullOrWhiteSpace(query.GroupBy))
        {
            var index = GroupByValues.ToList().FindIndex(v => string.Equals(v, query.GroupBy.Trim(), StringComparison.OrdinalIgnoreCase));
            if (index >= 0) grouping = (StatsGrouping)index;
            else errors.Add("groupBy", $"Unknown grouping. Allowed values: {string.Join(", ", GroupByValues)}.");
        }
        var period = ReportPeriod.Parse(query.From, query.To, time.GetUtcNow(), errors);
        if (errors.Any) return (null, errors.ToProblem(), null);
        // The location filter also hides locations outside a location manager's scope and other organizations'.
        if (locationId is { } id && !await db.Locations.AnyAsync(x => x.Id == id, ct))
            return (null, null, Problem.NotFound("Location"));

        var result = await ButtonStats.ComputeAsync(db, period!, locationId, [grouping], ct);
        return (new ButtonStatsReport(period!.From.ToString(), period.To.ToString(), GroupByValues[(int)grouping], locationId,
            result.Rows(grouping), result.Totals), null, null);
    }

    public static readonly string[] CsvHeader = ["key", "label", "green", "red", "suppressed", "total", "greenShare"];

    /// <summary>
    /// UTF-8 with a BOM (so Excel reads Cyrillic names), invariant numbers, a header, the rows, then a "total" row.
    /// Names typed by users that start like a formula (=, +, -, @) are escaped so a spreadsheet shows them as text.
    /// </summary>
    internal static async Task<byte[]> ToCsvAsync(ButtonStatsReport report, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var options = CsvWriterOptions.Default with
        {
            WriteByteOrderMark = true, FormatProvider = CultureInfo.InvariantCulture, Injection = CsvInjection.Escape,
        };
        await using (var csv = CsvWriter.Create(buffer, options, leaveOpen: true))
        {
            csv.WriteHeader(CsvHeader);
            foreach (var r in report.Rows) await WriteAsync(csv, r.Key, r.Label, r.Green, r.Red, r.Suppressed, r.Total, r.GreenShare, ct);
            var t = report.Totals;
            await WriteAsync(csv, "total", "Total", t.Green, t.Red, t.Suppressed, t.Total, t.GreenShare, ct);
        }
        return buffer.ToArray();
    }

    private static async Task WriteAsync(CsvWriter csv, string key, string label, long green, long red, long suppressed, long total, double? share, CancellationToken ct)
    {
        csv.WriteField(key);
        csv.WriteField(label);
        csv.WriteField(green, "");
        csv.WriteField(red, "");
        csv.WriteField(suppressed, "");
        csv.WriteField(total, "");
        csv.WriteField(share is { } s ? s.ToString("0.####", CultureInfo.InvariantCulture) : "");
        await csv.EndRecordAsync(ct);
    }

    private static string FileSafe(string bound) => new([.. bound.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_')]);
}
