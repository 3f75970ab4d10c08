using System.Globalization;
using ClosedXML.Excel;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Cases;
using Otklik.Core.Reports;
using Otklik.Web.Data;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Reports;

/// <summary>
/// <c>?from=&amp;to=&amp;locationId=&amp;channel=&amp;bucket=day|week&amp;source=cases|reasons&amp;language=ru|en</c>. All optional:
/// the last 30 days in the organization's time zone, every visible location and channel, daily buckets, root causes of cases.
/// </summary>
public sealed record CauseReportQuery(string? From, string? To, string? LocationId, string? Channel, string? Bucket, string? Source, string? Language);

public sealed record CauseRowDto(Guid CauseId, string Name, long Count, double Share, double CumulativeShare);
public sealed record CauseTrendDto(Guid CauseId, string Name, IReadOnlyList<long> Counts);
public sealed record BottleneckDto(Guid CauseId, string Name, long Count, long PreviousCount, double Growth, double Score);

/// <param name="Source">"cases": root causes managers bound to cases; "reasons": the reasons customers chose on negative feedback.</param>
public sealed record CauseReport(
    string From, string To, string Source, string Bucket, IReadOnlyList<DateTimeOffset> BucketStarts, long Total,
    IReadOnlyList<CauseRowDto> Pareto, IReadOnlyList<CauseTrendDto> Trends, IReadOnlyList<BottleneckDto> Bottlenecks);

public sealed record DurationDto(int Count, double? MedianMinutes, double? P90Minutes, long WithinSla, long WithSla, double? ShareWithinSla);
public sealed record InformedDto(long Informed, long Complaints, double? Share);
public sealed record SlaReport(string From, string To, DurationDto FirstResponse, DurationDto Resolution, InformedDto CustomersInformed);

/// <summary>Root causes ranked (Pareto), their trends and bottlenecks, and times against SLA: the numbers behind /reports/causes.</summary>
public static class CauseReports
{
    public const string FromCases = "cases";
    public const string FromReasons = "reasons";

    public static IEndpointRouteBuilder MapCauseReports(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(Policies.Read);
        api.MapGet("/causes", Causes).WithSummary("Causes ranked with cumulative share (Pareto), trend per day or week, and bottlenecks (count × growth); see docs/metrics.md");
        api.MapGet("/causes.csv", CausesCsv).WithSummary("The Pareto table of /reports/causes as CSV (UTF-8 with BOM)");
        api.MapGet("/causes.xlsx", CausesXlsx).WithSummary("/reports/causes as an Excel workbook: Pareto, trends and bottlenecks sheets");
        api.MapGet("/sla", Sla).WithSummary("Time to first response and to resolution against SLA (median, p90, share within SLA) and the share of complaints that ended with the customer informed");
        return routes;
    }

    /// <summary>Parsed and checked query: the period as instants in the organization's zone.</summary>
    public sealed record Filter(ReportPeriod Period, DateTimeOffset Start, DateTimeOffset End, Guid? LocationId, FeedbackChannel? Channel, bool Weekly, string Source, string Language);

    public static async Task<(Filter? Filter, ValidationProblem? Invalid, ProblemHttpResult? Missing)> ParseAsync(CauseReportQuery q, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var errors = new Errors();
        Guid? location = null;
        if (!string.IsNullOrWhiteSpace(q.LocationId))
        {
            if (Guid.TryParse(q.LocationId, out var l)) location = l;
            else errors.Add("locationId", "Not a location id.");
        }
        FeedbackChannel? channel = null;
        if (!string.IsNullOrWhiteSpace(q.Channel))
        {
            if (Enum.TryParse<FeedbackChannel>(q.Channel, true, out var c) && Enum.IsDefined(c) && !int.TryParse(q.Channel, out _)) channel = c;
            else errors.Add("channel", $"Unknown channel. Allowed values: {string.Join(", ", Enum.GetNames<FeedbackChannel>())}.");
        }
        var bucket = string.IsNullOrWhiteSpace(q.Bucket) ? "day" : q.Bucket.Trim().ToLowerInvariant();
        errors.Check(bucket is "day" or "week", "bucket", "Use day or week.");
        var source = string.IsNullOrWhiteSpace(q.Source) ? FromCases : q.Source.Trim().ToLowerInvariant();
        errors.Check(source is FromCases or FromReasons, "source", "Use cases (root causes of cases) or reasons (reasons customers chose).");
        var period = ReportPeriod.Parse(q.From, q.To, time.GetUtcNow(), errors);
        if (errors.Any) return (null, errors.ToProblem(), null);
        if (location is { } id && !await db.Locations.AnyAsync(x => x.Id == id, ct)) return (null, null, Problem.NotFound("Location"));
        var org = await db.Organizations.AsNoTracking().Select(o => new { o.TimeZone, o.Language }).FirstAsync(ct);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(org.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var (start, end) = period!.In(zone);
        var language = q.Language?.Trim().ToLowerInvariant() is "ru" or "en" ? q.Language.Trim().ToLowerInvariant() : org.Language;
        return (new Filter(period, start, end, location, channel, bucket == "week", source, language), null, null);
    }

    /// <summary>Events (cause, instant) of [from, to): case root causes, or reasons chosen on negative feedback.</summary>
    private static async Task<List<(Guid Cause, DateTimeOffset At)>> EventsAsync(OtklikDb db, Filter f, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        if (f.Source == FromReasons)
        {
            var feedback = db.Feedback.Where(x => x.Sentiment == Sentiment.Negative && x.CreatedAt >= from && x.CreatedAt < to);
            if (f.LocationId is { } l) feedback = feedback.Where(x => x.LocationId == l);
            if (f.Channel is { } c) feedback = feedback.Where(x => x.Channel == c);
            var rows = await feedback.SelectMany(x => x.Reasons, (x, r) => new { r.ReasonId, x.CreatedAt }).ToListAsync(ct);
            return [.. rows.Select(r => (r.ReasonId, r.CreatedAt))];
        }
        var cases = db.Cases.Where(x => x.RootCauseId != null && x.CreatedAt >= from && x.CreatedAt < to);
        if (f.LocationId is { } loc) cases = cases.Where(x => x.LocationId == loc);
        if (f.Channel is { } ch) cases = cases.Where(x => db.Feedback.Any(fb => fb.Id == x.FeedbackId && fb.Channel == ch));
        var list = await cases.Select(x => new { Cause = x.RootCauseId!.Value, x.CreatedAt }).ToListAsync(ct);
        return [.. list.Select(x => (x.Cause, x.CreatedAt))];
    }

    public static async Task<CauseReport> ComputeAsync(OtklikDb db, Filter f, CancellationToken ct)
    {
        var length = f.End - f.Start;
        var current = await EventsAsync(db, f, f.Start, f.End, ct);
        var previous = await EventsAsync(db, f, f.Start - length, f.Start, ct);
        var reasons = await db.Reasons.AsNoTracking().ToDictionaryAsync(r => r.Id, ct);
        string Name(Guid id)
        {
            if (!reasons.TryGetValue(id, out var r)) return "?";
            var name = r.NameIn(f.Language);
            return r.ParentId is { } p && reasons.TryGetValue(p, out var parent) ? parent.NameIn(f.Language) + " › " + name : name;
        }
        var counts = current.GroupBy(e => e.Cause).Select(g => new KeyValuePair<Guid, long>(g.Key, g.LongCount())).ToList();
        var pareto = RootCauses.Pareto(counts);

        var size = TimeSpan.FromDays(f.Weekly ? 7 : 1);
        var buckets = (int)Math.Ceiling(length / size);
        var trend = RootCauses.Trend(current.Select(e => (e.Cause, RootCauses.BucketOf(e.At, f.Start, size))), buckets);
        var bottlenecks = RootCauses.Bottlenecks(counts.ToDictionary(c => c.Key, c => c.Value),
            previous.GroupBy(e => e.Cause).ToDictionary(g => g.Key, g => g.LongCount()));

        return new CauseReport(f.Period.From.ToString(), f.Period.To.ToString(), f.Source, f.Weekly ? "week" : "day",
            [.. Enumerable.Range(0, buckets).Select(i => f.Start + size * i)], current.Count,
            [.. pareto.Select(p => new CauseRowDto(p.Cause, Name(p.Cause), p.Count, Math.Round(p.Share, 6), Math.Round(p.CumulativeShare, 6)))],
            [.. trend.Select(t => new CauseTrendDto(t.Cause, Name(t.Cause), t.Counts))],
            [.. bottlenecks.Select(b => new BottleneckDto(b.Cause, Name(b.Cause), b.Count, b.PreviousCount, Math.Round(b.Growth, 6), Math.Round(b.Score, 6)))]);
    }

    /// <summary>
    /// Cases created in the period. First response: until the first call or message, against the organization's
    /// time to react (the SLA for a case not qualified yet). Resolution: until resolved, against the case's own due time.
    /// Customers informed: resolved or closed cases in which the customer was called or written to.
    /// </summary>
    public static async Task<SlaReport> ComputeSlaAsync(OtklikDb db, Filter f, CancellationToken ct)
    {
        var cases = db.Cases.AsNoTracking().Where(x => x.CreatedAt >= f.Start && x.CreatedAt < f.End);
        if (f.LocationId is { } l) cases = cases.Where(x => x.LocationId == l);
        if (f.Channel is { } ch) cases = cases.Where(x => db.Feedback.Any(fb => fb.Id == x.FeedbackId && fb.Channel == ch));
        var rows = await cases.Select(x => new { x.CreatedAt, x.FirstResponseAt, x.ResolvedAt, x.DueAt, x.Status }).ToListAsync(ct);
        var settings = await db.CaseSettings.AsNoTracking().FirstOrDefaultAsync(ct) ?? new Cases.CaseSettings();
        var react = settings.Sla.Unqualified;
        var first = RootCauses.Durations(rows.Where(r => r.FirstResponseAt is not null).Select(r => (r.FirstResponseAt!.Value - r.CreatedAt, react)));
        var resolution = RootCauses.Durations(rows.Where(r => r.ResolvedAt is not null)
            .Select(r => (r.ResolvedAt!.Value - r.CreatedAt, r.DueAt is { } due ? due - r.CreatedAt : (TimeSpan?)null)));
        var informed = RootCauses.CustomersInformed(rows.Where(r => r.Status is CaseStatus.Resolved or CaseStatus.Closed).Select(r => r.FirstResponseAt is not null));
        return new SlaReport(f.Period.From.ToString(), f.Period.To.ToString(), Dto(first), Dto(resolution),
            new InformedDto(informed.Successes, informed.Trials, informed.Value is { } v ? Math.Round(v, 6) : null));
    }

    private static DurationDto Dto(DurationStats s) => new(s.Count, s.Median?.TotalMinutes is { } m ? Math.Round(m, 2) : null, s.P90?.TotalMinutes is { } p ? Math.Round(p, 2) : null,
        s.WithinSla.Successes, s.WithinSla.Trials, s.WithinSla.Value is { } v ? Math.Round(v, 6) : null);

    private static async Task<Results<Ok<CauseReport>, ValidationProblem, ProblemHttpResult>> Causes([AsParameters] CauseReportQuery q, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (f, invalid, missing) = await ParseAsync(q, db, time, ct);
        if (invalid is not null) return invalid;
        if (missing is not null) return missing;
        return TypedResults.Ok(await ComputeAsync(db, f!, ct));
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> CausesCsv([AsParameters] CauseReportQuery q, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (f, invalid, missing) = await ParseAsync(q, db, time, ct);
        if (invalid is not null) return invalid;
        if (missing is not null) return missing;
        return TypedResults.File(await ToCsvAsync(await ComputeAsync(db, f!, ct), ct), "text/csv; charset=utf-8", "otklik-causes.csv");
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> CausesXlsx([AsParameters] CauseReportQuery q, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (f, invalid, missing) = await ParseAsync(q, db, time, ct);
        if (invalid is not null) return invalid;
        if (missing is not null) return missing;
        return TypedResults.File(ToXlsx(await ComputeAsync(db, f!, ct)), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "otklik-causes.xlsx");
    }

    private static async Task<Results<Ok<SlaReport>, ValidationProblem, ProblemHttpResult>> Sla([AsParameters] CauseReportQuery q, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (f, invalid, missing) = await ParseAsync(q, db, time, ct);
        if (invalid is not null) return invalid;
        if (missing is not null) return missing;
        return TypedResults.Ok(await ComputeSlaAsync(db, f!, ct));
    }

    public static async Task<byte[]> ToCsvAsync(CauseReport report, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var options = CsvWriterOptions.Default with { WriteByteOrderMark = true, FormatProvider = CultureInfo.InvariantCulture, Injection = CsvInjection.Escape };
        await using (var csv = CsvWriter.Create(buffer, options, leaveOpen: true))
        {
            csv.WriteHeader(["rank", "causeId", "cause", "count", "share", "cumulativeShare"]);
            var rank = 0;
            foreach (var r in report.Pareto)
            {
                csv.WriteField((++rank).ToString(CultureInfo.InvariantCulture));
                csv.WriteField(r.CauseId.ToString());
                csv.WriteField(r.Name);
                csv.WriteField(r.Count.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(r.Share.ToString("0.######", CultureInfo.InvariantCulture));
                csv.WriteField(r.CumulativeShare.ToString("0.######", CultureInfo.InvariantCulture));
                await csv.EndRecordAsync(ct);
            }
        }
        return buffer.ToArray();
    }

    public static byte[] ToXlsx(CauseReport report)
    {
        using var book = new XLWorkbook();
        var pareto = book.AddWorksheet("Pareto");
        string[] head = ["Rank", "Cause", "Count", "Share", "Cumulative share"];
        for (var i = 0; i < head.Length; i++) pareto.Cell(1, i + 1).Value = head[i];
        for (var i = 0; i < report.Pareto.Count; i++)
        {
            var r = report.Pareto[i];
            pareto.Cell(i + 2, 1).Value = i + 1;
            pareto.Cell(i + 2, 2).Value = r.Name;
            pareto.Cell(i + 2, 3).Value = r.Count;
            pareto.Cell(i + 2, 4).Value = r.Share;
            pareto.Cell(i + 2, 5).Value = r.CumulativeShare;
        }
        var trends = book.AddWorksheet("Trends");
        trends.Cell(1, 1).Value = "Cause";
        for (var b = 0; b < report.BucketStarts.Count; b++) trends.Cell(1, b + 2).Value = report.BucketStarts[b].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        for (var i = 0; i < report.Trends.Count; i++)
        {
            trends.Cell(i + 2, 1).Value = report.Trends[i].Name;
            for (var b = 0; b < report.Trends[i].Counts.Count; b++) trends.Cell(i + 2, b + 2).Value = report.Trends[i].Counts[b];
        }
        var bottlenecks = book.AddWorksheet("Bottlenecks");
        string[] bh = ["Cause", "Count", "Previous period", "Growth", "Score"];
        for (var i = 0; i < bh.Length; i++) bottlenecks.Cell(1, i + 1).Value = bh[i];
        for (var i = 0; i < report.Bottlenecks.Count; i++)
        {
            var b = report.Bottlenecks[i];
            bottlenecks.Cell(i + 2, 1).Value = b.Name;
            bottlenecks.Cell(i + 2, 2).Value = b.Count;
            bottlenecks.Cell(i + 2, 3).Value = b.PreviousCount;
            bottlenecks.Cell(i + 2, 4).Value = b.Growth;
            bottlenecks.Cell(i + 2, 5).Value = b.Score;
        }
        using var stream = new MemoryStream();
        book.SaveAs(stream);
        return stream.ToArray();
    }
}
