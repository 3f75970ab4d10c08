using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Features.Users;

namespace Otklik.Web.Tenancy;

/// <summary>Fills the <see cref="TenantContext"/> from a principal, expanding a location manager's groups into locations.</summary>
public sealed class TenantResolver(OtklikDb db, TenantContext tenant)
{
    public async Task ApplyAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (TenantContext.ReadClaims(user) is not var (org, role)) return;
        var apiKeyId = Guid.TryParse(user.FindFirstValue(OtklikClaims.ApiKey), out var k) ? k : (Guid?)null;
        var userId = apiKeyId is null && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var u) ? u : (Guid?)null;
        IReadOnlyCollection<Guid>? scope = null;
        if (role == OtklikRole.LocationManager)
            scope = await LocationScopeAsync(org, userId, apiKeyId, ct);
        tenant.SetPrincipal(org, role, userId, apiKeyId, scope);
    }

    /// <summary>Acts as one user (background work on their behalf, e.g. their digest): their role and, for a location manager, their locations.</summary>
    public async Task ApplyUserAsync(Guid organizationId, OtklikRole role, Guid userId, CancellationToken ct)
    {
        IReadOnlyCollection<Guid>? scope = role == OtklikRole.LocationManager ? await LocationScopeAsync(organizationId, userId, null, ct) : null;
        tenant.SetPrincipal(organizationId, role, userId, null, scope);
    }

    private async Task<List<Guid>> LocationScopeAsync(Guid org, Guid? userId, Guid? apiKeyId, CancellationToken ct)
    {
        var grants = await db.AccessScopes.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.OrganizationId == org && ((userId != null && s.UserId == userId) || (apiKeyId != null && s.ApiKeyId == apiKeyId)))
            .Select(s => new { s.LocationId, s.LocationGroupId })
            .ToListAsync(ct);
        var locations = grants.Where(g => g.LocationId is not null).Select(g => g.LocationId!.Value).ToHashSet();
        var rootGroups = grants.Where(g => g.LocationGroupId is not null).Select(g => g.LocationGroupId!.Value).ToList();
        if (rootGroups.Count > 0)
        {
            var groups = await db.LocationGroups.IgnoreQueryFilters().AsNoTracking()
                .Where(g => g.OrganizationId == org).Select(g => new { g.Id, g.ParentId }).ToListAsync(ct);
            var subtree = LocationGroupTree.Subtree(rootGroups, groups.Select(g => (g.Id, g.ParentId)));
            var inGroups = await db.Locations.IgnoreQueryFilters().AsNoTracking()
                .Where(l => l.OrganizationId == org && l.GroupId != null && subtree.Contains(l.GroupId.Value))
                .Select(l => l.Id).ToListAsync(ct);
            locations.UnionWith(inGroups);
        }
        return [.. locations];
    }
}

public static class LocationGroupTree
{
    /// <summary>The given groups and all their descendants. Cycles (which the API refuses) cannot loop forever.</summary>
    public static HashSet<Guid> Subtree(IEnumerable<Guid> roots, IEnumerable<(Guid Id, Guid? ParentId)> groups)
    {
        var children = groups.Where(g => g.ParentId is not null).ToLookup(g => g.ParentId!.Value, g => g.Id);
        var result = new HashSet<Guid>();
        var stack = new Stack<Guid>(roots);
        while (stack.TryPop(out var id))
            if (result.Add(id))
                foreach (var child in children[id]) stack.Push(child);
        return result;
    }
}

/// <summary>Sets the tenant for each HTTP request after authentication.</summary>
public sealed class TenantMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, TenantResolver resolver)
    {
        await resolver.ApplyAsync(context.User, context.RequestAborted);
        await next(context);
    }
}

/// <summary>Sets the tenant for a Blazor circuit, whose scope outlives the HTTP request that opened it.</summary>
public sealed class TenantCircuitHandler(AuthenticationStateProvider auth, TenantResolver resolver) : CircuitHandler
{
    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var state = await auth.GetAuthenticationStateAsync();
        await resolver.ApplyAsync(state.User, cancellationToken);
    }
}

/// <summary>Puts the organization and role into the sign-in cookie.</summary>
public sealed class OtklikClaimsFactory(UserManager<AppUser> users, IOptions<IdentityOptions> options, IHttpContextAccessor http, OtklikDb db)
    : UserClaimsPrincipalFactory<AppUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(OtklikClaims.Organization, user.OrganizationId.ToString()));
        identity.AddClaim(new Claim(OtklikClaims.Role, user.Role.ToString()));
        if (!string.IsNullOrEmpty(user.DisplayName)) identity.AddClaim(new Claim("name", user.DisplayName));
        // The session a sign-in just started (see UserSessions); a refreshed principal gets it copied instead.
        if (http.HttpContext?.Items[Features.Account.UserSessions.ItemKey] is Guid session)
            identity.AddClaim(new Claim(Features.Account.UserSessions.Claim, session.ToString()));
        // Made again at every security-stamp check, so the claim goes once the authenticator is on (or the requirement is off).
        if (Features.Organizations.Organization.TwoFactorApplies(user.Role) && !user.TwoFactorEnabled
            && await db.Organizations.IgnoreQueryFilters().AsNoTracking().Where(o => o.Id == user.OrganizationId).Select(o => o.RequireTwoFactorForAdmins).FirstOrDefaultAsync())
            identity.AddClaim(new Claim(OtklikClaims.TwoFactorSetup, "required"));
        return identity;
    }
}
