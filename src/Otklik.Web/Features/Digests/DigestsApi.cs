using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Otklik.Core.Reports;
using CoreDigests = Otklik.Core.Reports.Digests;
using Otklik.Web.Data;
using Otklik.Web.Features.Reports;
using Otklik.Web.Infrastructure;
using Otklik.Web.Localization;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Digests;

/// <summary><c>?from=&amp;to=&amp;locationId=&amp;language=</c>: dates (yyyy-MM-dd, both included); by default the 30 days up to today.</summary>
public sealed record DigestPdfQuery(string? From, string? To, string? LocationId, string? Language);

/// <summary>The digest PDF on demand: the same document the scheduled e-mails carry, for any period and one or all visible locations.</summary>
public static class DigestsApi
{
    public static readonly int MaxDays = (int)ReportPeriod.MaxLength.TotalDays;

    public static IEndpointRouteBuilder MapDigests(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(Policies.Read)
            .MapGet("/digest.pdf", Pdf)
            .WithSummary("The digest as PDF: presses, green share, red rate, NPS, happiness and support index per location and in total, "
                + "with changes against the previous period of the same length and the top complaint causes");
        return routes;
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Pdf(
        [AsParameters] DigestPdfQuery q, OtklikDb db, TimeProvider time, IStringLocalizer<Ui> L, CancellationToken ct)
    {
        var errors = new Errors();
        Guid? location = null;
        if (!string.IsNullOrWhiteSpace(q.LocationId))
        {
            if (Guid.TryParse(q.LocationId, out var l)) location = l;
            else errors.Add("locationId", "Not a location id.");
        }
        var from = Date(q.From, "from", errors);
        var to = Date(q.To, "to", errors);
        if (errors.Any) return errors.ToProblem();
        var org = await db.Organizations.AsNoTracking().Select(o => new { o.TimeZone, o.Language }).FirstAsync(ct);
        var today = CoreDigests.LocalDate(time.GetUtcNow(), ButtonStats.Zone(org.TimeZone));
        var end = to ?? today;
        var start = from ?? end.AddDays(-29);
        errors.Check(start <= end, "to", "The end of the period must not be before its start.");
        errors.Check(end.DayNumber - start.DayNumber < MaxDays, "to", $"The period may be at most {MaxDays} days long.");
        if (errors.Any) return errors.ToProblem();
        if (location is { } id && !await db.Locations.AnyAsync(x => x.Id == id, ct)) return Problem.NotFound("Location");

        var language = q.Language?.Trim().ToLowerInvariant() is "ru" or "en" ? q.Language.Trim().ToLowerInvariant()
            : CultureInfo.CurrentUICulture.TwoLetterISOLanguageName is "ru" or "en" ? CultureInfo.CurrentUICulture.TwoLetterISOLanguageName : org.Language;
        var report = await DigestBuilder.BuildAsync(db, new DigestPeriod(start, end), location, language, ct);
        return TypedResults.File(DigestPdf.Render(report, L), "application/pdf", FileName(start, end));
    }

    public static string FileName(DateOnly from, DateOnly to) =>
        string.Create(CultureInfo.InvariantCulture, $"otklik-digest-{from:yyyy-MM-dd}-{to:yyyy-MM-dd}.pdf");

    private static DateOnly? Date(string? text, string field, Errors errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        errors.Add(field, "Use a date such as 2026-11-01.");
        return null;
    }
}
