using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Staff;

namespace Otklik.Web.Features.Conversion;

/// <summary>
/// A visitor count, sales attempt or funnel entry was stored at a location. Live screens (the floor view) recompute;
/// an in-process fan-out like <see cref="Live.LiveNotifier"/>, whose Blazor circuits reach browsers over SignalR.
/// </summary>
public sealed class ConversionLive
{
    private readonly Lock _gate = new();
    private Func<Guid, Guid, Task>[] _handlers = [];

    /// <summary>Subscribes to (organization, location) changes; dispose to stop.</summary>
    public IDisposable OnChanged(Func<Guid, Guid, Task> handler)
    {
        lock (_gate) _handlers = [.. _handlers, handler];
        return new Unsubscribe(() => { lock (_gate) _handlers = [.. _handlers.Where(h => h != handler)]; });
    }

    public async Task PublishAsync(Guid organizationId, Guid locationId)
    {
        foreach (var h in _handlers)
        {
            try { await h(organizationId, locationId); }
            catch (Exception) { /* a closed circuit must not stop the others */ }
        }
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        private Action? _action = action;
        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}

/// <summary>What the seller console and the interviewer write.</summary>
public static class FunnelConsole
{
    /// <summary>The staff record the signed-in user is linked to, if any.</summary>
    public static Task<StaffMember?> StaffOfUserAsync(OtklikDb db, Guid userId, CancellationToken ct) =>
        db.StaffMembers.AsNoTracking().FirstOrDefaultAsync(s => s.UserId == userId && s.Active, ct);

    /// <summary>Links a user to a staff record that has no user yet (the seller says "this is me"); false when it is taken or not visible.</summary>
    public static async Task<bool> LinkAsync(OtklikDb db, Guid staffId, Guid userId, CancellationToken ct)
    {
        if (await db.StaffMembers.AnyAsync(s => s.UserId == userId, ct)) return false;
        return await db.StaffMembers.Where(s => s.Id == staffId && s.UserId == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.UserId, userId), ct) == 1;
    }

    public static async Task RecordAttemptAsync(OtklikDb db, ConversionLive live, Guid locationId, Guid? staffId, DateTimeOffset now, CancellationToken ct)
    {
        var attempt = new SalesAttempt
        {
            LocationId = locationId, StaffMemberId = staffId, EventId = Guid.NewGuid(), OccurredAt = now, ReceivedAt = now, Source = AttemptSource.Console,
        };
        db.SalesAttempts.Add(attempt);
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            await Rollups.RollupStore.AddAsync(db, [Rollups.RollupStore.Of(attempt)], ct);
            await tx.CommitAsync(ct);
        }
        await live.PublishAsync(db.Tenant.OrganizationId, locationId);
    }

    /// <summary>Stores one outcome. The stage and reason must be among the organization's configured ones.</summary>
    public static async Task<FunnelEntry> RecordAsync(OtklikDb db, ConversionLive live, FunnelEntry entry, CancellationToken ct)
    {
        var settings = await ConversionStats.SettingsAsync(db, ct);
        if (entry.Stage is not null && settings.Stages.All(s => s.Key != entry.Stage)) throw new ArgumentException("Unknown stage.", nameof(entry));
        if (entry.Reason is not null && settings.Reasons.All(s => s.Key != entry.Reason)) throw new ArgumentException("Unknown reason.", nameof(entry));
        if (!await db.Locations.AnyAsync(l => l.Id == entry.LocationId, ct)) throw new ArgumentException("Unknown location.", nameof(entry));
        db.FunnelEntries.Add(entry);
        await db.SaveChangesAsync(ct);
        await live.PublishAsync(db.Tenant.OrganizationId, entry.LocationId);
        return entry;
    }
}
