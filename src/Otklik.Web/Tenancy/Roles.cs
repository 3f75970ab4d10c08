namespace Otklik.Web.Tenancy;

/// <summary>What a signed-in user or an API key may do inside its organization.</summary>
public enum OtklikRole
{
    Viewer = 0,
    LocationManager = 1,
    CxManager = 2,
    Owner = 3,
}

public static class OtklikClaims
{
    public const string Organization = "otklik:org";
    public const string Role = "otklik:role";
    public const string ApiKey = "otklik:apikey";
    /// <summary>The organization requires two-factor sign-in of this user, who has not set it up yet: only /account/two-factor is open.</summary>
    public const string TwoFactorSetup = "otklik:2fa-setup";
}

public static class Policies
{
    /// <summary>Any member of the organization.</summary>
    public const string Read = "read";
    /// <summary>Location managers and above: staff, shifts and devices of their locations.</summary>
    public const string Operate = "operate";
    /// <summary>CX managers and owners: locations, groups, organization-wide settings.</summary>
    public const string Manage = "manage";
    /// <summary>Owners only: users, API keys, organization settings.</summary>
    public const string Admin = "admin";
}
