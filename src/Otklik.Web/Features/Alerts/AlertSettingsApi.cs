using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Alerts;

public sealed record AlertSettingsDto(
    Guid LocationId, bool RedPressEnabled, bool RedShareEnabled, int RedShareThresholdPercent, int RedShareWindowMinutes, int RedShareMinPresses,
    bool DeviceSilentEnabled, int DeviceSilentMinutes, bool BatteryLowEnabled, int BatteryLowPercent, IReadOnlyList<EscalationStep> Escalation,
    bool NegativeFeedbackEnabled)
{
    public static AlertSettingsDto From(AlertSettings s) => new(s.LocationId, s.RedPressEnabled, s.RedShareEnabled, s.RedShareThresholdPercent,
        s.RedShareWindowMinutes, s.RedShareMinPresses, s.DeviceSilentEnabled, s.DeviceSilentMinutes, s.BatteryLowEnabled, s.BatteryLowPercent, s.Escalation,
        s.NegativeFeedbackEnabled);
}

public sealed record EscalationStepInput(Guid? UserId, Guid? ChannelId, [property: Range(0, 1440)] int DelayMinutes);

/// <summary>The whole settings of a location; a missing value keeps the current one.</summary>
public sealed record AlertSettingsInput(
    bool? RedPressEnabled,
    bool? RedShareEnabled,
    [property: Range(1, 100)] int? RedShareThresholdPercent,
    [property: Range(1, 1440)] int? RedShareWindowMinutes,
    [property: Range(1, 10000)] int? RedShareMinPresses,
    bool? DeviceSilentEnabled,
    [property: Range(1, 10080)] int? DeviceSilentMinutes,
    bool? BatteryLowEnabled,
    [property: Range(1, 100)] int? BatteryLowPercent,
    [property: MaxLength(10)] List<EscalationStepInput>? Escalation,
    bool? NegativeFeedbackEnabled = null);

public sealed record ChannelDto(Guid Id, Guid LocationId, string Name, ChannelKind Kind, string Target, bool NotifyOnRaise, bool Enabled, bool HasSecret, DateTimeOffset CreatedAt)
{
    public static ChannelDto From(NotificationChannel c) => new(c.Id, c.LocationId, c.Name, c.Kind, c.Target, c.NotifyOnRaise, c.Enabled, c.Secret is not null, c.CreatedAt);
}

/// <summary>A new channel; a webhook's signing secret is in <see cref="Secret"/> here once and never again.</summary>
public sealed record ChannelCreated(ChannelDto Channel, string? Secret);

public sealed record ChannelInput(
    [property: Required, StringLength(Limits.Name, MinimumLength = 1)] string Name,
    [property: Required] ChannelKind? Kind,
    [property: Required, StringLength(Limits.Url, MinimumLength = 1)] string Target,
    [property: StringLength(200)] string? BotToken,
    bool? NotifyOnRaise,
    bool? Enabled);

public static class AlertSettingsApi
{
    public static IEndpointRouteBuilder MapAlertSettings(this IEndpointRouteBuilder routes)
    {
        var locations = routes.MapGroup("/api/v1/locations").WithTags("Alerts");
        locations.MapGet("/{id:guid}/alert-settings", GetSettings).RequireAuthorization(Policies.Read);
        locations.MapPut("/{id:guid}/alert-settings", PutSettings).RequireAuthorization(Policies.Operate);
        locations.MapGet("/{id:guid}/notification-channels", ListChannels).RequireAuthorization(Policies.Read);
        locations.MapPost("/{id:guid}/notification-channels", CreateChannel).RequireAuthorization(Policies.Operate);

        var channels = routes.MapGroup("/api/v1/notification-channels").WithTags("Alerts");
        channels.MapDelete("/{id:guid}", DeleteChannel).RequireAuthorization(Policies.Operate);
        channels.MapPost("/{id:guid}/test", TestChannel).RequireAuthorization(Policies.Operate);
        channels.MapGet("/{id:guid}/deliveries", ChannelDeliveries).RequireAuthorization(Policies.Read);
        return routes;
    }

    /// <summary>The saved settings, or the defaults of a location nobody configured yet.</summary>
    public static async Task<AlertSettings?> LoadAsync(OtklikDb db, Guid locationId, CancellationToken ct)
    {
        var location = await db.Locations.AsNoTracking().Where(l => l.Id == locationId).Select(l => new { l.Id, l.OrganizationId }).FirstOrDefaultAsync(ct);
        if (location is null) return null;
        return await db.AlertSettings.AsNoTracking().FirstOrDefaultAsync(s => s.LocationId == locationId, ct)
            ?? new AlertSettings { LocationId = location.Id, OrganizationId = location.OrganizationId };
    }

    private static async Task<Results<Ok<AlertSettingsDto>, ProblemHttpResult>> GetSettings(Guid id, OtklikDb db, CancellationToken ct) =>
        await LoadAsync(db, id, ct) is { } s ? TypedResults.Ok(AlertSettingsDto.From(s)) : Problem.NotFound("Location");

    private static async Task<Results<Ok<AlertSettingsDto>, ValidationProblem, ProblemHttpResult>> PutSettings(Guid id, AlertSettingsInput input, OtklikDb db, CancellationToken ct)
    {
        if (await LoadAsync(db, id, ct) is not { } current) return Problem.NotFound("Location");
        var errors = await ValidateAsync(db, id, input, ct);
        if (errors.Any) return errors.ToProblem();
        var settings = await db.AlertSettings.FirstOrDefaultAsync(s => s.LocationId == id, ct);
        if (settings is null) db.AlertSettings.Add(settings = current);
        Apply(settings, input);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(AlertSettingsDto.From(settings));
    }

    public static void Apply(AlertSettings s, AlertSettingsInput input)
    {
        s.RedPressEnabled = input.RedPressEnabled ?? s.RedPressEnabled;
        s.RedShareEnabled = input.RedShareEnabled ?? s.RedShareEnabled;
        s.RedShareThresholdPercent = input.RedShareThresholdPercent ?? s.RedShareThresholdPercent;
        s.RedShareWindowMinutes = input.RedShareWindowMinutes ?? s.RedShareWindowMinutes;
        s.RedShareMinPresses = input.RedShareMinPresses ?? s.RedShareMinPresses;
        s.DeviceSilentEnabled = input.DeviceSilentEnabled ?? s.DeviceSilentEnabled;
        s.DeviceSilentMinutes = input.DeviceSilentMinutes ?? s.DeviceSilentMinutes;
        s.BatteryLowEnabled = input.BatteryLowEnabled ?? s.BatteryLowEnabled;
        s.BatteryLowPercent = input.BatteryLowPercent ?? s.BatteryLowPercent;
        s.NegativeFeedbackEnabled = input.NegativeFeedbackEnabled ?? s.NegativeFeedbackEnabled;
        if (input.Escalation is not null) s.Escalation = input.Escalation.Select(e => new EscalationStep(e.UserId, e.ChannelId, e.DelayMinutes)).ToList();
    }

    public static async Task<Errors> ValidateAsync(OtklikDb db, Guid locationId, AlertSettingsInput input, CancellationToken ct)
    {
        var errors = new Errors();
        var steps = input.Escalation ?? [];
        var org = db.Tenant.OrganizationId;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step is null || (step.UserId is null && step.ChannelId is null))
            {
                errors.Add($"escalation[{i}]", "Name a user or a notification channel.");
                continue;
            }
            if (step.DelayMinutes is < 0 or > 1440) errors.Add($"escalation[{i}].delayMinutes", "The delay must be between 0 and 1440 minutes.");
            if (step.UserId is { } u && !await db.Users.AnyAsync(x => x.Id == u && x.OrganizationId == org && x.Email != null, ct))
                errors.Add($"escalation[{i}].userId", "No such user.");
            if (step.ChannelId is { } c && !await db.NotificationChannels.AnyAsync(x => x.Id == c && x.LocationId == locationId, ct))
                errors.Add($"escalation[{i}].channelId", "No such channel at this location.");
        }
        return errors;
    }

    private static async Task<Results<Ok<List<ChannelDto>>, ProblemHttpResult>> ListChannels(Guid id, OtklikDb db, CancellationToken ct)
    {
        if (!await db.Locations.AnyAsync(l => l.Id == id, ct)) return Problem.NotFound("Location");
        var channels = await db.NotificationChannels.AsNoTracking().Where(c => c.LocationId == id).OrderBy(c => c.Name).ThenBy(c => c.Id).ToListAsync(ct);
        return TypedResults.Ok(channels.Select(ChannelDto.From).ToList());
    }

    private static async Task<Results<Created<ChannelCreated>, ValidationProblem, ProblemHttpResult>> CreateChannel(Guid id, ChannelInput input, OtklikDb db, TimeProvider time, Security.SecretBox secrets, CancellationToken ct)
    {
        var location = await db.Locations.AsNoTracking().Where(l => l.Id == id).Select(l => new { l.Id, l.OrganizationId }).FirstOrDefaultAsync(ct);
        if (location is null) return Problem.NotFound("Location");
        var errors = ValidateChannel(input);
        if (errors.Any) return errors.ToProblem();
        var (channel, secret) = NewChannel(location.OrganizationId, location.Id, input, time.GetUtcNow(), secrets);
        db.NotificationChannels.Add(channel);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/locations/{id}/notification-channels", new ChannelCreated(ChannelDto.From(channel), secret));
    }

    public static (NotificationChannel Channel, string? Secret) NewChannel(Guid organizationId, Guid locationId, ChannelInput input, DateTimeOffset now, Security.SecretBox secrets)
    {
        var kind = input.Kind!.Value;
        var secret = kind == ChannelKind.Webhook ? WebhookSender.NewSecret() : null;
        var channel = new NotificationChannel
        {
            OrganizationId = organizationId, LocationId = locationId, Name = input.Name.Trim(), Kind = kind, Target = input.Target.Trim(),
            Secret = kind switch { ChannelKind.Telegram => secrets.Protect(input.BotToken!.Trim()), ChannelKind.Webhook => secrets.Protect(secret!), _ => null },
            NotifyOnRaise = input.NotifyOnRaise ?? true, Enabled = input.Enabled ?? true, CreatedAt = now,
        };
        return (channel, secret);
    }

    public static Errors ValidateChannel(ChannelInput input)
    {
        var errors = new Errors().Check(!string.IsNullOrWhiteSpace(input.Name), "name", "The name must not be blank.");
        var target = input.Target?.Trim() ?? "";
        switch (input.Kind)
        {
            case ChannelKind.Telegram:
                errors.Check(target.Length > 0 && (long.TryParse(target, System.Globalization.CultureInfo.InvariantCulture, out _) || target.StartsWith('@')),
                    "target", "Give the chat id (a number) or @channelname.");
                errors.Check(!string.IsNullOrWhiteSpace(input.BotToken) && input.BotToken.Contains(':', StringComparison.Ordinal),
                    "botToken", "Give the bot token from @BotFather (123456:ABC…).");
                break;
            case ChannelKind.Webhook:
                errors.Check(Uri.TryCreate(target, UriKind.Absolute, out var url) && url.Scheme is "http" or "https",
                    "target", "Give an absolute http(s) URL.");
                break;
            case ChannelKind.Email:
                errors.Check(MailboxAddress.TryParse(target, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal),
                    "target", "Give an e-mail address.");
                break;
            case not null:
                errors.Add("kind", "Unknown channel kind.");
                break;
        }
        return errors;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteChannel(Guid id, OtklikDb db, CancellationToken ct)
    {
        var channel = await db.NotificationChannels.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null) return Problem.NotFound("Notification channel");
        // Escalation steps that named it would notify nobody: drop them with it.
        var settings = await db.AlertSettings.FirstOrDefaultAsync(s => s.LocationId == channel.LocationId, ct);
        if (settings is not null && settings.Escalation.Any(e => e.ChannelId == id))
            settings.Escalation = settings.Escalation.Where(e => e.ChannelId != id).ToList();
        db.NotificationChannels.Remove(channel);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Queues a test message to the channel; its result shows in the channel's delivery log.</summary>
    private static async Task<Results<Accepted<DeliveryDto>, ProblemHttpResult>> TestChannel(Guid id, OtklikDb db, DeliverySignal signal, TimeProvider time, CancellationToken ct)
    {
        var channel = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null) return Problem.NotFound("Notification channel");
        var delivery = await QueueTestAsync(db, channel, time.GetUtcNow(), ct);
        signal.Wake();
        var dto = (await AlertsApi.DeliveryLogAsync(db, db.NotificationDeliveries.Where(d => d.Id == delivery.Id), 1, ct)).Single();
        return TypedResults.Accepted($"/api/v1/notification-channels/{id}/deliveries", dto);
    }

    public static async Task<NotificationDelivery> QueueTestAsync(OtklikDb db, NotificationChannel channel, DateTimeOffset now, CancellationToken ct)
    {
        var location = await db.Locations.AsNoTracking().Where(l => l.Id == channel.LocationId).Select(l => l.Name).FirstAsync(ct);
        var text = $"Otklik: test notification for {location} ({channel.Name}).";
        var delivery = new NotificationDelivery
        {
            OrganizationId = channel.OrganizationId, LocationId = channel.LocationId, ChannelId = channel.Id, Kind = channel.Kind, Event = "test",
            Subject = "Otklik: test notification", Text = text,
            Payload = System.Text.Json.JsonSerializer.Serialize(new { type = "test", timestamp = now, data = new { locationId = channel.LocationId, location, text } }, AlertRaiser.PayloadJson),
            Status = DeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now,
        };
        db.NotificationDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);
        return delivery;
    }

    private static async Task<Results<Ok<List<DeliveryDto>>, ProblemHttpResult>> ChannelDeliveries(Guid id, OtklikDb db, CancellationToken ct)
    {
        if (!await db.NotificationChannels.AnyAsync(c => c.Id == id, ct)) return Problem.NotFound("Notification channel");
        return TypedResults.Ok(await AlertsApi.DeliveryLogAsync(db, db.NotificationDeliveries.Where(d => d.ChannelId == id), 100, ct));
    }
}
