using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Otklik.Web.Features.Users;

namespace Otklik.Web.Features.Account;

/// <summary>Sign-in, sign-out and the language switch: plain form posts, so they work before any circuit exists.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/account/login", Login).ExcludeFromDescription();
        routes.MapPost("/account/logout", Logout).ExcludeFromDescription();
        routes.MapGet("/culture", SetCulture).ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> Login([FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
        SignInManager<AppUser> signIn)
    {
        var back = LocalOrRoot(returnUrl);
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
            return Results.Redirect($"/login?error=missing&returnUrl={Uri.EscapeDataString(back)}");
        var result = await signIn.PasswordSignInAsync(email.Trim(), password, isPersistent: true, lockoutOnFailure: true);
        if (result.Succeeded) return Results.LocalRedirect(back);
        var error = result.IsLockedOut ? "locked" : "invalid";
        return Results.Redirect($"/login?error={error}&returnUrl={Uri.EscapeDataString(back)}");
    }

    private static async Task<IResult> Logout(SignInManager<AppUser> signIn)
    {
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
