using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Core.Alerts;
using Otklik.Web.Data;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Live;
using Otklik.Web.Features.Locations;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Alerts;

/// <summary>
/// Evaluates each location's threshold rule (red share) and its devices' health (silent in opening hours, low battery)
/// on a timer. At most one open alert per condition: the unique (location, open key) index settles races between nodes.
/// </summary>
public sealed class RulesWorker(IServiceScopeFactory scopes, IOptions<AlertOptions> options, TimeProvider time, LiveNotifier live,
    DeliverySignal signal, ILogger<RulesWorker> log, Otklik.Web.Features.Cluster.IClusterLease? lease = null) : PeriodicWorker(time, log, lease)
{
    public const string RedShareKey = "red-share";

    protected override TimeSpan Interval => options.Value.RulesInterval;

    protected override string FailureMessage => "Evaluating alert rules failed";

    protected override Task RunRoundAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>Raises what the rules call for now and resolves device alerts whose device recovered; returns the alerts raised.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var raiser = scope.ServiceProvider.GetRequiredService<AlertRaiser>();

        var locations = await db.Locations.AsNoTracking().Select(l => new { l.Id, l.OrganizationId, l.TimeZone, l.OpeningHours }).ToListAsync(ct);
        var settings = await db.AlertSettings.AsNoTracking().ToDictionaryAsync(s => s.LocationId, ct);
        var open = (await db.Alerts.AsNoTracking().Where(a => a.OpenKey != null)
            .Select(a => new { a.Id, a.LocationId, a.OpenKey, a.RaisedAt }).ToListAsync(ct))
            .ToDictionary(a => (a.LocationId, a.OpenKey!));
        var widest = settings.Values.Where(s => s.RedShareEnabled).Select(s => s.RedShareWindowMinutes).DefaultIfEmpty(0).Max();
        widest = Math.Max(widest, new AlertSettings().RedShareWindowMinutes);
        var since = now.AddMinutes(-widest);
        var presses = (await db.ButtonPresses.AsNoTracking().Where(p => !p.Suppressed && p.OccurredAt >= since && p.OccurredAt <= now)
            .Select(p => new { p.LocationId, p.Type, p.OccurredAt }).ToListAsync(ct)).ToLookup(p => p.LocationId);
        var devices = (await db.Devices.AsNoTracking().Where(d => d.Active)
            .Select(d => new { d.Id, d.OrganizationId, d.LocationId, d.LastSeenAt, d.CreatedAt, d.BatteryPercent }).ToListAsync(ct)).ToLookup(d => d.LocationId);

        var raise = new List<(Alert Alert, string? Detail)>();
        var resolve = new List<Guid>();
        foreach (var location in locations)
        {
            var s = settings.GetValueOrDefault(location.Id) ?? new AlertSettings();
            if (s.RedShareEnabled && !open.ContainsKey((location.Id, RedShareKey)))
            {
                var from = now.AddMinutes(-s.RedShareWindowMinutes);
                var window = presses[location.Id].Where(p => p.OccurredAt >= from).ToList();
                var red = window.Count(p => p.Type == PressType.Red);
                if (AlertRules.RedShareReached(window.Count - red, red, s.RedShareThresholdPercent, s.RedShareMinPresses))
                    raise.Add((new Alert { OrganizationId = location.OrganizationId, LocationId = location.Id, Kind = AlertKind.RedShare, Title = "", OpenKey = RedShareKey },
                        string.Create(CultureInfo.InvariantCulture, $"{red}/{window.Count}, {s.RedShareWindowMinutes} min")));
            }

            var zone = AlertRaiser.FindZone(location.TimeZone);
            var hours = Intervals(location.OpeningHours);
            foreach (var d in devices[location.Id])
            {
                var lastSeen = d.LastSeenAt ?? d.CreatedAt;
                var silentKey = "silent:" + d.Id.ToString("N");
                if (open.TryGetValue((location.Id, silentKey), out var silent))
                {
                    if (d.LastSeenAt > silent.RaisedAt) resolve.Add(silent.Id);
                }
                else if (s.DeviceSilentEnabled && AlertRules.DeviceSilent(TimeZoneInfo.ConvertTime(lastSeen, zone).DateTime,
                             TimeZoneInfo.ConvertTime(now, zone).DateTime, hours, TimeSpan.FromMinutes(s.DeviceSilentMinutes)))
                {
                    raise.Add((new Alert { OrganizationId = d.OrganizationId, LocationId = location.Id, Kind = AlertKind.DeviceSilent, Title = "", DeviceId = d.Id, OpenKey = silentKey }, null));
                }

                var batteryKey = "battery:" + d.Id.ToString("N");
                if (open.TryGetValue((location.Id, batteryKey), out var battery))
                {
                    if (!AlertRules.BatteryLow(d.BatteryPercent, s.BatteryLowPercent)) resolve.Add(battery.Id);
                }
                else if (s.BatteryLowEnabled && AlertRules.BatteryLow(d.BatteryPercent, s.BatteryLowPercent))
                {
                    raise.Add((new Alert { OrganizationId = d.OrganizationId, LocationId = location.Id, Kind = AlertKind.BatteryLow, Title = "", DeviceId = d.Id, OpenKey = batteryKey },
                        string.Create(CultureInfo.InvariantCulture, $"{d.BatteryPercent} %")));
                }
            }
        }

        if (resolve.Count > 0)
            await db.Alerts.Where(a => resolve.Contains(a.Id)).ExecuteUpdateAsync(u => u
                .SetProperty(a => a.ResolvedAt, now).SetProperty(a => a.OpenKey, (string?)null).SetProperty(a => a.NextEscalationAt, (DateTimeOffset?)null), ct);

        var raised = new List<Alert>();
        foreach (var (alert, detail) in raise)
        {
            try
            {
                await raiser.AddAsync(db, [alert], now, ct, detail is null ? null : new Dictionary<Guid, string> { [alert.Id] = detail });
                await db.SaveChangesAsync(ct);
                raised.Add(alert);
            }
            catch (DbUpdateException)
            {
                // Another node raised the same condition a moment ago.
            }
            db.ChangeTracker.Clear();
        }
        if (raised.Count > 0)
        {
            signal.Wake();
            await AlertPublisher.PublishRaisedAsync(db, live, raised, ct);
        }
        return raised.Count;
    }

    private static List<OpeningInterval> Intervals(IEnumerable<OpeningHours> hours) =>
        hours.Select(h => TimeOnly.TryParseExact(h.Open, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var open)
                && TimeOnly.TryParseExact(h.Close, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var close)
                ? new OpeningInterval(h.Day, open, close) : null)
            .OfType<OpeningInterval>().ToList();
}
