using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Staff;

/// <summary>A front-line employee. Not necessarily a user of Otklik.</summary>
public sealed class StaffMember : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    /// <summary>Home location; shifts may be at other locations.</summary>
    public Guid LocationId { get; set; }
    public required string Name { get; set; }
    public string? Position { get; set; }
    /// <summary>Code in the POS or HR system, for imports.</summary>
    public string? ExternalId { get; set; }
    public bool Active { get; set; } = true;
    /// <summary>The Otklik user this employee signs in as (e.g. on the seller console), if any.</summary>
    public Guid? UserId { get; set; }
}

/// <summary>Who served at which location when. Presses and feedback are attributed through shifts.</summary>
public sealed class Shift : ILocationOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    public Guid StaffMemberId { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
}
