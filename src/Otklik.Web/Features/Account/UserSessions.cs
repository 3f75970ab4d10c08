using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Security;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Account;

/// <summary>
/// One signed-in browser: made at sign-in, named in the cookie by a claim, ended by signing out there or everywhere.
/// An ended session's cookie is refused at its next request.
/// </summary>
public sealed class UserSession : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganizationId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Updated at most every few minutes, so a busy page does not write on every request.</summary>
    public DateTimeOffset LastSeenAt { get; set; }
    public string? Address { get; set; }
    /// <summary>The browser's user agent, shortened; shown to the user so they recognise their devices.</summary>
    public string? Browser { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
}

public static class UserSessions
{
    public const string Claim = "otklik:sid";
    /// <summary>Where the sign-in puts the new session's id for the claims factory.</summary>
    public const string ItemKey = "otklik.session";
    private static readonly TimeSpan SeenEvery = TimeSpan.FromMinutes(5);

    public static Guid? Of(ClaimsPrincipal? user) => Guid.TryParse(user?.FindFirstValue(Claim), out var id) ? id : null;

    /// <summary>A new session for a sign-in (the caller saves it); its id goes into the cookie through the claims factory.</summary>
    public static UserSession Start(HttpContext http, Guid organizationId, Guid userId, DateTimeOffset now)
    {
        var agent = http.Request.Headers.UserAgent.ToString();
        var session = new UserSession
        {
            OrganizationId = organizationId, UserId = userId, CreatedAt = now, LastSeenAt = now, Address = http.Connection.RemoteIpAddress?.ToString(),
            Browser = string.IsNullOrEmpty(agent) ? null : agent.Length <= 200 ? agent : agent[..200],
        };
        http.Items[ItemKey] = session.Id;
        return session;
    }

    /// <summary>Cookie validation: the security stamp first (Identity's), then the session must exist and not be ended.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        await SecurityStampValidator.ValidatePrincipalAsync(context);
        if (context.Principal is null || Of(context.Principal) is not { } id) return;
        await using var scope = context.HttpContext.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var session = await db.Set<UserSession>().AsNoTracking().Where(s => s.Id == id).Select(s => new { s.EndedAt, s.LastSeenAt }).FirstOrDefaultAsync();
        if (session is null || session.EndedAt is not null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        if (now - session.LastSeenAt > SeenEvery)
            await db.Set<UserSession>().Where(s => s.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now));
    }

    /// <summary>A refreshed principal (after the security stamp check) keeps its session.</summary>
    public static Task KeepSession(SecurityStampRefreshingPrincipalContext context)
    {
        if (context.CurrentPrincipal?.FindFirst(Claim) is { } claim && context.NewPrincipal?.Identity is ClaimsIdentity identity && !identity.HasClaim(c => c.Type == Claim))
            identity.AddClaim(new Claim(Claim, claim.Value));
        return Task.CompletedTask;
    }

    /// <summary>The user's open sessions, newest first.</summary>
    public static Task<List<UserSession>> OpenAsync(OtklikDb db, Guid userId, CancellationToken ct) =>
        db.Set<UserSession>().AsNoTracking().Where(s => s.UserId == userId && s.EndedAt == null).OrderByDescending(s => s.LastSeenAt).ToListAsync(ct);

    /// <summary>Ends one session of the user (false when it is not theirs or already ended).</summary>
    public static async Task<bool> EndAsync(OtklikDb db, Guid userId, Guid sessionId, DateTimeOffset now, CancellationToken ct)
    {
        var session = await db.Set<UserSession>().FirstOrDefaultAsync(s => s.Id == sessionId && s.UserId == userId && s.EndedAt == null, ct);
        if (session is null) return false;
        session.EndedAt = now;
        db.Record(AuditActions.SignOut, "user", userId, "session ended from the sessions list");
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Ends every session of the user and changes their security stamp, so every cookie (also one without a session)
    /// stops working at its next check.
    /// </summary>
    public static async Task<int> EndAllAsync(OtklikDb db, UserManager<Users.AppUser> users, Guid userId, DateTimeOffset now, CancellationToken ct)
    {
        var open = await db.Set<UserSession>().Where(s => s.UserId == userId && s.EndedAt == null).ToListAsync(ct);
        foreach (var s in open) s.EndedAt = now;
        db.Record(AuditActions.SignOutEverywhere, "user", userId, $"sessions: {open.Count}");
        await db.SaveChangesAsync(ct);
        if (await users.FindByIdAsync(userId.ToString()) is { } user) await users.UpdateSecurityStampAsync(user);
        return open.Count;
    }
}
