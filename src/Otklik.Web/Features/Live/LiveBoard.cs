using Microsoft.EntityFrameworkCore;
using Otklik.Core.Metrics;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;

namespace Otklik.Web.Features.Live;

/// <summary>
/// What a live screen shows: today's presses per location and per employee on shift, the last presses, the devices.
/// Loaded once from the database (through the tenant's query filters), then kept current in memory from
/// <see cref="LiveNotifier"/> events; the screen reloads it now and then to pick up shift changes and a new day.
/// Not thread-safe: the component calls it on its renderer's synchronization context.
/// </summary>
public sealed class LiveBoard
{
    /// <summary>A device counts as online when it was heard from within this time.</summary>
    public static readonly TimeSpan OnlineWindow = TimeSpan.FromMinutes(5);

    /// <summary>How many of the last presses the feed keeps.</summary>
    public const int FeedSize = 30;

    public sealed class StaffTile(Guid id, string name)
    {
        public Guid Id { get; } = id;
        public string Name { get; } = name;
        public long Green { get; internal set; }
        public long Red { get; internal set; }
        public ButtonPressResult Metrics => ButtonPresses.Compute(Green, Red);
    }

    public sealed class DeviceTile(Guid id, Guid locationId, string name)
    {
        public Guid Id { get; } = id;
        public Guid LocationId { get; } = locationId;
        public string Name { get; } = name;
        public DateTimeOffset? LastSeenAt { get; internal set; }
        public int? BatteryPercent { get; internal set; }
        public bool IsOnline(DateTimeOffset now) => LastSeenAt is { } seen && now - seen <= OnlineWindow;
    }

    public sealed class LocationTile(Guid id, string name, TimeZoneInfo zone, DateTimeOffset dayStart, DateTimeOffset dayEnd)
    {
        public Guid Id { get; } = id;
        public string Name { get; } = name;
        public TimeZoneInfo Zone { get; } = zone;
        /// <summary>Today in the location's time zone, as instants: [start, end).</summary>
        public DateTimeOffset DayStart { get; } = dayStart;
        public DateTimeOffset DayEnd { get; } = dayEnd;
        public long Green { get; internal set; }
        public long Red { get; internal set; }
        public ButtonPressResult Metrics => ButtonPresses.Compute(Green, Red);
        public List<StaffTile> OnShift { get; } = [];
        public List<DeviceTile> Devices { get; } = [];
        public DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);
    }

    public sealed record FeedItem(Guid PressId, Guid LocationId, Guid DeviceId, Guid? StaffMemberId, PressType Type, bool Suppressed, DateTimeOffset OccurredAt);

    private readonly Dictionary<Guid, LocationTile> _byId;
    private readonly Dictionary<Guid, string> _deviceNames;
    private readonly Dictionary<Guid, string> _staffNames;
    private readonly List<FeedItem> _feed;

    private LiveBoard(Guid organizationId, List<LocationTile> locations, Dictionary<Guid, string> deviceNames, Dictionary<Guid, string> staffNames, List<FeedItem> feed)
    {
        OrganizationId = organizationId;
        Locations = locations;
        _byId = locations.ToDictionary(l => l.Id);
        _deviceNames = deviceNames;
        _staffNames = staffNames;
        _feed = feed;
    }

    public Guid OrganizationId { get; }
    public IReadOnlyList<LocationTile> Locations { get; }
    public IReadOnlyList<FeedItem> Feed => _feed;

    public LocationTile? Location(Guid id) => _byId.GetValueOrDefault(id);
    public string DeviceName(Guid id) => _deviceNames.GetValueOrDefault(id) ?? "—";
    public string? StaffName(Guid? id) => id is { } s ? _staffNames.GetValueOrDefault(s) : null;

    /// <summary>Whether an event of this organization and location belongs on this board (the tenant and the chosen location).</summary>
    public bool Shows(Guid organizationId, Guid locationId) => organizationId == OrganizationId && _byId.ContainsKey(locationId);

    /// <summary>True once a location's day has ended: the counts must start again from the database.</summary>
    public bool IsStale(DateTimeOffset now) => Locations.Any(l => now >= l.DayEnd);

    /// <summary>The locations' own [start, end) of the local day that contains <paramref name="now"/>.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Today(TimeZoneInfo zone, DateTimeOffset now)
    {
        var date = TimeZoneInfo.ConvertTime(now, zone).Date;
        return (Midnight(zone, date), Midnight(zone, date.AddDays(1)));
    }

    private static DateTimeOffset Midnight(TimeZoneInfo zone, DateTime date)
    {
        var local = DateTime.SpecifyKind(date, DateTimeKind.Unspecified);
        // Where a clock change skips midnight, the day starts at the first minute that exists.
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    public static TimeZoneInfo Zone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>Loads the board for one location, or for every location the current tenant may see.</summary>
    public static async Task<LiveBoard> LoadAsync(OtklikDb db, Guid? locationId, DateTimeOffset now, CancellationToken ct)
    {
        var locations = await db.Locations.AsNoTracking()
            .Where(l => locationId == null || l.Id == locationId)
            .OrderBy(l => l.Name)
            .Select(l => new { l.Id, l.Name, l.TimeZone })
            .ToListAsync(ct);
        var tiles = locations.Select(l =>
        {
            var zone = Zone(l.TimeZone);
            var (start, end) = Today(zone, now);
            return new LocationTile(l.Id, l.Name, zone, start, end);
        }).ToList();
        var ids = tiles.Select(t => t.Id).ToList();

        var staffNames = await db.StaffMembers.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var devices = await db.Devices.AsNoTracking().Where(d => ids.Contains(d.LocationId))
            .OrderBy(d => d.Name)
            .Select(d => new { d.Id, d.LocationId, d.Name, d.Active, d.LastSeenAt, d.BatteryPercent })
            .ToListAsync(ct);
        var onShift = await db.Shifts.AsNoTracking()
            .Where(s => ids.Contains(s.LocationId) && s.StartsAt <= now && s.EndsAt > now)
            .Select(s => new { s.LocationId, s.StaffMemberId })
            .ToListAsync(ct);

        // One query per time zone (usually one or two), each over its own local day.
        var counts = new List<(Guid LocationId, Guid? StaffMemberId, PressType Type, long Count)>();
        foreach (var zone in tiles.GroupBy(t => (t.DayStart, t.DayEnd)))
        {
            var zoneIds = zone.Select(t => t.Id).ToList();
            var (start, end) = zone.Key;
            var rows = await db.ButtonPresses.AsNoTracking()
                .Where(p => zoneIds.Contains(p.LocationId) && !p.Suppressed && p.OccurredAt >= start && p.OccurredAt < end)
                .GroupBy(p => new { p.LocationId, p.StaffMemberId, p.Type })
                .Select(g => new { g.Key.LocationId, g.Key.StaffMemberId, g.Key.Type, Count = g.LongCount() })
                .ToListAsync(ct);
            counts.AddRange(rows.Select(r => (r.LocationId, r.StaffMemberId, r.Type, r.Count)));
        }

        var feed = await db.ButtonPresses.AsNoTracking()
            .Where(p => ids.Contains(p.LocationId))
            .OrderByDescending(p => p.OccurredAt)
            .Take(FeedSize)
            .Select(p => new FeedItem(p.Id, p.LocationId, p.DeviceId, p.StaffMemberId, p.Type, p.Suppressed, p.OccurredAt))
            .ToListAsync(ct);

        foreach (var tile in tiles)
        {
            var here = counts.Where(c => c.LocationId == tile.Id).ToList();
            tile.Green = here.Where(c => c.Type == PressType.Green).Sum(c => c.Count);
            tile.Red = here.Where(c => c.Type == PressType.Red).Sum(c => c.Count);
            foreach (var staffId in onShift.Where(s => s.LocationId == tile.Id).Select(s => s.StaffMemberId).Distinct())
            {
                var staff = new StaffTile(staffId, staffNames.GetValueOrDefault(staffId) ?? "—")
                {
                    Green = here.Where(c => c.StaffMemberId == staffId && c.Type == PressType.Green).Sum(c => c.Count),
                    Red = here.Where(c => c.StaffMemberId == staffId && c.Type == PressType.Red).Sum(c => c.Count),
                };
                tile.OnShift.Add(staff);
            }
            tile.OnShift.Sort((a, b) => string.Compare(a.Name, b.Name, StringComparison.CurrentCulture));
            tile.Devices.AddRange(devices.Where(d => d.LocationId == tile.Id && d.Active)
                .Select(d => new DeviceTile(d.Id, d.LocationId, d.Name) { LastSeenAt = d.LastSeenAt, BatteryPercent = d.BatteryPercent }));
        }

        return new LiveBoard(db.Tenant.OrganizationId, tiles, devices.ToDictionary(d => d.Id, d => d.Name), staffNames, feed);
    }

    /// <summary>Counts and lists presses that were just stored. Returns whether the board changed.</summary>
    public bool Apply(IReadOnlyList<PressRecorded> presses)
    {
        var changed = false;
        foreach (var p in presses)
        {
            if (!Shows(p.OrganizationId, p.LocationId) || _feed.Any(f => f.PressId == p.PressId)) continue;
            changed = true;
            var tile = _byId[p.LocationId];
            if (tile.Devices.FirstOrDefault(d => d.Id == p.DeviceId) is { } device && (device.LastSeenAt is null || device.LastSeenAt < p.ReceivedAt))
                device.LastSeenAt = p.ReceivedAt;

            var item = new FeedItem(p.PressId, p.LocationId, p.DeviceId, p.StaffMemberId, p.Type, p.Suppressed, p.OccurredAt);
            var at = _feed.FindIndex(f => f.OccurredAt < p.OccurredAt);
            _feed.Insert(at < 0 ? _feed.Count : at, item);
            if (_feed.Count > FeedSize) _feed.RemoveRange(FeedSize, _feed.Count - FeedSize);

            // Suppressed repeats never count; a late press from yesterday belongs to yesterday.
            if (p.Suppressed || p.OccurredAt < tile.DayStart || p.OccurredAt >= tile.DayEnd) continue;
            var staff = tile.OnShift.FirstOrDefault(s => s.Id == p.StaffMemberId);
            if (p.Type == PressType.Green)
            {
                tile.Green++;
                if (staff is not null) staff.Green++;
            }
            else
            {
                tile.Red++;
                if (staff is not null) staff.Red++;
            }
        }
        return changed;
    }

    /// <summary>Notes a heartbeat or status report. Returns whether the board changed.</summary>
    public bool Apply(DeviceSeen seen)
    {
        if (!Shows(seen.OrganizationId, seen.LocationId)) return false;
        if (_byId[seen.LocationId].Devices.FirstOrDefault(d => d.Id == seen.DeviceId) is not { } device) return false;
        if (device.LastSeenAt is null || device.LastSeenAt < seen.At) device.LastSeenAt = seen.At;
        if (seen.BatteryPercent is { } battery) device.BatteryPercent = battery;
        return true;
    }
}
