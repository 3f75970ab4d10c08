using Microsoft.AspNetCore.Identity;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Users;

/// <summary>A person who signs in to Otklik. Belongs to exactly one organization.</summary>
public sealed class AppUser : IdentityUser<Guid>, ITenantOwned
{
    public AppUser() => Id = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }
    public string? DisplayName { get; set; }
    public OtklikRole Role { get; set; }
    /// <summary>Preferred UI language ("ru"/"en"); null follows the organization.</summary>
    public string? Language { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>For a location manager (user or API key): one location or a whole location group subtree they may see.</summary>
public sealed class AccessScope : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid? UserId { get; set; }
    public Guid? ApiKeyId { get; set; }
    public Guid? LocationId { get; set; }
    public Guid? LocationGroupId { get; set; }
}
