using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Metrics;
using Otklik.Web.Data;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Reports;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Reviews;

/// <summary>A snapshot entered by hand. <c>histogram</c>: five counts, 1 to 5 stars. Give <c>positiveReviews</c>, the histogram or both.</summary>
public sealed record SnapshotInput(Guid? LocationId, MapsService? Service, DateTimeOffset? TakenAt, int? TotalReviews, int? PositiveReviews,
    IReadOnlyList<int>? Histogram, double? AverageRating);

public sealed record SnapshotDto(Guid Id, Guid LocationId, MapsService Service, DateTimeOffset TakenAt, int TotalReviews, int? PositiveReviews,
    IReadOnlyList<int>? Histogram, double? AverageRating, long Positive, SnapshotOrigin Origin)
{
    public static SnapshotDto From(ReviewSnapshot s, int minRating) => new(s.Id, s.LocationId, s.Service, s.TakenAt, s.TotalReviews, s.PositiveReviews,
        s.HasHistogram ? [s.Stars1!.Value, s.Stars2!.Value, s.Stars3!.Value, s.Stars4!.Value, s.Stars5!.Value] : null, s.AverageRating, s.Positive(minRating), s.Origin);
}

public sealed record SnapshotQuery(string? Location, string? From, string? To);

public sealed record ReviewSettingsDto(int PositiveMinRating);

public sealed record CustomerCountInput(Guid? LocationId, DateOnly? From, DateOnly? To, long? Customers);

public sealed record CustomerCountDto(Guid Id, Guid LocationId, DateOnly From, DateOnly To, long Customers);

public sealed record ReviewSourceInput(Guid? LocationId, MapsService? Service, string? Url, string? TotalPath, string? PositivePath, string? HistogramPath,
    string? AveragePath, bool? Enabled);

public sealed record ReviewSourceDto(Guid Id, Guid LocationId, MapsService Service, string Url, string TotalPath, string? PositivePath, string? HistogramPath,
    string? AveragePath, bool Enabled, DateTimeOffset? LastPulledAt, string? LastError)
{
    public static ReviewSourceDto From(ReviewSource s) =>
        new(s.Id, s.LocationId, s.Service, s.Url, s.TotalPath, s.PositivePath, s.HistogramPath, s.AveragePath, s.Enabled, s.LastPulledAt, s.LastError);
}

public sealed record SupportIndexRow(Guid LocationId, string Location, IReadOnlyList<ServiceReviews> Services, long? Receipts, long? ManualCustomers,
    long NewPositiveReviews, long? CustomersServed, CustomerCountSource Source, double? Index, double? PerThousandCustomers);

public sealed record SupportIndexReport(string From, string To, int PositiveMinRating, IReadOnlyList<SupportIndexRow> Rows, SupportIndexResult Total);

/// <summary>Review-count snapshots of maps services, customer counts, the JSON-endpoint connectors and the support index.</summary>
public static class ReviewsApi
{
    public const int MaxReviews = 10_000_000;

    public static IEndpointRouteBuilder MapReviews(this IEndpointRouteBuilder routes)
    {
        var reviews = routes.MapGroup("/api/v1/reviews").WithTags("Reviews").RequireAuthorization(Policies.Read);
        reviews.MapGet("/snapshots", ListSnapshots).WithSummary("Review-count snapshots, newest first (at most 500)");
        reviews.MapPost("/snapshots", PostSnapshot).RequireAuthorization(Policies.Operate)
            .WithSummary("A review-count snapshot of a location on Yandex Maps, 2GIS or Google Maps, entered by hand");
        reviews.MapDelete("/snapshots/{id:guid}", DeleteSnapshot).RequireAuthorization(Policies.Operate);
        reviews.MapGet("/settings", GetSettings).WithSummary("The rating from which a review counts as positive (default 4)");
        reviews.MapPut("/settings", PutSettings).RequireAuthorization(Policies.Manage);
        reviews.MapGet("/support-index", GetSupportIndex)
            .WithSummary("Support index per location: new positive reviews (difference of snapshots) / customers served (POS receipts, else counts entered by hand)")
            .WithDescription("from/to as in /metrics (dates in each location's time zone; default the last 30 days).");
        var sources = reviews.MapGroup("/sources").RequireAuthorization(Policies.Manage);
        sources.MapGet("/", ListSources).WithSummary("JSON endpoints pulled periodically for review counts");
        sources.MapPost("/", PostSource);
        sources.MapPut("/{id:guid}", PutSource);
        sources.MapDelete("/{id:guid}", DeleteSource);
        sources.MapPost("/{id:guid}/pull", Pull).WithSummary("Pulls the endpoint now and stores a snapshot");

        var counts = routes.MapGroup("/api/v1/customer-counts").WithTags("Reviews").RequireAuthorization(Policies.Read);
        counts.MapGet("/", ListCounts).WithSummary("Customer counts entered by hand (for locations without POS data)");
        counts.MapPost("/", PostCount).RequireAuthorization(Policies.Operate);
        counts.MapDelete("/{id:guid}", DeleteCount).RequireAuthorization(Policies.Operate);
        return routes;
    }

    /// <summary>The checks shared by the API, the import and the connector. Field names as in <see cref="SnapshotInput"/>.</summary>
    public static void Check(int? total, int? positive, IReadOnlyList<int>? histogram, double? average, Errors errors, string prefix = "")
    {
        if (total is not { } t) errors.Add(prefix + "totalReviews", "Required.");
        else if (t is < 0 or > MaxReviews) errors.Add(prefix + "totalReviews", $"From 0 to {MaxReviews}.");
        if (positive is null && histogram is null) errors.Add(prefix + "positiveReviews", "Give positiveReviews, the histogram (five counts, 1 to 5 stars) or both.");
        if (positive is { } p && (p < 0 || (total is { } t2 && p > t2))) errors.Add(prefix + "positiveReviews", "From 0 to totalReviews.");
        if (histogram is not null)
        {
            if (histogram.Count != 5) errors.Add(prefix + "histogram", "Five counts: reviews with 1, 2, 3, 4 and 5 stars.");
            else if (histogram.Any(h => h is < 0 or > MaxReviews)) errors.Add(prefix + "histogram", $"Each count from 0 to {MaxReviews}.");
            else if (total is { } t3 && histogram.Sum(h => (long)h) > t3) errors.Add(prefix + "histogram", "The counts add up to more than totalReviews.");
        }
        if (average is { } a && (double.IsNaN(a) || a < 1 || a > 5)) errors.Add(prefix + "averageRating", "From 1 to 5.");
    }

    public static ReviewSnapshot NewSnapshot(Guid locationId, MapsService service, DateTimeOffset takenAt, int total, int? positive, IReadOnlyList<int>? histogram,
        double? average, SnapshotOrigin origin, DateTimeOffset now) => new()
    {
        LocationId = locationId, Service = service, TakenAt = takenAt.ToUniversalTime(), TotalReviews = total, PositiveReviews = positive,
        Stars1 = histogram?[0], Stars2 = histogram?[1], Stars3 = histogram?[2], Stars4 = histogram?[3], Stars5 = histogram?[4],
        AverageRating = average, Origin = origin, RecordedAt = now,
    };

    private static async Task<Results<Created<SnapshotDto>, ValidationProblem>> PostSnapshot(SnapshotInput input, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (dto, errors) = await AddSnapshotAsync(db, input, time.GetUtcNow(), ct);
        return dto is null ? errors.ToProblem() : TypedResults.Created($"/api/v1/reviews/snapshots/{dto.Id}", dto);
    }

    /// <summary>Checks and stores a snapshot entered by hand (the API and the reviews page).</summary>
    public static async Task<(SnapshotDto? Snapshot, Errors Errors)> AddSnapshotAsync(OtklikDb db, SnapshotInput input, DateTimeOffset now, CancellationToken ct)
    {
        var errors = new Errors();
        if (input.LocationId is not { } loc) errors.Add("locationId", "Required.");
        else if (!await db.Locations.AnyAsync(l => l.Id == loc, ct)) errors.Add("locationId", "Unknown location (or not one you may write to).");
        errors.Check(input.Service is not null && Enum.IsDefined(input.Service.Value), "service", $"One of: {string.Join(", ", Enum.GetNames<MapsService>())}.");
        if (input.TakenAt is not { } at) errors.Add("takenAt", "Required: when the counts were read, with an offset.");
        else if (at > now.AddMinutes(5)) errors.Add("takenAt", "In the future.");
        else if (at < now.AddYears(-5)) errors.Add("takenAt", "More than five years old.");
        Check(input.TotalReviews, input.PositiveReviews, input.Histogram, input.AverageRating, errors);
        if (errors.Any) return (null, errors);
        var snapshot = NewSnapshot(input.LocationId!.Value, input.Service!.Value, input.TakenAt!.Value, input.TotalReviews!.Value, input.PositiveReviews,
            input.Histogram, input.AverageRating, SnapshotOrigin.Manual, now);
        db.ReviewSnapshots.Add(snapshot);
        await db.SaveChangesAsync(ct);
        return (SnapshotDto.From(snapshot, await SupportIndexData.MinRatingAsync(db, ct)), errors);
    }

    private static async Task<Results<Ok<List<SnapshotDto>>, ValidationProblem>> ListSnapshots([AsParameters] SnapshotQuery q, OtklikDb db, CancellationToken ct)
    {
        var errors = new Errors();
        Guid? location = null;
        if (!string.IsNullOrWhiteSpace(q.Location))
        {
            if (Guid.TryParse(q.Location, out var l)) location = l;
            else errors.Add("location", "Not a location id.");
        }
        DateTimeOffset? from = null, to = null;
        if (!string.IsNullOrWhiteSpace(q.From)) { if (DateTimeOffset.TryParse(q.From, System.Globalization.CultureInfo.InvariantCulture, out var f)) from = f; else errors.Add("from", "Not a date-time."); }
        if (!string.IsNullOrWhiteSpace(q.To)) { if (DateTimeOffset.TryParse(q.To, System.Globalization.CultureInfo.InvariantCulture, out var t)) to = t; else errors.Add("to", "Not a date-time."); }
        if (errors.Any) return errors.ToProblem();
        var query = db.ReviewSnapshots.AsNoTracking();
        if (location is { } id) query = query.Where(s => s.LocationId == id);
        if (from is { } a) query = query.Where(s => s.TakenAt >= a);
        if (to is { } b) query = query.Where(s => s.TakenAt < b);
        var minRating = await SupportIndexData.MinRatingAsync(db, ct);
        var list = await query.OrderByDescending(s => s.TakenAt).ThenByDescending(s => s.Id).Take(500).ToListAsync(ct);
        return TypedResults.Ok(list.Select(s => SnapshotDto.From(s, minRating)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSnapshot(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.ReviewSnapshots.Where(s => s.Id == id).ExecuteDeleteAsync(ct) == 0 ? Problem.NotFound("Snapshot") : TypedResults.NoContent();

    private static async Task<Ok<ReviewSettingsDto>> GetSettings(OtklikDb db, CancellationToken ct) =>
        TypedResults.Ok(new ReviewSettingsDto(await SupportIndexData.MinRatingAsync(db, ct)));

    private static async Task<Results<Ok<ReviewSettingsDto>, ValidationProblem>> PutSettings(ReviewSettingsDto input, OtklikDb db, CancellationToken ct)
    {
        if (input.PositiveMinRating is < 1 or > 5) return Problem.Invalid("positiveMinRating", "From 1 to 5.");
        var settings = await db.ReviewSettings.FirstOrDefaultAsync(ct);
        if (settings is null) db.ReviewSettings.Add(settings = new ReviewSettings { OrganizationId = db.Tenant.OrganizationId });
        settings.PositiveMinRating = input.PositiveMinRating;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new ReviewSettingsDto(settings.PositiveMinRating));
    }

    private static async Task<Results<Ok<SupportIndexReport>, ValidationProblem, ProblemHttpResult>> GetSupportIndex([AsParameters] MetricsQuery q, OtklikDb db,
        TimeProvider time, CancellationToken ct)
    {
        var errors = new Errors();
        Guid? locationId = null;
        if (!string.IsNullOrWhiteSpace(q.Location))
        {
            if (Guid.TryParse(q.Location, out var l)) locationId = l;
            else errors.Add("location", "Not a location id.");
        }
        var period = ReportPeriod.Parse(q.From, q.To, time.GetUtcNow(), errors);
        if (errors.Any) return errors.ToProblem();
        if (locationId is { } id && !await db.Locations.AnyAsync(x => x.Id == id, ct)) return Problem.NotFound("Location");
        var places = await MetricsEngine.PlacesAsync(db, period!, locationId, ct);
        var support = await SupportIndexData.ComputeAsync(db, places, ct);
        var rows = places.Select(p => support[p.Id]).Select((s, i) => new SupportIndexRow(s.LocationId, places[i].Name, s.Services, s.Receipts, s.ManualCustomers,
            s.Result.NewPositiveReviews, s.Result.CustomersServed, s.Result.Source, s.Result.Index, s.Result.PerThousandCustomers)).ToList();
        return TypedResults.Ok(new SupportIndexReport(period!.From.ToString(), period.To.ToString(), await SupportIndexData.MinRatingAsync(db, ct), rows,
            SupportIndexData.Total(support.Values)));
    }

    private static async Task<Ok<List<CustomerCountDto>>> ListCounts(OtklikDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.CustomerCounts.AsNoTracking().OrderByDescending(c => c.From).Take(1000)
            .Select(c => new CustomerCountDto(c.Id, c.LocationId, c.From, c.To, c.Customers)).ToListAsync(ct));

    private static async Task<Results<Created<CustomerCountDto>, ValidationProblem>> PostCount(CustomerCountInput input, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (dto, errors) = await AddCountAsync(db, input, time.GetUtcNow(), ct);
        return dto is null ? errors.ToProblem() : TypedResults.Created($"/api/v1/customer-counts/{dto.Id}", dto);
    }

    /// <summary>Checks and stores a customer count entered by hand.</summary>
    public static async Task<(CustomerCountDto? Count, Errors Errors)> AddCountAsync(OtklikDb db, CustomerCountInput input, DateTimeOffset now, CancellationToken ct)
    {
        var errors = new Errors();
        if (input.LocationId is not { } loc) errors.Add("locationId", "Required.");
        else if (!await db.Locations.AnyAsync(l => l.Id == loc, ct)) errors.Add("locationId", "Unknown location (or not one you may write to).");
        errors.Check(input.From is not null, "from", "Required: the first day (a local date).")
            .Check(input.To is not null, "to", "Required: the last day (a local date).")
            .Check(input.Customers is >= 0 and <= 1_000_000_000, "customers", "From 0 to 1000000000.");
        if (input is { From: { } f, To: { } t })
        {
            errors.Check(t >= f, "to", "The last day must not be before the first.");
            errors.Check(t.DayNumber - f.DayNumber < 400, "to", "At most 400 days.");
        }
        if (errors.Any) return (null, errors);
        var count = new CustomerCount { LocationId = input.LocationId!.Value, From = input.From!.Value, To = input.To!.Value, Customers = input.Customers!.Value, RecordedAt = now };
        db.CustomerCounts.Add(count);
        await db.SaveChangesAsync(ct);
        return (new CustomerCountDto(count.Id, count.LocationId, count.From, count.To, count.Customers), errors);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteCount(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.CustomerCounts.Where(s => s.Id == id).ExecuteDeleteAsync(ct) == 0 ? Problem.NotFound("Customer count") : TypedResults.NoContent();

    private static async Task<Ok<List<ReviewSourceDto>>> ListSources(OtklikDb db, CancellationToken ct) =>
        TypedResults.Ok((await db.ReviewSources.AsNoTracking().OrderBy(s => s.LocationId).ThenBy(s => s.Service).ToListAsync(ct)).Select(ReviewSourceDto.From).ToList());

    private static async Task<Errors> CheckSourceAsync(ReviewSourceInput input, OtklikDb db, CancellationToken ct)
    {
        var errors = new Errors();
        if (input.LocationId is not { } loc) errors.Add("locationId", "Required.");
        else if (!await db.Locations.AnyAsync(l => l.Id == loc, ct)) errors.Add("locationId", "Unknown location.");
        errors.Check(input.Service is not null && Enum.IsDefined(input.Service.Value), "service", $"One of: {string.Join(", ", Enum.GetNames<MapsService>())}.");
        errors.Check(Uri.TryCreate(input.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && input.Url!.Length <= Limits.Url,
            "url", "An absolute http or https address.");
        foreach (var (field, path, required) in new[] { ("totalPath", input.TotalPath, true), ("positivePath", input.PositivePath, false),
                     ("histogramPath", input.HistogramPath, false), ("averagePath", input.AveragePath, false) })
        {
            if (string.IsNullOrWhiteSpace(path)) { if (required) errors.Add(field, "Required, e.g. data.reviews.total."); continue; }
            if (path.Length > Limits.Name || !JsonPath.TryParse(path, out _)) errors.Add(field, "A dotted path such as data.reviews.total or items[0].count.");
        }
        errors.Check(!string.IsNullOrWhiteSpace(input.PositivePath) || !string.IsNullOrWhiteSpace(input.HistogramPath), "positivePath",
            "Give positivePath, histogramPath or both.");
        return errors;
    }

    private static void Apply(ReviewSource s, ReviewSourceInput input)
    {
        static string? Clean(string? x) => string.IsNullOrWhiteSpace(x) ? null : x.Trim();
        s.LocationId = input.LocationId!.Value;
        s.Service = input.Service!.Value;
        s.Url = input.Url!.Trim();
        s.TotalPath = input.TotalPath!.Trim();
        s.PositivePath = Clean(input.PositivePath);
        s.HistogramPath = Clean(input.HistogramPath);
        s.AveragePath = Clean(input.AveragePath);
        s.Enabled = input.Enabled ?? true;
    }

    private static async Task<Results<Created<ReviewSourceDto>, ValidationProblem>> PostSource(ReviewSourceInput input, OtklikDb db, CancellationToken ct)
    {
        var errors = await CheckSourceAsync(input, db, ct);
        if (errors.Any) return errors.ToProblem();
        var source = new ReviewSource { Url = "", TotalPath = "" };
        Apply(source, input);
        db.ReviewSources.Add(source);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/reviews/sources/{source.Id}", ReviewSourceDto.From(source));
    }

    private static async Task<Results<Ok<ReviewSourceDto>, ValidationProblem, ProblemHttpResult>> PutSource(Guid id, ReviewSourceInput input, OtklikDb db, CancellationToken ct)
    {
        var source = await db.ReviewSources.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (source is null) return Problem.NotFound("Review source");
        var errors = await CheckSourceAsync(input, db, ct);
        if (errors.Any) return errors.ToProblem();
        Apply(source, input);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ReviewSourceDto.From(source));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSource(Guid id, OtklikDb db, CancellationToken ct) =>
        await db.ReviewSources.Where(s => s.Id == id).ExecuteDeleteAsync(ct) == 0 ? Problem.NotFound("Review source") : TypedResults.NoContent();

    private static async Task<Results<Ok<SnapshotDto>, ProblemHttpResult>> Pull(Guid id, OtklikDb db, ReviewPuller puller, CancellationToken ct)
    {
        var source = await db.ReviewSources.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (source is null) return Problem.NotFound("Review source");
        var (snapshot, error) = await puller.PullAsync(db, source, ct);
        if (snapshot is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The review source could not be read.", detail: error);
        return TypedResults.Ok(SnapshotDto.From(snapshot, await SupportIndexData.MinRatingAsync(db, ct)));
    }
}
