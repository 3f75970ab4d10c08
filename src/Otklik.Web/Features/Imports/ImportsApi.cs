using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;
using Otklik.Web.Localization;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Imports;

public sealed record ImportRowErrorDto(int Row, string Message);

public sealed record ImportJobDto(
    Guid Id, string Kind, string FileName, string Format, string? Encoding, ImportStatus Status, int TotalRows, int ProcessedRows, int GoodRows, int BadRows,
    double Progress, string? Error, IReadOnlyDictionary<string, string> Mapping, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, DateTimeOffset? UndoneAt,
    IReadOnlyList<ImportRowErrorDto>? Errors = null, bool ErrorsTruncated = false)
{
    /// <summary>Good rows not written because they were already stored (idempotent kinds: visitor counts, POS sales).</summary>
    public int DuplicateRows { get; init; }

    public static ImportJobDto From(ImportJob j, IReadOnlyList<ImportRowErrorDto>? errors = null, bool truncated = false) => new(
        j.Id, j.Kind, j.FileName, j.Format, j.Encoding, j.Status, j.TotalRows, j.ProcessedRows, j.GoodRows, j.BadRows,
        j.TotalRows == 0 ? 1 : Math.Round((double)j.ProcessedRows / j.TotalRows, 4), j.Error,
        JsonSerializer.Deserialize<Dictionary<string, string>>(j.MappingJson) ?? [], j.CreatedAt, j.FinishedAt, j.UndoneAt, errors, truncated)
    {
        DuplicateRows = j.DuplicateRows,
    };
}

public sealed record ImportFieldDto(string Name, bool Required, ImportFieldType Type, string? Hint, IReadOnlyList<string> Aliases);

public sealed record ImportKindDto(string Kind, string Title, IReadOnlyList<ImportFieldDto> Fields);

/// <summary>Imports of CSV and Excel files: start (multipart), watch progress, download the bad rows, undo.</summary>
public static class ImportsApi
{
    /// <summary>At most this many bad rows are listed in GET /imports/{id}; errors.csv has them all.</summary>
    public const int MaxListedErrors = 5000;

    public static IEndpointRouteBuilder MapImports(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/imports").WithTags("Imports").RequireAuthorization(Policies.Manage);
        api.MapGet("/", List).WithSummary("The latest 100 imports");
        api.MapGet("/kinds", Kinds).WithSummary("What can be imported, with the fields of each kind");
        // The form is read by hand (no IFormFile binding), so the endpoint carries no antiforgery requirement; the UI
        // imports through the same service in-process, and the sign-in cookie is SameSite=Lax.
        api.MapPost("/", Start).DisableAntiforgery()
            .WithSummary("Start an import: multipart/form-data with file (CSV or .xlsx), kind (default feedback), mapping (JSON object field → column name; "
                + "unmapped fields are guessed from the column names) and encoding (utf-8 or windows-1251; default: detected)");
        api.MapGet("/{id:guid}", Get).WithSummary("Progress and result of an import, with the bad rows by row number (the header is row 1)");
        api.MapGet("/{id:guid}/errors.csv", ErrorsCsv).WithSummary("The bad rows as CSV: row number, message and the original cells");
        api.MapPost("/{id:guid}/undo", Undo).WithSummary("Delete everything the import created, in one transaction");
        return routes;
    }

    private static async Task<Ok<List<ImportJobDto>>> List(OtklikDb db, CancellationToken ct) =>
        TypedResults.Ok((await db.ImportJobs.AsNoTracking().OrderByDescending(j => j.CreatedAt).Take(100).ToListAsync(ct)).Select(j => ImportJobDto.From(j)).ToList());

    private static Ok<List<ImportKindDto>> Kinds(ImportTargets targets) =>
        TypedResults.Ok(targets.All.Select(t => new ImportKindDto(t.Kind, t.Title,
            t.Fields.Select(f => new ImportFieldDto(f.Name, f.Required, f.Type, f.Hint, f.Aliases)).ToList())).ToList());

    private static async Task<Results<Accepted<ImportJobDto>, ValidationProblem>> Start(
        HttpContext http, OtklikDb db, ImportTargets targets, ImportService imports, IStringLocalizer<Ui> L, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType) return Problem.Invalid("file", "Send multipart/form-data with the file in the field \"file\".");
        var form = await http.Request.ReadFormAsync(ct);
        var errors = new Errors();
        var target = targets.Find(form["kind"].FirstOrDefault() ?? FeedbackImportTarget.KindName);
        if (target is null) errors.Add("kind", $"Unknown kind. Use one of: {string.Join(", ", targets.All.Select(t => t.Kind))}.");
        var file = form.Files.GetFile("file");
        var max = imports.Options.MaxFileMegabytes * 1024L * 1024;
        if (file is null || file.Length == 0) errors.Add("file", "Attach a CSV or .xlsx file in the field \"file\".");
        else if (file.Length > max) errors.Add("file", $"The file is too large: at most {imports.Options.MaxFileMegabytes} MB.");
        Dictionary<string, string>? byHeader = null;
        var mappingText = form["mapping"].FirstOrDefault();
        if (!string.IsNullOrWhiteSpace(mappingText))
        {
            try { byHeader = JsonSerializer.Deserialize<Dictionary<string, string>>(mappingText); }
            catch (JsonException) { errors.Add("mapping", "The mapping must be a JSON object: {\"field\": \"column name\", …}."); }
        }
        if (errors.Any) return errors.ToProblem();

        ImportTable table;
        try
        {
            using var buffer = new MemoryStream((int)file!.Length);
            await file.CopyToAsync(buffer, ct);
            table = ImportFiles.Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), form["encoding"].FirstOrDefault(), imports.Options.MaxRows);
        }
        catch (ImportFileException e)
        {
            return Problem.Invalid("file", e.Message);
        }
        if (table.Rows.Count == 0) return Problem.Invalid("file", "The file has a header but no data rows.");

        // The columns named in the mapping; every other field is guessed from the column names.
        var guessed = ImportMapping.Guess(table.Headers, target!.Fields).ToHeaderNames(table.Headers);
        var explicitColumns = byHeader?.Where(m => !string.IsNullOrWhiteSpace(m.Value)).Select(m => m.Value.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var combined = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (field, header) in guessed)
            if (byHeader?.ContainsKey(field) != true && !explicitColumns.Contains(header)) combined[field] = header;
        foreach (var (field, header) in byHeader ?? []) combined[field] = header;
        var mapping = ImportMapping.FromHeaderNames(combined, table.Headers, target.Fields, errors, L);
        if (errors.Any) return errors.ToProblem();

        var job = await imports.StartAsync(db, target, table, mapping, file!.FileName, ct);
        return TypedResults.Accepted($"/api/v1/imports/{job.Id}", ImportJobDto.From(job));
    }

    private static async Task<Results<Ok<ImportJobDto>, ProblemHttpResult>> Get(Guid id, OtklikDb db, CancellationToken ct)
    {
        var job = await db.ImportJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct);
        if (job is null) return Problem.NotFound("Import");
        var errors = await db.ImportRowErrors.AsNoTracking().Where(e => e.ImportJobId == id).OrderBy(e => e.RowNumber).Take(MaxListedErrors + 1)
            .Select(e => new ImportRowErrorDto(e.RowNumber, e.Message)).ToListAsync(ct);
        var truncated = errors.Count > MaxListedErrors;
        return TypedResults.Ok(ImportJobDto.From(job, truncated ? errors[..MaxListedErrors] : errors, truncated));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ErrorsCsv(Guid id, OtklikDb db, CancellationToken ct)
    {
        var job = await db.ImportJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct);
        if (job is null) return Problem.NotFound("Import");
        var bytes = await BadRowsCsvAsync(db, job, ct);
        return TypedResults.File(bytes, "text/csv; charset=utf-8", $"otklik-import-{job.CreatedAt:yyyyMMdd-HHmm}-bad-rows.csv");
    }

    /// <summary>UTF-8 with BOM (Excel reads Cyrillic right): row, error, then the file's own columns.</summary>
    public static async Task<byte[]> BadRowsCsvAsync(OtklikDb db, ImportJob job, CancellationToken ct)
    {
        var headers = JsonSerializer.Deserialize<string[]>(job.HeadersJson) ?? [];
        using var buffer = new MemoryStream();
        var options = CsvWriterOptions.Default with { WriteByteOrderMark = true, FormatProvider = CultureInfo.InvariantCulture, Injection = CsvInjection.Escape };
        await using (var csv = CsvWriter.Create(buffer, options, leaveOpen: true))
        {
            csv.WriteHeader(["row", "error", .. headers]);
            await foreach (var e in db.ImportRowErrors.AsNoTracking().Where(e => e.ImportJobId == job.Id).OrderBy(e => e.RowNumber).AsAsyncEnumerable().WithCancellation(ct))
            {
                csv.WriteField(e.RowNumber.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(e.Message);
                foreach (var cell in JsonSerializer.Deserialize<string[]>(e.CellsJson) ?? []) csv.WriteField(cell);
                await csv.EndRecordAsync(ct);
            }
        }
        return buffer.ToArray();
    }

    private static async Task<Results<Ok<ImportJobDto>, ProblemHttpResult>> Undo(Guid id, OtklikDb db, ImportTargets targets, ImportService imports, CancellationToken ct)
    {
        var job = await db.ImportJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct);
        if (job is null) return Problem.NotFound("Import");
        if (await imports.UndoAsync(db, targets, job, ct) is { } conflict) return Problem.Conflict(conflict);
        return TypedResults.Ok(ImportJobDto.From(await db.ImportJobs.AsNoTracking().FirstAsync(j => j.Id == id, ct)));
    }
}
