using System.Globalization;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Reports;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Conversion;

/// <summary>
/// One row of a POS batch: a receipt (<c>receiptId</c>, <c>at</c>, count 1) or an interval's totals (<c>intervalId</c>,
/// <c>from</c>, <c>to</c>, <c>count</c>). The employee is optional: Otklik's staff id or their code in the POS (<c>employeeCode</c>).
/// </summary>
public sealed record SaleRow(
    Guid? LocationId, string? ReceiptId, string? IntervalId, DateTimeOffset? At, DateTimeOffset? From, DateTimeOffset? To,
    int? Count, decimal? Revenue, int? Items, Guid? StaffId, string? EmployeeCode);

public sealed record SalesBatch(IReadOnlyList<SaleRow?>? Sales);

/// <summary>How many rows were new and how many had been stored before (by location and receipt or interval id).</summary>
public sealed record SalesResult(int Accepted, int Duplicates);

public sealed record ConversionSettingsDto(
    IReadOnlyList<FunnelItem> Stages, IReadOnlyList<FunnelItem> Reasons, double? MinConversionPercent, decimal? MinAverageCheck,
    double? MinCoveragePercent, double? MinQualityPercent, int? MinFunnelEntries)
{
    public static ConversionSettingsDto From(ConversionSettings s) =>
        new(s.Stages, s.Reasons, s.MinConversionPercent, s.MinAverageCheck, s.MinCoveragePercent, s.MinQualityPercent, s.MinFunnelEntries);
}

public sealed record ConversionQuery(string? LocationId, string? From, string? To, string? Lang);

public static class SalesApi
{
    public const int MaxBatch = 1000;
    public const int MaxIdLength = 100;
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    public static IEndpointRouteBuilder MapConversion(this IEndpointRouteBuilder routes)
    {
        var sales = routes.MapGroup("/api/v1/sales").WithTags("Conversion").RequireAuthorization(Policies.Operate);
        sales.MapPost("/", PostSales)
            .WithSummary("POS receipts or interval totals, at most 1000 rows; idempotent by (location, receipt or interval id); a batch with any bad row is refused whole");

        var settings = routes.MapGroup("/api/v1/conversion/settings").WithTags("Conversion").RequireAuthorization(Policies.Read);
        settings.MapGet("/", GetSettings).WithSummary("Funnel stages and reasons, KPI thresholds");
        settings.MapPut("/", PutSettings).RequireAuthorization(Policies.Manage);

        var reports = routes.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(Policies.Read);
        reports.MapGet("/conversion", Conversion)
            .WithSummary("Conversion, average check, items per receipt and coverage per location, hour, weekday and employee, with heat maps")
            .WithDescription("from/to as in /stats/buttons (dates in each location's own time zone, default the last 30 days).");
        reports.MapGet("/conversion.csv", ConversionCsv).WithSummary("The per-location, per-hour and per-employee rows of /reports/conversion as CSV");
        reports.MapGet("/funnel", FunnelReport).WithSummary("Funnel: visitors reaching and leaving each stage, reasons, the biggest drop and its top reasons");
        reports.MapGet("/kpis", Kpis).WithSummary("Seller KPI matrix: conversion, average check, coverage, perceived quality, funnel entries, rated against thresholds");
        return routes;
    }

    private static async Task<Results<Ok<SalesResult>, ValidationProblem>> PostSales(SalesBatch batch, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var errors = new Errors();
        var rows = batch.Sales ?? [];
        if (rows.Count == 0) return Problem.Invalid("sales", "Send at least one row in \"sales\".");
        if (rows.Count > MaxBatch) return Problem.Invalid("sales", $"A batch may hold at most {MaxBatch} rows, not {rows.Count}.");

        var locationIds = rows.Where(r => r?.LocationId is not null).Select(r => r!.LocationId!.Value).Distinct().ToList();
        // The filter hides other organizations' locations and those outside a location manager's scope.
        var visible = (await db.Locations.AsNoTracking().Where(l => locationIds.Contains(l.Id)).Select(l => l.Id).ToListAsync(ct)).ToHashSet();
        var staffIds = rows.Where(r => r?.StaffId is not null).Select(r => r!.StaffId!.Value).Distinct().ToList();
        var staff = (await db.StaffMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.OrganizationId == db.Tenant.OrganizationId && staffIds.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct)).ToHashSet();
        var codes = rows.Where(r => !string.IsNullOrWhiteSpace(r?.EmployeeCode)).Select(r => r!.EmployeeCode!.Trim()).Distinct().ToList();
        var byCode = (await db.StaffMembers.IgnoreQueryFilters().AsNoTracking()
                .Where(s => s.OrganizationId == db.Tenant.OrganizationId && s.ExternalId != null && codes.Contains(s.ExternalId))
                .Select(s => new { s.Id, s.ExternalId }).ToListAsync(ct))
            .GroupBy(s => s.ExternalId!).ToDictionary(g => g.Key, g => g.Select(s => s.Id).ToList(), StringComparer.Ordinal);

        var now = time.GetUtcNow();
        var sales = new List<PosSale>();
        for (var i = 0; i < rows.Count; i++)
        {
            var before = errors.Fields.Sum(f => f.Value.Count);
            var r = rows[i];
            string F(string field) => $"sales[{i}].{field}";
            if (r is null)
            {
                errors.Add($"sales[{i}]", "Each row must be a JSON object.");
                continue;
            }
            if (r.LocationId is not { } loc) errors.Add(F("locationId"), "Required.");
            else if (!visible.Contains(loc)) errors.Add(F("locationId"), "Unknown location (or not one you may write to).");
            var receipt = Clean(r.ReceiptId);
            var interval = Clean(r.IntervalId);
            if ((receipt is null) == (interval is null)) errors.Add(F("receiptId"), "Give exactly one of receiptId (a receipt) or intervalId (an interval's totals).");
            if ((receipt ?? interval)?.Length > MaxIdLength) errors.Add(F(receipt is null ? "intervalId" : "receiptId"), $"At most {MaxIdLength} characters.");
            DateTimeOffset from = default, to = default;
            var count = r.Count ?? 1;
            if (receipt is not null)
            {
                if (r.At is not { } at) errors.Add(F("at"), "A receipt needs \"at\", the time it was printed, with an offset.");
                else (from, to) = (at, at);
                if (r.Count is not null and not 1) errors.Add(F("count"), "A receipt counts as 1; send intervals for totals.");
            }
            else if (interval is not null)
            {
                if (r.From is not { } f) errors.Add(F("from"), "An interval needs \"from\".");
                if (r.To is not { } t) errors.Add(F("to"), "An interval needs \"to\".");
                if (r.From is { } f2 && r.To is { } t2)
                {
                    if (t2 <= f2) errors.Add(F("to"), "\"to\" must be after \"from\".");
                    else if (t2 - f2 > MaxInterval) errors.Add(F("to"), $"An interval may be at most {MaxInterval.TotalHours:0} hours long.");
                    (from, to) = (f2, t2);
                }
                if (r.Count is null) errors.Add(F("count"), "An interval needs \"count\", its number of receipts.");
            }
            if (count is < 0 or > 1_000_000) errors.Add(F("count"), "Must be from 0 to 1000000.");
            if (from != default && from > now + TimeSpan.FromMinutes(5)) errors.Add(F(receipt is null ? "from" : "at"), "In the future.");
            if (from != default && from < now - TimeSpan.FromDays(400)) errors.Add(F(receipt is null ? "from" : "at"), "More than 400 days old.");
            long minor = 0;
            if (r.Revenue is not { } revenue) errors.Add(F("revenue"), "Required (0 is allowed).");
            else if (revenue < 0 || revenue > 1_000_000_000_000m) errors.Add(F("revenue"), "Must be from 0 to 1000000000000.");
            else if (decimal.Round(revenue, 2) != revenue) errors.Add(F("revenue"), "At most two decimal places (kopecks, cents).");
            else minor = (long)(revenue * 100);
            var items = r.Items ?? 0;
            if (items is < 0 or > 100_000_000) errors.Add(F("items"), "Must be from 0 to 100000000.");
            Guid? staffId = null;
            if (r.StaffId is { } sid)
            {
                if (staff.Contains(sid)) staffId = sid;
                else errors.Add(F("staffId"), "Unknown employee.");
            }
            else if (Clean(r.EmployeeCode) is { } code)
            {
                if (byCode.TryGetValue(code, out var found) && found.Count == 1) staffId = found[0];
                else errors.Add(F("employeeCode"), found is { Count: > 1 } ? "Several employees have this code." : "No employee has this code (staff \"external id\").");
            }
            if (errors.Fields.Sum(x => x.Value.Count) != before) continue;
            sales.Add(new PosSale
            {
                LocationId = r.LocationId!.Value, ExternalId = receipt is not null ? "r:" + receipt : "i:" + interval,
                From = from, To = to, Receipts = count, RevenueMinor = minor, Items = items, StaffMemberId = staffId, ReceivedAt = now,
            });
        }
        if (errors.Any) return TypedResults.ValidationProblem(errors.Fields.ToDictionary(e => e.Key, e => e.Value.ToArray()),
            title: "Some rows are invalid; nothing from this batch was stored.");

        // Two identical batches at once: the loser's insert hits the unique index; it then sees the winner's rows and retries once.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return TypedResults.Ok(await StoreAsync(db, sales, ct));
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private static async Task<SalesResult> StoreAsync(OtklikDb db, List<PosSale> sales, CancellationToken ct)
    {
        var locations = sales.Select(s => s.LocationId).Distinct().ToList();
        var ids = sales.Select(s => s.ExternalId).Distinct().ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var seen = (await db.PosSales.AsNoTracking().Where(s => locations.Contains(s.LocationId) && ids.Contains(s.ExternalId))
            .Select(s => new { s.LocationId, s.ExternalId }).ToListAsync(ct)).Select(s => (s.LocationId, s.ExternalId)).ToHashSet();
        var fresh = new List<PosSale>();
        foreach (var s in sales)
            if (seen.Add((s.LocationId, s.ExternalId))) fresh.Add(new PosSale
            {
                LocationId = s.LocationId, ExternalId = s.ExternalId, From = s.From, To = s.To, Receipts = s.Receipts,
                RevenueMinor = s.RevenueMinor, Items = s.Items, StaffMemberId = s.StaffMemberId, ReceivedAt = s.ReceivedAt,
            });
        db.PosSales.AddRange(fresh);
        await db.SaveChangesAsync(ct);
        // OrganizationId is stamped on save: count the stored rows into the rollups in the same transaction.
        await Rollups.RollupStore.AddAsync(db, fresh.Select(Rollups.RollupStore.Of), ct);
        await tx.CommitAsync(ct);
        return new SalesResult(fresh.Count, sales.Count - fresh.Count);
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static async Task<Ok<ConversionSettingsDto>> GetSettings(OtklikDb db, CancellationToken ct) =>
        TypedResults.Ok(ConversionSettingsDto.From(await ConversionStats.SettingsAsync(db, ct)));

    private static async Task<Results<Ok<ConversionSettingsDto>, ValidationProblem>> PutSettings(ConversionSettingsDto input, OtklikDb db, CancellationToken ct)
    {
        var errors = new Errors();
        CheckItems(input.Stages, "stages", errors);
        CheckItems(input.Reasons, "reasons", errors);
        if (input.Stages is { Count: 0 }) errors.Add("stages", "At least one stage.");
        errors.Check(input.MinConversionPercent is null or (>= 0 and <= 100), "minConversionPercent", "From 0 to 100.")
            .Check(input.MinCoveragePercent is null or (>= 0 and <= 1000), "minCoveragePercent", "From 0 to 1000.")
            .Check(input.MinQualityPercent is null or (>= 0 and <= 100), "minQualityPercent", "From 0 to 100.")
            .Check(input.MinAverageCheck is null or >= 0, "minAverageCheck", "Not negative.")
            .Check(input.MinFunnelEntries is null or >= 0, "minFunnelEntries", "Not negative.");
        if (errors.Any) return errors.ToProblem();
        var settings = await db.ConversionSettings.FirstOrDefaultAsync(ct);
        if (settings is null) db.ConversionSettings.Add(settings = new ConversionSettings { OrganizationId = db.Tenant.OrganizationId });
        settings.Stages = [.. input.Stages.Select(Trim)];
        settings.Reasons = [.. input.Reasons.Select(Trim)];
        settings.MinConversionPercent = input.MinConversionPercent;
        settings.MinAverageCheck = input.MinAverageCheck;
        settings.MinCoveragePercent = input.MinCoveragePercent;
        settings.MinQualityPercent = input.MinQualityPercent;
        settings.MinFunnelEntries = input.MinFunnelEntries;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ConversionSettingsDto.From(settings));
    }

    private static FunnelItem Trim(FunnelItem i) => new(i.Key.Trim(), i.NameRu.Trim(), i.NameEn.Trim());

    private static void CheckItems(IReadOnlyList<FunnelItem>? items, string field, Errors errors)
    {
        if (items is null)
        {
            errors.Add(field, "Required.");
            return;
        }
        if (items.Count > 30) errors.Add(field, "At most 30.");
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var it = items[i];
            if (it is null || string.IsNullOrWhiteSpace(it.Key) || it.Key.Trim().Length > Limits.Slug) errors.Add($"{field}[{i}].key", $"1 to {Limits.Slug} characters.");
            else if (!keys.Add(it.Key.Trim())) errors.Add($"{field}[{i}].key", "Listed twice.");
            if (it is not null && (string.IsNullOrWhiteSpace(it.NameRu) || string.IsNullOrWhiteSpace(it.NameEn) || it.NameRu.Length > Limits.Name || it.NameEn.Length > Limits.Name))
                errors.Add($"{field}[{i}].name", "Both names are required.");
        }
    }

    private static async Task<(ReportPeriod? Period, Guid? LocationId, IResult? Problem)> ReadAsync(ConversionQuery q, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var errors = new Errors();
        Guid? locationId = null;
        if (!string.IsNullOrWhiteSpace(q.LocationId))
        {
            if (Guid.TryParse(q.LocationId, out var l)) locationId = l;
            else errors.Add("locationId", "Not a location id.");
        }
        var period = ReportPeriod.Parse(q.From, q.To, time.GetUtcNow(), errors);
        if (errors.Any) return (null, null, errors.ToProblem());
        if (locationId is { } id && !await db.Locations.AnyAsync(x => x.Id == id, ct)) return (null, null, Problem.NotFound("Location"));
        return (period, locationId, null);
    }

    private static async Task<IResult> Conversion([AsParameters] ConversionQuery q, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (period, location, problem) = await ReadAsync(q, db, time, ct);
        return problem ?? TypedResults.Ok(await ConversionStats.ComputeAsync(db, period!, location, ct));
    }

    private static async Task<IResult> Kpis([AsParameters] ConversionQuery q, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (period, location, problem) = await ReadAsync(q, db, time, ct);
        return problem ?? TypedResults.Ok(await ConversionStats.KpisAsync(db, period!, location, ct));
    }

    private static async Task<IResult> FunnelReport([AsParameters] ConversionQuery q, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (period, location, problem) = await ReadAsync(q, db, time, ct);
        return problem ?? TypedResults.Ok(await ConversionStats.FunnelAsync(db, period!, location, q.Lang ?? "en", ct));
    }

    private static async Task<IResult> ConversionCsv([AsParameters] ConversionQuery q, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var (period, location, problem) = await ReadAsync(q, db, time, ct);
        if (problem is not null) return problem;
        var report = await ConversionStats.ComputeAsync(db, period!, location, ct);
        return TypedResults.File(await ToCsvAsync(report, ct), "text/csv; charset=utf-8", "otklik-conversion.csv");
    }

    public static readonly string[] CsvHeader = ["group", "key", "label", "visitors", "receipts", "revenue", "items", "salesAttempts", "conversion", "averageCheck", "itemsPerReceipt", "coverage"];

    /// <summary>UTF-8 with a BOM, invariant numbers, one row per location, hour, weekday and employee, then the total.</summary>
    internal static async Task<byte[]> ToCsvAsync(ConversionReport report, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var options = CsvWriterOptions.Default with { WriteByteOrderMark = true, FormatProvider = CultureInfo.InvariantCulture, Injection = CsvInjection.Escape };
        await using (var csv = CsvWriter.Create(buffer, options, leaveOpen: true))
        {
            csv.WriteHeader(CsvHeader);
            var groups = new (string, IEnumerable<ConversionRow>)[]
            {
                ("location", report.Locations), ("hour", report.Hours), ("weekday", report.Weekdays), ("staff", report.Staff), ("total", [report.Totals]),
            };
            var inv = CultureInfo.InvariantCulture;
            foreach (var (group, rows) in groups)
                foreach (var r in rows)
                {
                    csv.WriteField(group);
                    csv.WriteField(r.Key);
                    csv.WriteField(r.Label);
                    csv.WriteField(r.Visitors, "");
                    csv.WriteField(r.Receipts, "");
                    csv.WriteField(r.Revenue.ToString("0.00", inv));
                    csv.WriteField(r.Items, "");
                    csv.WriteField(r.SalesAttempts, "");
                    csv.WriteField(r.Conversion?.ToString("0.####", inv) ?? "");
                    csv.WriteField(r.AverageCheck?.ToString("0.00", inv) ?? "");
                    csv.WriteField(r.ItemsPerReceipt?.ToString("0.####", inv) ?? "");
                    csv.WriteField(r.Coverage?.ToString("0.####", inv) ?? "");
                    await csv.EndRecordAsync(ct);
                }
        }
        return buffer.ToArray();
    }
}
