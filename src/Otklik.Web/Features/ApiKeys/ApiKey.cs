using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.ApiKeys;

/// <summary>A key for scripts and integrations (header X-Api-Key), bound to one organization and a role. Stored hashed.</summary>
public sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public required string Name { get; set; }
    public OtklikRole Role { get; set; }
    public required string KeyHash { get; set; }
    /// <summary>The first characters of the key, so people can tell keys apart.</summary>
    public required string Prefix { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
