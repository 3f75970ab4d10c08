namespace Otklik.Web.Features.Security;

/// <summary>
/// Security headers on every response. An endpoint that needs its own policy (the public feedback page, an embeddable
/// widget) sets the header itself; this middleware only fills in what is missing.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    /// <summary>
    /// The app's pages: scripts only from our own origin (Blazor and MudBlazor need no inline script or eval);
    /// styles allow inline because MudBlazor sets style attributes on its components.
    /// </summary>
    public const string AppPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "media-src 'self' blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
        "form-action 'self'; frame-ancestors 'none'";

    /// <summary>The API reference page (Scalar) boots from an inline script, so only it gets a looser policy.</summary>
    public const string ApiDocsPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext http)
    {
        http.Response.OnStarting(static state =>
        {
            var ctx = (HttpContext)state;
            var headers = ctx.Response.Headers;
            // Blazor's interactive pages add a bare "frame-ancestors 'self'"; a policy without default-src is replaced by ours.
            if (!headers.ContentSecurityPolicy.ToString().Contains("default-src", StringComparison.Ordinal))
                headers.ContentSecurityPolicy = ctx.Request.Path.StartsWithSegments("/api-docs") ? ApiDocsPolicy : AppPolicy;
            if (!headers.ContainsKey("X-Frame-Options")
                && headers.ContentSecurityPolicy.ToString().Contains("frame-ancestors 'none'", StringComparison.Ordinal))
                headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            if (!headers.ContainsKey("Referrer-Policy")) headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            // The kiosk takes photos and the feedback page records voice, both from our own origin only.
            if (!headers.ContainsKey("Permissions-Policy")) headers["Permissions-Policy"] = "camera=(self), microphone=(self), geolocation=(), payment=()";
            if (!headers.ContainsKey("Cross-Origin-Opener-Policy")) headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        }, http);
        return next(http);
    }
}
