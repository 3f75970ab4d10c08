using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Otklik.Web.Data;
using Otklik.Web.Features.Live;
using Otklik.Web.Localization;

namespace Otklik.Web.Features.Alerts;

/// <summary>Names an alert's message needs: where, which device, who served.</summary>
public sealed record AlertFacts(string Location, string TimeZone, string Language, string? Device, string? Staff);

/// <summary>
/// Writes alerts together with their outbox rows (the location's channels, and later each escalation step) in the
/// caller's transaction; the caller saves. Texts are in the organization's language.
/// </summary>
public sealed class AlertRaiser(IStringLocalizer<Ui> L)
{
    public static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Adds the alerts with their titles, the first escalation due time and a delivery per channel that hears raised alerts.
    /// <paramref name="details"/> gives the rule's figure for a title ("3 of 4"), by alert id.
    /// </summary>
    public async Task<Dictionary<Guid, AlertFacts>> AddAsync(OtklikDb db, IReadOnlyList<Alert> alerts, DateTimeOffset now, CancellationToken ct,
        IReadOnlyDictionary<Guid, string>? details = null)
    {
        if (alerts.Count == 0) return [];
        var facts = await FactsAsync(db, alerts, ct);
        var locationIds = alerts.Select(a => a.LocationId).Distinct().ToList();
        var settings = await db.AlertSettings.IgnoreQueryFilters().AsNoTracking()
            .Where(s => locationIds.Contains(s.LocationId)).ToDictionaryAsync(s => s.LocationId, ct);
        var channels = (await db.NotificationChannels.IgnoreQueryFilters().AsNoTracking()
            .Where(c => locationIds.Contains(c.LocationId) && c.Enabled && c.NotifyOnRaise).ToListAsync(ct)).ToLookup(c => c.LocationId);

        foreach (var alert in alerts)
        {
            var fact = facts[alert.Id];
            alert.Title = Title(alert.Kind, fact.Language, fact.Device, fact.Staff, details?.GetValueOrDefault(alert.Id));
            var chain = settings.GetValueOrDefault(alert.LocationId)?.Escalation ?? [];
            alert.RaisedAt = now;
            alert.NextEscalationAt = chain.Count > 0 ? now.AddMinutes(chain[0].DelayMinutes) : null;
            db.Alerts.Add(alert);
            foreach (var channel in channels[alert.LocationId])
                db.NotificationDeliveries.Add(Delivery(alert, fact, "alert.raised", channel.Id, channel.Kind, null, now));
        }
        return facts;
    }

    /// <summary>An outbox row for one channel (or, with <paramref name="address"/>, an e-mail to a person).</summary>
    public NotificationDelivery Delivery(Alert alert, AlertFacts fact, string @event, Guid? channelId, ChannelKind kind, string? address, DateTimeOffset now)
    {
        using var _ = new CultureScope(fact.Language);
        var local = TimeZoneInfo.ConvertTime(alert.RaisedAt, FindZone(fact.TimeZone));
        var subject = @event == "alert.escalated"
            ? string.Format(CultureInfo.CurrentCulture, L["Not acknowledged: {0}"], alert.Title)
            : alert.Title;
        var lines = new List<string> { subject, string.Format(CultureInfo.CurrentCulture, L["Location: {0}"], fact.Location) };
        if (fact.Device is not null) lines.Add(string.Format(CultureInfo.CurrentCulture, L["Device: {0}"], fact.Device));
        if (fact.Staff is not null) lines.Add(string.Format(CultureInfo.CurrentCulture, L["Served by: {0}"], fact.Staff));
        lines.Add(string.Format(CultureInfo.CurrentCulture, L["Time: {0}"], local.ToString("g", CultureInfo.CurrentCulture)));
        if (alert.EscalationLevel > 0) lines.Add(string.Format(CultureInfo.CurrentCulture, L["Escalation level: {0}"], alert.EscalationLevel));
        var payload = JsonSerializer.Serialize(new
        {
            type = @event,
            timestamp = now,
            data = new
            {
                alertId = alert.Id, organizationId = alert.OrganizationId, locationId = alert.LocationId, location = fact.Location,
                kind = alert.Kind.ToString(), title = alert.Title, device = fact.Device, deviceId = alert.DeviceId, staff = fact.Staff,
                staffMemberId = alert.StaffMemberId, feedbackId = alert.FeedbackId, raisedAt = alert.RaisedAt, level = alert.EscalationLevel,
            },
        }, PayloadJson);
        return new NotificationDelivery
        {
            OrganizationId = alert.OrganizationId, LocationId = alert.LocationId, AlertId = alert.Id, ChannelId = channelId, Kind = kind,
            Address = address, Event = @event, Level = alert.EscalationLevel, Subject = Truncate(subject, Limits.Text),
            Text = string.Join('\n', lines), Payload = payload, Status = DeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now,
        };
    }

    /// <summary>The title an alert carries on screens and in messages, in the organization's language.</summary>
    public string Title(AlertKind kind, string language, string? device, string? staff, string? detail = null)
    {
        using var _ = new CultureScope(language);
        var title = kind switch
        {
            AlertKind.RedPress when staff is not null => string.Format(CultureInfo.CurrentCulture, L["Red press at {0} ({1})"], device, staff),
            AlertKind.RedPress => string.Format(CultureInfo.CurrentCulture, L["Red press at {0}"], device),
            AlertKind.RedShare => string.Format(CultureInfo.CurrentCulture, L["Many red presses: {0}"], detail),
            AlertKind.DeviceSilent => string.Format(CultureInfo.CurrentCulture, L["Device silent: {0}"], device),
            AlertKind.BatteryLow => string.Format(CultureInfo.CurrentCulture, L["Battery low: {0} ({1})"], device, detail),
            AlertKind.CaseOverdue => string.Format(CultureInfo.CurrentCulture, L["Case overdue: {0}"], detail),
            AlertKind.NegativeFeedback when string.IsNullOrEmpty(detail) => L["Negative feedback"],
            AlertKind.NegativeFeedback => string.Format(CultureInfo.CurrentCulture, L["Negative feedback: {0}"], detail),
            _ => kind.ToString(),
        };
        return Truncate(title, Limits.Text);
    }

    /// <summary>Location, device and staff names (across tenants: callers are the system) keyed by alert id.</summary>
    public static async Task<Dictionary<Guid, AlertFacts>> FactsAsync(OtklikDb db, IReadOnlyCollection<Alert> alerts, CancellationToken ct)
    {
        var locationIds = alerts.Select(a => a.LocationId).Distinct().ToList();
        var deviceIds = alerts.Where(a => a.DeviceId is not null).Select(a => a.DeviceId!.Value).Distinct().ToList();
        var staffIds = alerts.Where(a => a.StaffMemberId is not null).Select(a => a.StaffMemberId!.Value).Distinct().ToList();
        var locations = await db.Locations.IgnoreQueryFilters().AsNoTracking().Where(l => locationIds.Contains(l.Id))
            .Join(db.Organizations.IgnoreQueryFilters(), l => l.OrganizationId, o => o.Id, (l, o) => new { l.Id, l.Name, l.TimeZone, o.Language })
            .ToDictionaryAsync(l => l.Id, ct);
        var devices = await db.Devices.IgnoreQueryFilters().AsNoTracking().Where(d => deviceIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Name, ct);
        var staff = await db.StaffMembers.IgnoreQueryFilters().AsNoTracking().Where(s => staffIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        return alerts.ToDictionary(a => a.Id, a =>
        {
            var l = locations.GetValueOrDefault(a.LocationId);
            return new AlertFacts(l?.Name ?? "?", l?.TimeZone ?? "UTC", l?.Language ?? "en",
                a.DeviceId is { } d ? devices.GetValueOrDefault(d) : null, a.StaffMemberId is { } s ? staff.GetValueOrDefault(s) : null);
        });
    }

    public static AlertRaised ToRaised(Alert a, AlertFacts f) =>
        new(a.OrganizationId, a.LocationId, a.Id, a.Kind.ToString(), a.Title, f.Staff, f.Device, a.RaisedAt);

    public static TimeZoneInfo FindZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    /// <summary>Texts for a message follow its organization's language, not the thread that happens to send it.</summary>
    private readonly struct CultureScope : IDisposable
    {
        private readonly CultureInfo _ui;
        private readonly CultureInfo _culture;

        public CultureScope(string language)
        {
            _ui = CultureInfo.CurrentUICulture;
            _culture = CultureInfo.CurrentCulture;
            var culture = CultureInfo.GetCultureInfo(language == "ru" ? "ru-RU" : "en-GB");
            CultureInfo.CurrentUICulture = culture;
            CultureInfo.CurrentCulture = culture;
        }

        public void Dispose()
        {
            CultureInfo.CurrentUICulture = _ui;
            CultureInfo.CurrentCulture = _culture;
        }
    }
}
