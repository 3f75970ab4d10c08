using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Devices;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Ingestion;

/// <summary>What ingestion needs to know about a device.</summary>
public sealed record DeviceSnapshot(Guid Id, Guid OrganizationId, Guid LocationId, Guid? StaffMemberId, DeviceKind Kind, bool Active);

/// <summary>
/// Finds a device by its token, with a short cache so that a busy button does not cost a database read per press.
/// Rotating or deleting a device evicts it here at once; other nodes notice within the cache time.
/// </summary>
public sealed class DeviceDirectory(IServiceScopeFactory scopes, IOptions<IngestionOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (DeviceSnapshot? Device, DateTimeOffset Expires)> _byTokenHash = new(StringComparer.Ordinal);

    /// <summary>The active device with this id and token, or null.</summary>
    public async Task<DeviceSnapshot?> AuthenticateAsync(Guid deviceId, string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200) return null;
        var hash = Secrets.Hash(token);
        var now = time.GetUtcNow();
        if (!_byTokenHash.TryGetValue(hash, out var cached) || cached.Expires <= now)
        {
            cached = (await LoadAsync(hash, ct), now + TimeSpan.FromSeconds(options.Value.DeviceCacheSeconds));
            if (_byTokenHash.Count > 100_000) _byTokenHash.Clear();
            _byTokenHash[hash] = cached;
        }
        return cached.Device is { Active: true } d && d.Id == deviceId ? d : null;
    }

    private readonly ConcurrentDictionary<Guid, (DeviceSnapshot? Device, DateTimeOffset Expires)> _byId = new();

    /// <summary>
    /// The active device with this id, or null; for an external broker, which has already checked the device's
    /// credentials and its right to the topic.
    /// </summary>
    public async Task<DeviceSnapshot?> FindAsync(Guid deviceId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!_byId.TryGetValue(deviceId, out var cached) || cached.Expires <= now)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
            var device = await db.Devices.AsNoTracking().Where(d => d.Id == deviceId)
                .Select(d => new DeviceSnapshot(d.Id, d.OrganizationId, d.LocationId, d.StaffMemberId, d.Kind, d.Active))
                .FirstOrDefaultAsync(ct);
            cached = (device, now + TimeSpan.FromSeconds(options.Value.DeviceCacheSeconds));
            if (_byId.Count > 100_000) _byId.Clear();
            _byId[deviceId] = cached;
        }
        return cached.Device is { Active: true } d ? d : null;
    }

    public void Evict(Guid deviceId)
    {
        _byId.TryRemove(deviceId, out _);
        foreach (var (hash, entry) in _byTokenHash)
            if (entry.Device?.Id == deviceId) _byTokenHash.TryRemove(hash, out _);
    }

    private async Task<DeviceSnapshot?> LoadAsync(string hash, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        return await db.Devices.AsNoTracking().Where(d => d.TokenHash == hash)
            .Select(d => new DeviceSnapshot(d.Id, d.OrganizationId, d.LocationId, d.StaffMemberId, d.Kind, d.Active))
            .FirstOrDefaultAsync(ct);
    }
}
