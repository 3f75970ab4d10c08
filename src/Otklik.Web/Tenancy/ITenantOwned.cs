namespace Otklik.Web.Tenancy;

/// <summary>Rows that belong to one organization (tenant). The DbContext filters them by the current tenant.</summary>
public interface ITenantOwned
{
    Guid OrganizationId { get; set; }
}

/// <summary>Rows that belong to one location; location managers see only those in their scope.</summary>
public interface ILocationOwned : ITenantOwned
{
    Guid LocationId { get; }
}
