using System.Security.Claims;

namespace Otklik.Web.Tenancy;

/// <summary>
/// Who is asking, for the current request or Blazor circuit. The DbContext reads it in its query filters,
/// so tenant isolation lives in one place. Unset means "nobody": every filtered query returns nothing.
/// </summary>
public sealed class TenantContext
{
    private static readonly Guid Nobody = Guid.Empty;

    public Guid OrganizationId { get; private set; } = Nobody;
    public OtklikRole Role { get; private set; } = OtklikRole.Viewer;
    public Guid? UserId { get; private set; }
    public Guid? ApiKeyId { get; private set; }

    /// <summary>Locations this principal may see; null means every location of the organization.</summary>
    public IReadOnlyCollection<Guid>? LocationScope { get; private set; }

    /// <summary>Background work and device ingestion that must look across tenants (e.g. to find a device by token).</summary>
    public bool IsSystem { get; private set; }

    public bool IsSet => OrganizationId != Nobody;

    public void SetSystem()
    {
        IsSystem = true;
        OrganizationId = Nobody;
        LocationScope = null;
    }

    /// <summary>Acts inside one organization with full rights (device ingestion, workers, seeding).</summary>
    public void SetOrganization(Guid organizationId)
    {
        IsSystem = false;
        OrganizationId = organizationId;
        Role = OtklikRole.Owner;
        LocationScope = null;
    }

    public void SetPrincipal(Guid organizationId, OtklikRole role, Guid? userId, Guid? apiKeyId, IReadOnlyCollection<Guid>? locationScope)
    {
        IsSystem = false;
        OrganizationId = organizationId;
        Role = role;
        UserId = userId;
        ApiKeyId = apiKeyId;
        LocationScope = role == OtklikRole.LocationManager ? (locationScope ?? []) : null;
    }

    public bool CanSeeLocation(Guid locationId) => IsSystem || LocationScope is null || LocationScope.Contains(locationId);

    public static (Guid OrganizationId, OtklikRole Role)? ReadClaims(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true) return null;
        if (!Guid.TryParse(user.FindFirstValue(OtklikClaims.Organization), out var org)) return null;
        if (!Enum.TryParse<OtklikRole>(user.FindFirstValue(OtklikClaims.Role), out var role)) return null;
        return (org, role);
    }
}
