using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Live;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Ingestion;

/// <summary>How many events of a request were new and how many had been stored before.</summary>
public sealed record IngestResult(int Accepted, int Duplicates);

/// <summary>
/// Work that must happen in the same transaction as the presses it sees (e.g. raising an alert exactly once).
/// Runs on the node that ingested the presses, before the commit.
/// </summary>
public interface IPressCommitHook
{
    Task OnPressesAsync(OtklikDb db, IReadOnlyList<ButtonPress> stored, CancellationToken ct);
}

/// <summary>
/// Durable, deduplicated ingestion of button presses with group commit: requests from every device and channel
/// queue here, and one writer stores whatever has queued in one transaction. A caller's task completes only after
/// that transaction committed, so an acknowledged press survives a crash a moment later.
/// </summary>
public sealed class PressIngestor(
    IServiceScopeFactory scopes,
    IOptions<IngestionOptions> options,
    LiveNotifier live,
    TimeProvider time,
    ILogger<PressIngestor> log) : BackgroundService
{
    private sealed record Item(DeviceSnapshot Device, IReadOnlyList<DeviceEvent> Events, IngestChannel Channel, TaskCompletionSource<IngestResult> Done);

    private readonly Channel<Item> _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Dictionary<Guid, DateTimeOffset> _lastSeenWritten = [];

    public async Task<IngestResult> IngestAsync(DeviceSnapshot device, IReadOnlyList<DeviceEvent> events, IngestChannel channel, CancellationToken ct)
    {
        var item = new Item(device, events, channel, new TaskCompletionSource<IngestResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(item, ct);
        // Once queued, the write happens even if this caller goes away; its retry will then be a duplicate.
        return await item.Done.Task.WaitAsync(ct);
    }

    // Live fan-out of committed presses, in commit order, off the writer's path: subscribers (SignalR groups, the alert
    // publisher's query) then never delay the next group commit. Bounded, so a stuck subscriber slows ingestion rather
    // than filling memory.
    private readonly Channel<IReadOnlyList<PressRecorded>> _committed = Channel.CreateBounded<IReadOnlyList<PressRecorded>>(
        new BoundedChannelOptions(1000) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var publishing = PublishAsync();
        var batch = new List<Item>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                var events = 0;
                while (events < options.Value.MaxEventsPerCommit && _queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                    events += item.Events.Count;
                }
                await WriteWithFallbackAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left))
                left.Done.TrySetException(new OperationCanceledException("Otklik is shutting down; send again."));
            _committed.Writer.TryComplete();
            await publishing;
        }
    }

    private async Task PublishAsync()
    {
        await foreach (var presses in _committed.Reader.ReadAllAsync())
        {
            try { await live.PublishAsync(presses); }
            catch (Exception e) { log.LogWarning(e, "Publishing {Count} stored presses failed", presses.Count); }
        }
    }

    /// <summary>One transaction for the whole batch; if it fails (say, a race with another node), each request on its own.</summary>
    private async Task WriteWithFallbackAsync(List<Item> batch, CancellationToken ct)
    {
        try
        {
            await WriteAsync(batch, ct);
            return;
        }
        catch (Exception e) when (batch.Count > 1 && e is not OperationCanceledException)
        {
            log.LogWarning(e, "Group commit of {Count} requests failed; writing them one by one", batch.Count);
        }
        catch (Exception e)
        {
            Fail(batch, e);
            return;
        }
        foreach (var item in batch)
        {
            try { await WriteAsync([item], ct); }
            catch (Exception e) { Fail([item], e); }
        }
    }

    private void Fail(IEnumerable<Item> items, Exception e)
    {
        log.LogError(e, "Storing presses failed; the devices will send them again");
        foreach (var item in items) item.Done.TrySetException(e);
    }

    private async Task WriteAsync(IReadOnlyList<Item> batch, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var window = options.Value.SuppressWindow;
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;

        var deviceIds = batch.Select(i => i.Device.Id).Distinct().ToList();
        var eventIds = batch.SelectMany(i => i.Events.Select(e => e.Id)).Distinct().ToList();
        var minAt = batch.SelectMany(i => i.Events).Min(e => e.At);
        var maxAt = batch.SelectMany(i => i.Events).Max(e => e.At);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var seen = (await db.ButtonPresses.AsNoTracking()
                .Where(p => deviceIds.Contains(p.DeviceId) && eventIds.Contains(p.EventId))
                .Select(p => new { p.DeviceId, p.EventId }).ToListAsync(ct))
            .Select(p => (p.DeviceId, p.EventId)).ToHashSet();

        // Earlier presses of the same buttons, for the suppression window.
        var recent = (await db.ButtonPresses.AsNoTracking()
                .Where(p => deviceIds.Contains(p.DeviceId) && p.OccurredAt >= minAt - window && p.OccurredAt <= maxAt)
                .Select(p => new { p.DeviceId, p.OccurredAt }).ToListAsync(ct))
            .ToLookup(p => p.DeviceId, p => p.OccurredAt);

        var locationIds = batch.Select(i => i.Device.LocationId).Distinct().ToList();
        var shifts = (await db.Shifts.AsNoTracking()
                .Where(s => locationIds.Contains(s.LocationId) && s.StartsAt <= maxAt && s.EndsAt > minAt)
                .Select(s => new { s.LocationId, s.StaffMemberId, s.StartsAt, s.EndsAt }).ToListAsync(ct))
            .ToLookup(s => s.LocationId);

        var results = new IngestResult[batch.Count];
        var stored = new List<ButtonPress>();
        for (var n = 0; n < batch.Count; n++)
        {
            var (device, events, channel, _) = batch[n];
            var accepted = 0;
            foreach (var e in events)
            {
                if (!seen.Add((device.Id, e.Id))) continue;
                accepted++;
                var staff = device.StaffMemberId;
                if (staff is null)
                {
                    var onShift = shifts[device.LocationId].Where(s => s.StartsAt <= e.At && s.EndsAt > e.At).Select(s => s.StaffMemberId).Distinct().ToList();
                    if (onShift.Count == 1) staff = onShift[0];
                }
                stored.Add(new ButtonPress
                {
                    OrganizationId = device.OrganizationId, LocationId = device.LocationId, DeviceId = device.Id, EventId = e.Id,
                    StaffMemberId = staff, Type = e.Type, OccurredAt = e.At, ReceivedAt = now, Channel = channel,
                });
            }
            results[n] = new IngestResult(accepted, events.Count - accepted);
        }

        MarkSuppressed(stored, recent, window);
        db.ButtonPresses.AddRange(stored);
        await db.SaveChangesAsync(ct);
        await TouchDevicesAsync(db, deviceIds, now, ct);
        foreach (var hook in scope.ServiceProvider.GetServices<IPressCommitHook>())
            await hook.OnPressesAsync(db, stored, ct);
        await tx.CommitAsync(ct);

        for (var n = 0; n < batch.Count; n++) batch[n].Done.TrySetResult(results[n]);
        if (stored.Count > 0)
            await _committed.Writer.WriteAsync(stored.Select(p => new PressRecorded(p.OrganizationId, p.LocationId, p.DeviceId, p.StaffMemberId, p.Id, p.Type, p.Suppressed, p.OccurredAt, p.ReceivedAt)).ToList(), CancellationToken.None);
    }

    /// <summary>A press within the window after another press of the same button (stored earlier or in this batch) is suppressed.</summary>
    internal static void MarkSuppressed(List<ButtonPress> fresh, ILookup<Guid, DateTimeOffset> earlier, TimeSpan window)
    {
        foreach (var group in fresh.GroupBy(p => p.DeviceId))
        {
            var times = earlier[group.Key].ToList();
            foreach (var press in group.OrderBy(p => p.OccurredAt))
            {
                press.Suppressed = times.Any(t => t < press.OccurredAt && press.OccurredAt - t <= window)
                    || times.Any(t => t == press.OccurredAt);
                times.Add(press.OccurredAt);
            }
        }
    }

    /// <summary>Last-seen times, written at most every 30 seconds per device.</summary>
    private async Task TouchDevicesAsync(OtklikDb db, List<Guid> deviceIds, DateTimeOffset now, CancellationToken ct)
    {
        var due = deviceIds.Where(id => !_lastSeenWritten.TryGetValue(id, out var at) || now - at > TimeSpan.FromSeconds(30)).ToList();
        if (due.Count == 0) return;
        await db.Devices.Where(d => due.Contains(d.Id)).ExecuteUpdateAsync(s => s.SetProperty(d => d.LastSeenAt, now), ct);
        if (_lastSeenWritten.Count > 100_000) _lastSeenWritten.Clear();
        foreach (var id in due) _lastSeenWritten[id] = now;
    }
}
