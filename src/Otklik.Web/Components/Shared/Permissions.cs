using MudBlazor;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Components.Shared;

/// <summary>What the signed-in user may change; the same lines the API policies draw.</summary>
public static class Permissions
{
    /// <summary>Staff, shifts and devices (of the locations in scope): location managers and above.</summary>
    public static bool CanOperate(this TenantContext tenant) => tenant.Role >= OtklikRole.LocationManager;

    /// <summary>Locations and location groups: CX managers and owners.</summary>
    public static bool CanManage(this TenantContext tenant) => tenant.Role >= OtklikRole.CxManager;

    /// <summary>Users, API keys, organization settings: owners.</summary>
    public static bool IsOwner(this TenantContext tenant) => tenant.Role == OtklikRole.Owner;
}

/// <summary>Dialog defaults. On phones every dialog fills the screen (see app.css, .mud-dialog under 600 px).</summary>
public static class Dialogs
{
    public static DialogOptions Form(MaxWidth width = MaxWidth.Small) => new()
    {
        MaxWidth = width, FullWidth = true, CloseButton = true, BackdropClick = false, CloseOnEscapeKey = true,
    };
}
