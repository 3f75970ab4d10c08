using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Conversion;
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
    ConversionLive conversionLive,
    TimeProvider time,
    ILogger<PressIngestor> log) : BackgroundService
{
    private sealed record Item(DeviceSnapshot Device, IReadOnlyList<DeviceEvent> Events, IngestChannel Channel, TaskCompletionSource<IngestResult> Done)
    {
        public IReadOnlyList<VisitorEvent> Visits { get; init; } = [];
        public IReadOnlyList<AttemptEvent> Attempts { get; init; } = [];
        public int Count => Events.Count + Visits.Count + Attempts.Count;
    }

    private readonly Channel<Item> _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Dictionary<Guid, DateTimeOffset> _lastSeenWritten = [];

    public Task<IngestResult> IngestAsync(DeviceSnapshot device, IReadOnlyList<DeviceEvent> events, IngestChannel channel, CancellationToken ct) =>
        IngestAsync(device, new ParsedEvents(events, []), channel, ct);

    /// <summary>Presses, visitor counts and sales attempts of one request, stored together in the same group commit.</summary>
    public async Task<IngestResult> IngestAsync(DeviceSnapshot device, ParsedEvents parsed, IngestChannel channel, CancellationToken ct)
    {
        var item = new Item(device, parsed.Events, channel, new TaskCompletionSource<IngestResult>(TaskCreationOptions.RunContinuationsAsynchronously))
        {
            Visits = parsed.Visits,
            Attempts = parsed.Attempts,
        };
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
                    events += item.Count;
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
        var times = batch.SelectMany(i => i.Events.Select(e => e.At).Concat(i.Attempts.Select(a => a.At))).ToList();
        var minAt = times.Count == 0 ? now : times.Min();
        var maxAt = times.Count == 0 ? now : times.Max();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var seen = eventIds.Count == 0 ? [] : (await db.ButtonPresses.AsNoTracking()
                .Where(p => deviceIds.Contains(p.DeviceId) && eventIds.Contains(p.EventId))
                .Select(p => new { p.DeviceId, p.EventId }).ToListAsync(ct))
            .Select(p => (p.DeviceId, p.EventId)).ToHashSet();
        var (seenVisits, seenAttempts) = await SeenConversionAsync(db, batch, deviceIds, ct);

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
        var visits = new List<VisitorCount>();
        var attempts = new List<SalesAttempt>();
        for (var n = 0; n < batch.Count; n++)
        {
            var (device, events, channel, _) = batch[n];
            var accepted = 0;
            Guid? StaffAt(DateTimeOffset at)
            {
                if (device.StaffMemberId is { } owner) return owner;
                var onShift = shifts[device.LocationId].Where(s => s.StartsAt <= at && s.EndsAt > at).Select(s => s.StaffMemberId).Distinct().ToList();
                return onShift.Count == 1 ? onShift[0] : null;
            }
            foreach (var v in batch[n].Visits)
            {
                if (!seenVisits.Add((device.Id, v.Id))) continue;
                accepted++;
                visits.Add(new VisitorCount
                {
                    OrganizationId = device.OrganizationId, LocationId = device.LocationId, DeviceId = device.Id, EventId = v.Id,
                    In = v.In, Out = v.Out, From = v.From, To = v.To, ReceivedAt = now, Channel = channel,
                });
            }
            foreach (var a in batch[n].Attempts)
            {
                if (!seenAttempts.Add((device.Id, a.Id))) continue;
                accepted++;
                attempts.Add(new SalesAttempt
                {
                    OrganizationId = device.OrganizationId, LocationId = device.LocationId, DeviceId = device.Id, EventId = a.Id,
                    StaffMemberId = StaffAt(a.At), OccurredAt = a.At, ReceivedAt = now, Source = AttemptSource.Button,
                });
            }
            foreach (var e in events)
            {
                if (!seen.Add((device.Id, e.Id))) continue;
                accepted++;
                var staff = StaffAt(e.At);
                stored.Add(new ButtonPress
                {
                    OrganizationId = device.OrganizationId, LocationId = device.LocationId, DeviceId = device.Id, EventId = e.Id,
                    StaffMemberId = staff, Type = e.Type, OccurredAt = e.At, ReceivedAt = now, Channel = channel,
                });
            }
            results[n] = new IngestResult(accepted, batch[n].Count - accepted);
        }

        MarkSuppressed(stored, recent, window);
        db.ButtonPresses.AddRange(stored);
        db.VisitorCounts.AddRange(visits);
        db.SalesAttempts.AddRange(attempts);
        await db.SaveChangesAsync(ct);
        if (visits.Count + attempts.Count > 0)
            await Rollups.RollupStore.AddAsync(db, visits.Select(Rollups.RollupStore.Of).Concat(attempts.Select(Rollups.RollupStore.Of)), ct);
        await TouchDevicesAsync(db, deviceIds, now, ct);
        foreach (var hook in scope.ServiceProvider.GetServices<IPressCommitHook>())
            await hook.OnPressesAsync(db, stored, ct);
        await tx.CommitAsync(ct);

        for (var n = 0; n < batch.Count; n++) batch[n].Done.TrySetResult(results[n]);
        foreach (var (org, location) in visits.Select(v => (v.OrganizationId, v.LocationId)).Concat(attempts.Select(a => (a.OrganizationId, a.LocationId))).Distinct())
            await conversionLive.PublishAsync(org, location);
        if (stored.Count > 0)
            await _committed.Writer.WriteAsync(stored.Select(p => new PressRecorded(p.OrganizationId, p.LocationId, p.DeviceId, p.StaffMemberId, p.Id, p.Type, p.Suppressed, p.OccurredAt, p.ReceivedAt)).ToList(), CancellationToken.None);
    }

    /// <summary>(device, event id) of visitor counts and sales attempts of this batch that are already stored.</summary>
    private static async Task<(HashSet<(Guid, Guid)> Visits, HashSet<(Guid, Guid)> Attempts)> SeenConversionAsync(
        OtklikDb db, IReadOnlyList<Item> batch, List<Guid> deviceIds, CancellationToken ct)
    {
        var visitIds = batch.SelectMany(i => i.Visits.Select(v => v.Id)).Distinct().ToList();
        var attemptIds = batch.SelectMany(i => i.Attempts.Select(a => a.Id)).Distinct().ToList();
        var visits = visitIds.Count == 0 ? [] : (await db.VisitorCounts.AsNoTracking()
                .Where(v => v.DeviceId != null && deviceIds.Contains(v.DeviceId.Value) && visitIds.Contains(v.EventId))
                .Select(v => new { DeviceId = v.DeviceId!.Value, v.EventId }).ToListAsync(ct))
            .Select(v => (v.DeviceId, v.EventId)).ToHashSet();
        var attempts = attemptIds.Count == 0 ? [] : (await db.SalesAttempts.AsNoTracking()
                .Where(a => a.DeviceId != null && deviceIds.Contains(a.DeviceId.Value) && attemptIds.Contains(a.EventId))
                .Select(a => new { DeviceId = a.DeviceId!.Value, a.EventId }).ToListAsync(ct))
            .Select(a => (a.DeviceId, a.EventId)).ToHashSet();
        return (visits, attempts);
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
