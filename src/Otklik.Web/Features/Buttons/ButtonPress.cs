using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Buttons;

public enum PressType
{
    Green,
    Red,
}

public enum IngestChannel
{
    Http,
    Mqtt,
    /// <summary>From a file (visitor counts exported by a counter).</summary>
    Import,
}

/// <summary>
/// One press of a loyalty button. <see cref="EventId"/> is made by the device; the same (device, event id) is stored once,
/// however often and by whichever channel it arrives.
/// </summary>
public sealed class ButtonPress : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public Guid DeviceId { get; set; }
    public Guid EventId { get; set; }
    /// <summary>Who served: the employee the button is assigned to, else the one on shift at that moment.</summary>
    public Guid? StaffMemberId { get; set; }
    public PressType Type { get; set; }
    /// <summary>When the customer pressed, by the device's clock corrected by the offset it reported.</summary>
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>A repeat within the suppression window after another press on the same button: kept, but not counted.</summary>
    public bool Suppressed { get; set; }
    public IngestChannel Channel { get; set; }
}
