using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Security;
using Otklik.Web.Features.Users;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Account;

/// <summary>Sign-in, sign-out and the language switch: plain form posts, so they work before any circuit exists.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/account/login", Login).ExcludeFromDescription();
        routes.MapPost("/account/login/two-factor", LoginTwoFactor).ExcludeFromDescription();
        routes.MapGet(TwoFactorGate.ContinuePath, TwoFactorGate.ContinueAsync).RequireAuthorization().ExcludeFromDescription();
        // No form fields are bound here, so antiforgery must be asked for explicitly: a forged cross-site post must not sign anyone out.
        routes.MapPost("/account/logout", Logout).WithMetadata(new RequireAntiforgeryTokenAttribute()).ExcludeFromDescription();
        routes.MapGet("/culture", SetCulture).ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> Login([FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
        SignInManager<AppUser> signIn, TenantContext tenant, OtklikDb db, HttpContext http)
    {
        var back = LocalOrRoot(returnUrl);
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
            return Results.Redirect($"/login?error=missing&returnUrl={Uri.EscapeDataString(back)}");
        var user = await signIn.UserManager.FindByEmailAsync(email.Trim());
        if (user is null) return Results.Redirect($"/login?error=invalid&returnUrl={Uri.EscapeDataString(back)}");

        // From here on the request acts inside the user's organization: the failure counter and the audit line are its rows.
        tenant.SetOrganization(user.OrganizationId);
        var session = UserSessions.Start(http, user.OrganizationId, user.Id, DateTimeOffset.UtcNow);
        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: true, lockoutOnFailure: true);
        if (result.Succeeded) db.UserSessions.Add(session);
        var action = result.Succeeded || result.RequiresTwoFactor ? AuditActions.SignIn : result.IsLockedOut ? AuditActions.LockedOut : AuditActions.SignInFailed;
        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = user.OrganizationId, At = DateTimeOffset.UtcNow, UserId = user.Id, Action = action, TargetType = "user", TargetId = user.Id,
            Detail = result.RequiresTwoFactor ? "password accepted, second factor asked" : null, Address = http.Connection.RemoteIpAddress?.ToString(),
        });
        await db.SaveChangesAsync();

        if (result.Succeeded) return Results.LocalRedirect(back);
        if (result.RequiresTwoFactor) return Results.Redirect($"/login/two-factor?returnUrl={Uri.EscapeDataString(back)}");
        var error = result.IsLockedOut ? "locked" : "invalid";
        return Results.Redirect($"/login?error={error}&returnUrl={Uri.EscapeDataString(back)}");
    }

    /// <summary>The second step: the authenticator's code (or a recovery code) for the user the password step remembered.</summary>
    private static async Task<IResult> LoginTwoFactor([FromForm] string? code, [FromForm] string? returnUrl,
        SignInManager<AppUser> signIn, TenantContext tenant, OtklikDb db, HttpContext http)
    {
        var back = LocalOrRoot(returnUrl);
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null) return Results.Redirect($"/login?returnUrl={Uri.EscapeDataString(back)}");
        tenant.SetOrganization(user.OrganizationId);
        var clean = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var session = UserSessions.Start(http, user.OrganizationId, user.Id, DateTimeOffset.UtcNow);
        var result = clean.Length == 6 && clean.All(char.IsAsciiDigit)
            ? await signIn.TwoFactorAuthenticatorSignInAsync(clean, isPersistent: true, rememberClient: false)
            : await signIn.TwoFactorRecoveryCodeSignInAsync(clean);
        if (result.Succeeded) db.UserSessions.Add(session);
        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = user.OrganizationId, At = DateTimeOffset.UtcNow, UserId = user.Id, TargetType = "user", TargetId = user.Id,
            Action = result.Succeeded ? AuditActions.SignIn : result.IsLockedOut ? AuditActions.LockedOut : AuditActions.SignInFailed,
            Detail = result.Succeeded ? "second factor" : "wrong second factor", Address = http.Connection.RemoteIpAddress?.ToString(),
        });
        await db.SaveChangesAsync();
        if (result.Succeeded) return Results.LocalRedirect(back);
        var error = result.IsLockedOut ? "locked" : "invalid";
        return Results.Redirect($"/login/two-factor?error={error}&returnUrl={Uri.EscapeDataString(back)}");
    }

    private static async Task<IResult> Logout(SignInManager<AppUser> signIn, OtklikDb db, HttpContext http)
    {
        // The middleware only records its check; endpoints that bind no form must refuse a failed one themselves.
        if (http.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: true })
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form's antiforgery token is missing or invalid.");
        if (db.Tenant.IsSet)
        {
            if (UserSessions.Of(http.User) is { } sid && await db.UserSessions.FirstOrDefaultAsync(s => s.Id == sid) is { } session) session.EndedAt = DateTimeOffset.UtcNow;
            db.Record(AuditActions.SignOut, "user", db.Tenant.UserId);
            await db.SaveChangesAsync();
        }
        await signIn.SignOutAsync();
        return Results.LocalRedirect("/login");
    }

    private static IResult SetCulture(string? culture, string? redirectUri, HttpContext http)
    {
        if (culture is "ru" or "en")
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax });
        return Results.LocalRedirect(LocalOrRoot(redirectUri));
    }

    private static string LocalOrRoot(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";
}
