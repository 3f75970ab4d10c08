using Microsoft.AspNetCore.Identity;
using Otklik.Web.Features.Users;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Account;

/// <summary>
/// An owner or CX manager whose organization requires two-factor sign-in, and who has no authenticator yet, carries the
/// <see cref="OtklikClaims.TwoFactorSetup"/> claim after the password step. Until they set it up, every page sends them
/// to <see cref="SetupPath"/> and the API answers 403; the circuit's own navigation is held by the layout the same way.
/// </summary>
public sealed class TwoFactorGate(RequestDelegate next)
{
    public const string SetupPath = "/account/two-factor";
    public const string ContinuePath = "/account/two-factor/continue";

    public Task InvokeAsync(HttpContext http)
    {
        if (!MustSetUp(http.User) || IsOpen(http.Request.Path)) return next(http);
        if (http.Request.Path.StartsWithSegments("/api"))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return http.Response.WriteAsJsonAsync(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden, Title = "Two-factor sign-in must be set up first.",
                Detail = $"Your organization requires two-factor sign-in; set it up at {SetupPath}.",
            }, options: null, contentType: "application/problem+json");
        }
        http.Response.Redirect(SetupUrl(http.Request.Path + http.Request.QueryString));
        return Task.CompletedTask;
    }

    public static bool MustSetUp(System.Security.Claims.ClaimsPrincipal? user) => user?.HasClaim(c => c.Type == OtklikClaims.TwoFactorSetup) == true;

    public static string SetupUrl(string? returnUrl) =>
        string.IsNullOrEmpty(returnUrl) || returnUrl == "/" ? SetupPath : $"{SetupPath}?returnUrl={Uri.EscapeDataString(returnUrl)}";

    /// <summary>The set-up page itself, signing out, the sign-in pages, the circuit and static files.</summary>
    private static bool IsOpen(PathString path) =>
        path.StartsWithSegments(SetupPath) || path.StartsWithSegments("/account/logout") || path.StartsWithSegments("/login")
        || path.StartsWithSegments("/culture") || path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/_framework")
        || path.StartsWithSegments("/_content") || Path.HasExtension(path.Value);

    /// <summary>
    /// After the authenticator is turned on: a fresh cookie (same session) without the set-up claim, then where the user was going.
    /// </summary>
    public static async Task<IResult> ContinueAsync(string? returnUrl, SignInManager<AppUser> signIn, HttpContext http)
    {
        var back = !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) ? returnUrl : "/";
        var user = await signIn.UserManager.GetUserAsync(http.User);
        if (user is null) return Results.Redirect("/login");
        if (!user.TwoFactorEnabled) return Results.Redirect(SetupUrl(back));
        if (UserSessions.Of(http.User) is { } session) http.Items[UserSessions.ItemKey] = session;
        await signIn.RefreshSignInAsync(user);
        return Results.LocalRedirect(back);
    }
}
