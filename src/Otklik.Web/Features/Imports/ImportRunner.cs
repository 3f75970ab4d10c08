using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Localization;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Imports;

public sealed class ImportOptions
{
    public const string Section = "Otklik:Imports";
    /// <summary>Largest file accepted, in megabytes.</summary>
    public int MaxFileMegabytes { get; set; } = 25;
    public int MaxRows { get; set; } = 500_000;
    /// <summary>Rows written (and progress reported) per transaction.</summary>
    public int BatchSize { get; set; } = 2000;
}

/// <summary>The import kinds the app knows, by <see cref="IImportTarget.Kind"/>.</summary>
public sealed class ImportTargets(IEnumerable<IImportTarget> targets)
{
    public IReadOnlyList<IImportTarget> All { get; } = [.. targets];

    public IImportTarget? Find(string? kind) => All.FirstOrDefault(t => string.Equals(t.Kind, kind?.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>A row of the preview: its number, and the good row or the error.</summary>
public sealed record PreviewRow(int Number, string[] Cells, string? Error);

/// <summary>Starting, previewing and undoing imports: shared by the API and the import page.</summary>
public sealed class ImportService(ImportRunner runner, TimeProvider time, IOptions<ImportOptions> options)
{
    public const int PreviewRows = 20;

    public ImportOptions Options => options.Value;

    public async Task<List<PreviewRow>> PreviewAsync(OtklikDb db, IImportTarget target, ImportTable table, ImportMapping mapping, IStringLocalizer<Ui> L, CancellationToken ct)
    {
        var session = await target.BeginAsync(db, new ImportContext(db.Tenant.OrganizationId, time.GetUtcNow(), L), ct);
        return [.. table.Rows.Take(PreviewRows).Select(r => new PreviewRow(r.Number, r.Cells, RowChecker.Check(r, mapping, target.Fields, session, L).Error))];
    }

    /// <summary>Records the job and queues it; the rows are written in the background.</summary>
    public async Task<ImportJob> StartAsync(OtklikDb db, IImportTarget target, ImportTable table, ImportMapping mapping, string fileName, CancellationToken ct)
    {
        var job = new ImportJob
        {
            OrganizationId = db.Tenant.OrganizationId, Kind = target.Kind, FileName = Path.GetFileName(fileName) is { Length: > 0 } f ? f[..Math.Min(f.Length, Limits.Name)] : "file",
            Format = table.Format, Encoding = table.Encoding, HeadersJson = JsonSerializer.Serialize(table.Headers),
            MappingJson = JsonSerializer.Serialize(mapping.ToHeaderNames(table.Headers)),
            Language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ru" ? "ru" : "en",
            Status = ImportStatus.Queued, TotalRows = table.Rows.Count, CreatedByUserId = db.Tenant.UserId, CreatedAt = time.GetUtcNow(),
        };
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(ct);
        await runner.EnqueueAsync(new ImportWork(job.Id, job.OrganizationId, target, table, mapping), ct);
        return job;
    }

    /// <summary>Deletes every row the import created and marks it undone, in one transaction. Null: done; otherwise why not.</summary>
    public async Task<string?> UndoAsync(OtklikDb db, ImportTargets targets, ImportJob job, CancellationToken ct)
    {
        if (job.IsActive) return "The import is still running; undo it when it has finished.";
        if (job.Status == ImportStatus.Undone) return "The import has already been undone.";
        var target = targets.Find(job.Kind) ?? throw new InvalidOperationException($"Unknown import kind {job.Kind}.");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await target.UndoAsync(db, job.Id, ct);
        // Only a job that is still finished is undone: a second undo racing this one changes nothing.
        var changed = await db.ImportJobs.Where(j => j.Id == job.Id && j.Status == job.Status)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, ImportStatus.Undone).SetProperty(j => j.UndoneAt, time.GetUtcNow()), ct);
        if (changed == 0) return "The import has already been undone.";
        await tx.CommitAsync(ct);
        return null;
    }
}

public sealed record ImportWork(Guid JobId, Guid OrganizationId, IImportTarget Target, ImportTable Table, ImportMapping Mapping);

/// <summary>
/// Runs queued imports one after another in the background: rows are checked and written in batches, each batch in
/// one transaction together with the progress counters and its bad rows, so progress always matches what is stored.
/// The queue lives in this process; a job cut short by a restart is marked failed at start (undo removes its rows).
/// </summary>
public sealed class ImportRunner(IServiceScopeFactory scopes, TimeProvider time, IOptions<ImportOptions> options, ILogger<ImportRunner> log) : BackgroundService
{
    private readonly Channel<ImportWork> _queue = Channel.CreateUnbounded<ImportWork>(new UnboundedChannelOptions { SingleReader = true });

    public ValueTask EnqueueAsync(ImportWork work, CancellationToken ct) => _queue.Writer.WriteAsync(work, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await FailInterruptedAsync(stoppingToken);
        await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RunAsync(work, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            // Whatever went wrong, the job is marked failed and the worker goes on with the next one.
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Import {Job} failed", work.JobId);
                await MarkFailedAsync(work.JobId, "The import stopped because of an error. Rows imported so far are kept; undo the import to remove them.", CancellationToken.None);
            }
        }
    }

    private async Task FailInterruptedAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
            await db.ImportJobs.Where(j => j.Status == ImportStatus.Queued || j.Status == ImportStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, ImportStatus.Failed).SetProperty(j => j.FinishedAt, time.GetUtcNow())
                    .SetProperty(j => j.Error, "The server restarted during the import. Rows imported so far are kept; undo the import to remove them."), ct);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            // The schema may not exist yet on a first start; the initializer creates it and there is nothing to fail.
            log.LogDebug(e, "Could not look for interrupted imports");
        }
    }

    private async Task RunAsync(ImportWork work, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetOrganization(work.OrganizationId);
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var job = await db.ImportJobs.FirstOrDefaultAsync(j => j.Id == work.JobId, ct);
        if (job is null || job.Status != ImportStatus.Queued) return;

        var culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(job.Language);
        try
        {
            var L = scope.ServiceProvider.GetRequiredService<IStringLocalizer<Ui>>();
            job.Status = ImportStatus.Running;
            job.StartedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);

            var session = await work.Target.BeginAsync(db, new ImportContext(work.OrganizationId, time.GetUtcNow(), L), ct);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            // All or nothing: every row is checked before anything is written; one bad row and the file is refused.
            RowCheck[]? checks = null;
            if (work.Target.AllOrNothing)
            {
                checks = [.. work.Table.Rows.Select(row => RowChecker.Check(row, work.Mapping, work.Target.Fields, session, L))];
                if (checks.Any(c => c.Row is null))
                {
                    await RefuseAsync(db, job, work.Table, checks, ct);
                    return;
                }
            }
            var offset = 0;
            foreach (var batch in work.Table.Rows.Chunk(Math.Max(1, options.Value.BatchSize)))
            {
                var good = new List<object>(batch.Length);
                for (var i = 0; i < batch.Length; i++)
                {
                    var row = batch[i];
                    var check = checks is null ? RowChecker.Check(row, work.Mapping, work.Target.Fields, session, L) : checks[offset + i];
                    if (check.Row is { } ok) good.Add(ok);
                    else db.ImportRowErrors.Add(BadRow(job, row, check));
                }
                offset += batch.Length;
                // One transaction a batch: its rows, what they add to the rollups, and the job's progress.
                await using (var tx = await db.Database.BeginTransactionAsync(ct))
                {
                    await session.WriteAsync(db, good, job.Id, ct);
                    job.ProcessedRows += batch.Length;
                    var duplicates = (session as IReportsDuplicates)?.TakeDuplicates() ?? 0;
                    job.GoodRows += good.Count - duplicates;
                    job.DuplicateRows += duplicates;
                    job.BadRows += batch.Length - good.Count;
                    db.Entry(job).State = EntityState.Modified;
                    db.ChangeTracker.DetectChanges();
                    await db.SaveChangesAsync(ct);
                    await tx.CommitAsync(ct);
                }
                db.ChangeTracker.Clear();
                db.ImportJobs.Attach(job);
            }
            job.Status = ImportStatus.Completed;
            job.FinishedAt = time.GetUtcNow();
            db.Entry(job).State = EntityState.Modified;
            await db.SaveChangesAsync(ct);
            log.LogInformation("Import {Job}: {Good} rows imported, {Duplicates} already there, {Bad} bad", job.Id, job.GoodRows, job.DuplicateRows, job.BadRows);
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }
    }

    private static ImportRowError BadRow(ImportJob job, ImportRow row, RowCheck check) => new()
    {
        ImportJobId = job.Id, OrganizationId = job.OrganizationId, RowNumber = row.Number,
        Message = Truncate(check.Error ?? "?", Limits.LongText), CellsJson = JsonSerializer.Serialize(row.Cells),
    };

    /// <summary>Lists the bad rows of an all-or-nothing import and marks it failed; no row of the file is written.</summary>
    private async Task RefuseAsync(OtklikDb db, ImportJob job, ImportTable table, RowCheck[] checks, CancellationToken ct)
    {
        var bad = 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var chunk in table.Rows.Select((row, i) => (row, check: checks[i])).Where(x => x.check.Row is null).Chunk(Math.Max(1, options.Value.BatchSize)))
        {
            foreach (var (row, check) in chunk) db.ImportRowErrors.Add(BadRow(job, row, check));
            bad += chunk.Length;
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
        db.ImportJobs.Attach(job);
        job.ProcessedRows = table.Rows.Count;
        job.GoodRows = 0;
        job.BadRows = bad;
        job.Status = ImportStatus.Failed;
        job.FinishedAt = time.GetUtcNow();
        job.Error = RefusedError;
        db.Entry(job).State = EntityState.Modified;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Import {Job} refused: {Bad} bad rows, nothing imported", job.Id, bad);
    }

    /// <summary>The job's error when an all-or-nothing import had bad rows (a UI text).</summary>
    public const string RefusedError = "Some rows are invalid, so nothing from this file was imported. Fix the rows listed and import the file again.";

    private async Task MarkFailedAsync(Guid jobId, string error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        await db.ImportJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, ImportStatus.Failed)
            .SetProperty(j => j.FinishedAt, time.GetUtcNow()).SetProperty(j => j.Error, error), ct);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
