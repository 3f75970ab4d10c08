using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Locations;

/// <summary>A shop, café, clinic or service point.</summary>
public sealed class Location : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid? GroupId { get; set; }
    public required string Name { get; set; }
    /// <summary>URL-safe, globally unique; used by public pages such as /f/{slug}.</summary>
    public required string Slug { get; set; }
    public string? Address { get; set; }
    public string TimeZone { get; set; } = "Europe/Moscow";
    public List<OpeningHours> OpeningHours { get; set; } = [];
    public string? YandexMapsUrl { get; set; }
    public string? TwoGisUrl { get; set; }
    public string? GoogleMapsUrl { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Each counted red press here opens a complaint case (negative feedback always does).</summary>
    public bool OpenCaseOnRedPress { get; set; }
}

/// <summary>One opening interval on a weekday, in the location's local time ("09:00" to "21:00").</summary>
public sealed record OpeningHours(DayOfWeek Day, string Open, string Close);

/// <summary>A node of the chain's tree: region → city → district … Location managers can be scoped to a subtree.</summary>
public sealed class LocationGroup : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid? ParentId { get; set; }
    public required string Name { get; set; }
}
