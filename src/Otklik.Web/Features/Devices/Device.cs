using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Devices;

public enum DeviceKind
{
    ButtonSmart,
    ButtonStart,
    VisitorCounter,
    SellerButton,
    Kiosk,
}

/// <summary>A loyalty button, visitor counter, seller button or kiosk. Its secret token is shown once and stored hashed.</summary>
public sealed class Device : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    /// <summary>A button may be assigned to one employee (e.g. a seller's own button); otherwise the shift decides.</summary>
    public Guid? StaffMemberId { get; set; }
    public required string Name { get; set; }
    public DeviceKind Kind { get; set; }
    public required string TokenHash { get; set; }
    public DateTimeOffset TokenIssuedAt { get; set; }
    public string? PairingCodeHash { get; set; }
    public DateTimeOffset? PairingCodeExpiresAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public int? BatteryPercent { get; set; }
    public int? SignalPercent { get; set; }
    public string? Firmware { get; set; }
    /// <summary>Reported by a bridge agent: presses waiting in its disk queue.</summary>
    public int? QueueLength { get; set; }
    /// <summary>Server clock minus the device's (or its PC's) clock, as last measured by the device.</summary>
    public long? ClockOffsetMs { get; set; }
    /// <summary>The last error the device reported about itself.</summary>
    public string? LastError { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
}
