using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClosedXML.Excel;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Otklik.Core.Bonus;
using Otklik.Core.Metrics;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Metrics;
using Otklik.Web.Features.Reports;
using Otklik.Web.Features.Reviews;
using Otklik.Web.Features.Surveys;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Bonus;

public sealed record BonusComponentDto(BonusMetric Metric, decimal Weight, double Threshold);

/// <summary>An organization's bonus rule, as <see cref="BonusRule"/>.</summary>
public sealed record BonusRuleDto(decimal BaseFund, decimal? CapPerEmployee, IReadOnlyList<BonusComponentDto>? Components)
{
    public static readonly BonusRuleDto Default = new(0m, null,
    [
        new(BonusMetric.SupportIndex, 2m, 0.004), new(BonusMetric.GreenShare, 5m, 0.8), new(BonusMetric.Nps, 3m, 30),
    ]);

    public BonusRule ToRule() => new(BaseFund, [.. (Components ?? []).Select(c => new BonusComponent(c.Metric, c.Weight, c.Threshold))], CapPerEmployee);
}

/// <summary>What went into one employee's statement, from the rollups, cases, surveys and review snapshots.</summary>
/// <param name="ExcludedRedPresses">Red presses left out because their case was qualified as consumer terrorism.</param>
public sealed record BonusInputs(long GreenPresses, long RedPresses, long ExcludedRedPresses, long NewPositiveReviews, long? CustomersServed,
    CustomerCountSource CustomerSource, int Promoters, int Passives, int Detractors);

public sealed record EmployeeBonus(Guid StaffId, string Name, Guid LocationId, string Location, BonusInputs Inputs, IReadOnlyList<BonusLine> Lines,
    decimal Subtotal, decimal? Cap, decimal Total, bool IsCapped);

public sealed record BonusStatementReport(string Period, decimal BaseFund, decimal? CapPerEmployee, decimal Allocated, decimal Unallocated,
    IReadOnlyList<EmployeeBonus> Employees);

public sealed record BonusQuery(string? Period);

/// <summary>
/// The bonus fund: the organization's rule (<see cref="BonusRule"/>) and the monthly statement per employee. Inputs per employee for a
/// calendar month in their location's time zone: green and red presses attributed to them (hourly rollups), minus red presses whose case was
/// qualified as consumer terrorism; NPS of survey answers at a location during their shifts there; the support index of their location.
/// </summary>
public static class BonusApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static IEndpointRouteBuilder MapBonus(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/bonus").WithTags("Bonus").RequireAuthorization(Policies.Manage);
        api.MapGet("/rule", GetRule).WithSummary("The organization's bonus rule (a default with a zero fund until one is saved)");
        api.MapPut("/rule", PutRule).WithSummary("Saves the bonus rule: base fund, cap per employee, components (metric, weight, threshold)");
        api.MapGet("/statement", GetStatement)
            .WithSummary("Monthly bonus statement per employee, line by line: ?period=YYYY-MM")
            .Produces<BonusStatementReport>().ProducesValidationProblem();
        api.MapGet("/statement.csv", async ([AsParameters] BonusQuery q, OtklikDb db, CancellationToken ct) =>
                await StatementAsync(q, db, ct) is (BonusStatementReport r, null) ? TypedResults.File(ToCsv(r), "text/csv; charset=utf-8", $"otklik-bonus-{r.Period}.csv") : (await StatementAsync(q, db, ct)).Problem!)
            .WithSummary("The statement as CSV: one row per employee and line (UTF-8 with BOM, invariant numbers)")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesValidationProblem();
        api.MapGet("/statement.xlsx", async ([AsParameters] BonusQuery q, OtklikDb db, CancellationToken ct) =>
                await StatementAsync(q, db, ct) is (BonusStatementReport r, null)
                    ? TypedResults.File(ToXlsx(r), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"otklik-bonus-{r.Period}.xlsx")
                    : (await StatementAsync(q, db, ct)).Problem!)
            .WithSummary("The statement as an Excel workbook")
            .Produces(StatusCodes.Status200OK, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").ProducesValidationProblem();
        return routes;
    }

    public static async Task<BonusRuleDto> RuleAsync(OtklikDb db, CancellationToken ct)
    {
        var json = await db.BonusSettings.AsNoTracking().Select(s => s.RuleJson).FirstOrDefaultAsync(ct);
        return json is null ? BonusRuleDto.Default : JsonSerializer.Deserialize<BonusRuleDto>(json, Json) ?? BonusRuleDto.Default;
    }

    private static async Task<Ok<BonusRuleDto>> GetRule(OtklikDb db, CancellationToken ct) => TypedResults.Ok(await RuleAsync(db, ct));

    public static Errors Validate(BonusRuleDto? input)
    {
        var errors = new Errors();
        if (input is null) return errors.Add("", "Send the rule as JSON.");
        errors.Check(input.BaseFund is >= 0 and <= 1_000_000_000_000m, "baseFund", "From 0 to 1000000000000.")
            .Check(decimal.Round(input.BaseFund, 2) == input.BaseFund, "baseFund", "At most two decimal places.")
            .Check(input.CapPerEmployee is null or (>= 0 and <= 1_000_000_000_000m), "capPerEmployee", "Empty, or from 0 to 1000000000000.");
        var components = input.Components;
        if (components is null || components.Count == 0) return errors.Add("components", "At least one component.");
        if (components.Count > Enum.GetValues<BonusMetric>().Length) errors.Add("components", "At most one component per metric.");
        for (var i = 0; i < components.Count; i++)
        {
            var c = components[i];
            string F(string f) => $"components[{i}].{f}";
            if (c is null) { errors.Add($"components[{i}]", "Each component must be a JSON object."); continue; }
            if (!Enum.IsDefined(c.Metric)) { errors.Add(F("metric"), $"One of: {string.Join(", ", Enum.GetNames<BonusMetric>())}."); continue; }
            errors.Check(c.Weight is >= 0 and <= 1000, F("weight"), "From 0 to 1000.");
            var (min, max) = c.Metric switch { BonusMetric.GreenShare => (0d, 1d), BonusMetric.Nps => (-100d, 100d), _ => (0d, 1d) };
            errors.Check(double.IsFinite(c.Threshold) && c.Threshold >= min && c.Threshold <= max, F("threshold"),
                string.Create(CultureInfo.InvariantCulture, $"From {min} to {max} for {c.Metric}."));
            if (components.Take(i).Any(o => o?.Metric == c.Metric)) errors.Add(F("metric"), "A metric may appear in only one component.");
        }
        if (!errors.Any && components.Sum(c => c.Weight) <= 0) errors.Add("components", "The total weight must be positive.");
        return errors;
    }

    private static async Task<Results<Ok<BonusRuleDto>, ValidationProblem>> PutRule(BonusRuleDto? input, OtklikDb db, TimeProvider time, CancellationToken ct)
    {
        var errors = Validate(input);
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(await SaveRuleAsync(db, input!, time.GetUtcNow(), ct));
    }

    /// <summary>Stores a rule that passed <see cref="Validate"/>.</summary>
    public static async Task<BonusRuleDto> SaveRuleAsync(OtklikDb db, BonusRuleDto input, DateTimeOffset now, CancellationToken ct)
    {
        var rule = input with { Components = [.. input.Components!] };
        var settings = await db.BonusSettings.FirstOrDefaultAsync(ct);
        if (settings is null) db.BonusSettings.Add(settings = new BonusSettings { OrganizationId = db.Tenant.OrganizationId, RuleJson = "" });
        settings.RuleJson = JsonSerializer.Serialize(rule, Json);
        settings.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return rule;
    }

    private static async Task<IResult> GetStatement([AsParameters] BonusQuery q, OtklikDb db, CancellationToken ct) =>
        await StatementAsync(q, db, ct) is (BonusStatementReport r, null) ? TypedResults.Ok(r) : (await StatementAsync(q, db, ct)).Problem!;

    public static bool TryMonth(string? text, out DateOnly first) =>
        DateOnly.TryParseExact((text ?? "").Trim() + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out first);

    public static async Task<(BonusStatementReport? Report, IResult? Problem)> StatementAsync(BonusQuery q, OtklikDb db, CancellationToken ct)
    {
        if (!TryMonth(q.Period, out var first) || first.Year < 2000 || first.Year > 2100)
            return (null, Problem.Invalid("period", "A month as YYYY-MM, e.g. 2026-03."));
        return (await ComputeAsync(db, first, ct), null);
    }

    /// <summary>The statement of the month starting at <paramref name="first"/> for the employees the caller can see.</summary>
    public static async Task<BonusStatementReport> ComputeAsync(OtklikDb db, DateOnly first, CancellationToken ct)
    {
        var ruleDto = await RuleAsync(db, ct);
        var period = new ReportPeriod(PeriodBound.OfDate(first), PeriodBound.OfDate(first.AddMonths(1).AddDays(-1)));
        var places = await MetricsEngine.PlacesAsync(db, period, null, ct);
        var byPlace = places.ToDictionary(p => p.Id);
        var staff = await db.StaffMembers.AsNoTracking().Select(s => new { s.Id, s.Name, s.LocationId, s.Active }).ToListAsync(ct);

        // Presses per employee (rollups), each location's own month.
        var cells = await MetricsEngine.CellsAsync(db, places, p => (p.Start, p.End), MetricsEngine.Dims.Staff, MetricsSource.Rollups, [], ct);
        var presses = cells.Where(c => c.StaffKey != Guid.Empty).GroupBy(c => c.StaffKey)
            .ToDictionary(g => g.Key, g => (Green: g.Sum(c => c.Counts.Green), Red: g.Sum(c => c.Counts.Red)));

        // Red presses behind consumer-terrorism cases.
        var minStart = places.Count == 0 ? default : places.Min(p => p.Start);
        var maxEnd = places.Count == 0 ? default : places.Max(p => p.End);
        var excludedIds = db.Cases.ExcludedPressIds();
        var excluded = (await db.ButtonPresses.AsNoTracking()
                .Where(p => p.Type == PressType.Red && !p.Suppressed && p.StaffMemberId != null && p.OccurredAt >= minStart && p.OccurredAt < maxEnd
                    && excludedIds.Contains(p.Id))
                .Select(p => new { p.StaffMemberId, p.LocationId, p.OccurredAt }).ToListAsync(ct))
            .Where(p => byPlace.TryGetValue(p.LocationId, out var place) && p.OccurredAt >= HourStart(place.Start) && p.OccurredAt < place.End)
            .GroupBy(p => p.StaffMemberId!.Value).ToDictionary(g => g.Key, g => (long)g.Count());

        // NPS answers at a location during the employee's shifts there.
        var shifts = await db.Shifts.AsNoTracking().Where(s => s.StartsAt < maxEnd && s.EndsAt > minStart)
            .Select(s => new { s.StaffMemberId, s.LocationId, s.StartsAt, s.EndsAt }).ToListAsync(ct);
        var npsSurveys = db.Surveys.Where(s => s.KeyKind == KeyQuestionKind.Nps).Select(s => s.Id);
        var answers = await db.SurveyResponses.AsNoTracking()
            .Where(r => !r.Declined && r.KeyScore != null && r.CreatedAt >= minStart && r.CreatedAt < maxEnd && npsSurveys.Contains(r.SurveyId))
            .Select(r => new { r.LocationId, r.CreatedAt, Score = r.KeyScore!.Value }).ToListAsync(ct);
        var answersByLocation = answers.ToLookup(a => a.LocationId);
        var nps = new Dictionary<Guid, (int P, int N, int D)>();
        foreach (var shift in shifts)
        {
            if (!byPlace.TryGetValue(shift.LocationId, out var place)) continue;
            var from = shift.StartsAt > place.Start ? shift.StartsAt : place.Start;
            var to = shift.EndsAt < place.End ? shift.EndsAt : place.End;
            var (p, n, d) = nps.GetValueOrDefault(shift.StaffMemberId);
            foreach (var a in answersByLocation[shift.LocationId].Where(a => a.CreatedAt >= from && a.CreatedAt < to))
            {
                if (a.Score >= 9) p++;
                else if (a.Score >= 7) n++;
                else d++;
            }
            nps[shift.StaffMemberId] = (p, n, d);
        }

        var support = await SupportIndexData.ComputeAsync(db, places, ct);

        var employees = staff.Where(s => byPlace.ContainsKey(s.LocationId) && (s.Active || presses.ContainsKey(s.Id)))
            .OrderBy(s => s.Name, StringComparer.CurrentCulture).ThenBy(s => s.Id).ToList();
        var inputs = new List<BonusInputs>();
        var counts = new List<EmployeePeriodCounts>();
        foreach (var e in employees)
        {
            var (green, red) = presses.GetValueOrDefault(e.Id);
            var cut = Math.Min(red, excluded.GetValueOrDefault(e.Id));
            var (p, n, d) = nps.GetValueOrDefault(e.Id);
            var s = support[e.LocationId].Result;
            inputs.Add(new BonusInputs(green, red - cut, cut, s.NewPositiveReviews, s.CustomersServed, s.Source, p, n, d));
            counts.Add(new EmployeePeriodCounts(e.Id.ToString(), green, red - cut, s.NewPositiveReviews, s.CustomersServed ?? 0, p, n, d));
        }
        var result = ruleDto.ToRule().Calculate(counts);
        var list = employees.Select((e, i) =>
        {
            var st = result.Statements[i];
            return new EmployeeBonus(e.Id, e.Name, e.LocationId, byPlace[e.LocationId].Name, inputs[i], st.Lines, st.Subtotal, st.Cap, st.Total, st.IsCapped);
        }).ToList();
        return new BonusStatementReport(first.ToString("yyyy-MM", CultureInfo.InvariantCulture), result.BaseFund, ruleDto.CapPerEmployee, result.Allocated,
            result.Unallocated, list);
    }

    private static DateTimeOffset HourStart(DateTimeOffset t) => Otklik.Core.Rollups.HourlyBucket.HourStart(t);

    public static readonly string[] Header =
    [
        "employee", "location", "metric", "value", "threshold", "weight", "componentFund", "eligibleEmployees", "metThreshold", "amount", "explanation",
        "green", "red", "excludedRed", "newPositiveReviews", "customersServed", "promoters", "passives", "detractors", "subtotal", "cap", "total",
    ];

    private static IEnumerable<object?[]> Rows(BonusStatementReport r) =>
        r.Employees.SelectMany(e => e.Lines.Select(l => new object?[]
        {
            e.Name, e.Location, l.Metric.ToString(), l.Value, l.Threshold, (double)l.Weight, l.ComponentFund, l.EligibleEmployees, l.MetThreshold, l.Amount, l.Explanation,
            e.Inputs.GreenPresses, e.Inputs.RedPresses, e.Inputs.ExcludedRedPresses, e.Inputs.NewPositiveReviews, e.Inputs.CustomersServed,
            e.Inputs.Promoters, e.Inputs.Passives, e.Inputs.Detractors, e.Subtotal, e.Cap, e.Total,
        }));

    private static string Text(object? v) => v switch
    {
        null => "",
        double d => d.ToString("0.######", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.00", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    public static byte[] ToCsv(BonusStatementReport report)
    {
        using var buffer = new MemoryStream();
        var options = CsvWriterOptions.Default with { WriteByteOrderMark = true, FormatProvider = CultureInfo.InvariantCulture, Injection = CsvInjection.Escape };
        using (var csv = CsvWriter.Create(buffer, options, leaveOpen: true))
        {
            csv.WriteHeader(Header);
            foreach (var row in Rows(report))
            {
                foreach (var v in row) csv.WriteField(Text(v));
                csv.EndRecord();
            }
        }
        return buffer.ToArray();
    }

    public static byte[] ToXlsx(BonusStatementReport report)
    {
        using var book = new XLWorkbook();
        var ws = book.Worksheets.Add("Bonus " + report.Period);
        for (var c = 0; c < Header.Length; c++) ws.Cell(1, c + 1).Value = Header[c];
        var r = 2;
        foreach (var row in Rows(report))
        {
            for (var c = 0; c < row.Length; c++)
            {
                var cell = ws.Cell(r, c + 1);
                switch (row[c])
                {
                    case null: break;
                    case string s: cell.SetValue(s); break;
                    case long l: cell.Value = l; break;
                    case int i: cell.Value = i; break;
                    case double d: cell.Value = d; break;
                    case decimal m: cell.Value = m; break;
                    case bool b: cell.Value = b; break;
                    default: cell.SetValue(row[c]!.ToString()); break;
                }
            }
            r++;
        }
        ws.Row(1).Style.Font.Bold = true;
        ws.Column(1).Width = 24;
        ws.Column(11).Width = 60;
        using var stream = new MemoryStream();
        book.SaveAs(stream);
        return stream.ToArray();
    }
}
