namespace Otklik.Web.Features.Organizations;

/// <summary>A tenant: one company with its locations, people and devices.</summary>
public sealed class Organization
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    /// <summary>IANA time zone id, e.g. "Europe/Moscow".</summary>
    public string TimeZone { get; set; } = "Europe/Moscow";
    /// <summary>Default UI and message language: "ru" or "en".</summary>
    public string Language { get; set; } = "ru";
    public DateTimeOffset CreatedAt { get; set; }
}
