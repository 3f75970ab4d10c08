using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Imports;

public enum ImportStatus
{
    Queued = 0,
    Running = 1,
    Completed = 2,
    /// <summary>Stopped by an error or a restart; the rows already written stay until the import is undone.</summary>
    Failed = 3,
    Undone = 4,
}

/// <summary>
/// One import of a file: its settings, live progress, and the bad rows. Every row it creates carries its id, so that
/// undo deletes exactly those rows in one transaction.
/// </summary>
public sealed class ImportJob : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public required string Kind { get; set; }
    public required string FileName { get; set; }
    /// <summary>"csv" or "xlsx".</summary>
    public required string Format { get; set; }
    public string? Encoding { get; set; }
    /// <summary>The file's column names, JSON array (for the bad-rows file).</summary>
    public required string HeadersJson { get; set; }
    /// <summary>Field → column name, JSON object.</summary>
    public required string MappingJson { get; set; }
    /// <summary>Language of the row messages ("ru" or "en"): the one of whoever started it.</summary>
    public string Language { get; set; } = "en";
    public ImportStatus Status { get; set; }
    public int TotalRows { get; set; }
    public int ProcessedRows { get; set; }
    public int GoodRows { get; set; }
    /// <summary>Good rows not written because they were stored before (an earlier import of the same file, the API) or repeat a row of the file.</summary>
    public int DuplicateRows { get; set; }
    public int BadRows { get; set; }
    public string? Error { get; set; }
    public Guid? CreatedByUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? UndoneAt { get; set; }

    public bool IsActive => Status is ImportStatus.Queued or ImportStatus.Running;
}

/// <summary>A row that was not imported: its number in the file, why, and its cells (JSON array) for the bad-rows file.</summary>
public sealed class ImportRowError : ITenantOwned
{
    public Guid ImportJobId { get; set; }
    public int RowNumber { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Message { get; set; }
    public required string CellsJson { get; set; }
}
