using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Alerts;

public enum AlertKind
{
    RedPress,
    RedShare,
    DeviceSilent,
    BatteryLow,
    CaseOverdue,
    /// <summary>A customer complained through the QR page or a kiosk.</summary>
    NegativeFeedback,
}

/// <summary>
/// Something at a location that a person should look at now. Unacknowledged alerts escalate along the location's chain;
/// <see cref="OpenKey"/> keeps at most one open alert per condition (a threshold rule, a device's health).
/// </summary>
public sealed class Alert : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public AlertKind Kind { get; set; }
    public required string Title { get; set; }
    public Guid? DeviceId { get; set; }
    public Guid? PressId { get; set; }
    public Guid? StaffMemberId { get; set; }
    /// <summary>The complaint that raised a <see cref="AlertKind.NegativeFeedback"/> alert.</summary>
    public Guid? FeedbackId { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    /// <summary>0 when raised; n after the n-th step of the escalation chain was notified.</summary>
    public int EscalationLevel { get; set; }
    /// <summary>When the next step is due if nobody acknowledges; null when the chain is exhausted or the alert handled.</summary>
    public DateTimeOffset? NextEscalationAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public Guid? AcknowledgedByUserId { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    /// <summary>Set while the alert is unresolved for conditions that must not raise twice (unique per location).</summary>
    public string? OpenKey { get; set; }
}

/// <summary>One step of a location's escalation chain: after <see cref="DelayMinutes"/> unacknowledged, notify a user (by e-mail) or a channel.</summary>
public sealed record EscalationStep(Guid? UserId, Guid? ChannelId, int DelayMinutes);

/// <summary>What raises alerts at a location and who hears about them when nobody reacts. Defaults apply until someone saves.</summary>
public sealed class AlertSettings : ILocationOwned
{
    public Guid LocationId { get; set; }
    public Guid OrganizationId { get; set; }
    public bool RedPressEnabled { get; set; } = true;
    public bool RedShareEnabled { get; set; } = true;
    public int RedShareThresholdPercent { get; set; } = 50;
    public int RedShareWindowMinutes { get; set; } = 15;
    public int RedShareMinPresses { get; set; } = 4;
    public bool DeviceSilentEnabled { get; set; } = true;
    public int DeviceSilentMinutes { get; set; } = 60;
    public bool BatteryLowEnabled { get; set; } = true;
    public int BatteryLowPercent { get; set; } = 20;
    /// <summary>A complaint from the QR page or a kiosk raises an alert, like a red press.</summary>
    public bool NegativeFeedbackEnabled { get; set; } = true;
    public List<EscalationStep> Escalation { get; set; } = [];
}

public enum ChannelKind
{
    Telegram,
    Webhook,
    Email,
}

/// <summary>
/// Where a location's alerts are sent besides the live screen. <see cref="Secret"/> (bot token, webhook signing secret)
/// is write-only in the API.
/// </summary>
public sealed class NotificationChannel : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public required string Name { get; set; }
    public ChannelKind Kind { get; set; }
    /// <summary>Telegram chat id, webhook URL or e-mail address.</summary>
    public required string Target { get; set; }
    public string? Secret { get; set; }
    /// <summary>False: the channel only hears from the escalation chain.</summary>
    public bool NotifyOnRaise { get; set; } = true;
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
}

public enum DeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}

/// <summary>
/// A message to send through one channel: the outbox row written in the transaction that raised or escalated the alert,
/// then sent (and retried) by the delivery worker.
/// </summary>
public sealed class NotificationDelivery : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public Guid? AlertId { get; set; }
    /// <summary>The channel; null for an e-mail to a user of the escalation chain.</summary>
    public Guid? ChannelId { get; set; }
    public ChannelKind Kind { get; set; }
    /// <summary>The e-mail address for a user of the chain; otherwise read from the channel when sending.</summary>
    public string? Address { get; set; }
    /// <summary>"alert.raised", "alert.escalated" or "test".</summary>
    public required string Event { get; set; }
    public int Level { get; set; }
    public required string Subject { get; set; }
    public required string Text { get; set; }
    /// <summary>The JSON a webhook receives.</summary>
    public required string Payload { get; set; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>One try of a delivery, for the delivery log.</summary>
public sealed class DeliveryAttempt : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public Guid DeliveryId { get; set; }
    public DateTimeOffset At { get; set; }
    public bool Succeeded { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public long DurationMs { get; set; }
}
