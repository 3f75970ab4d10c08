using System.Net;
using System.Text.RegularExpressions;

namespace Otklik.Web.Tests.Infrastructure;

/// <summary>Signs in through the real login form (antiforgery token included), as a browser would.</summary>
public static partial class SignIn
{
    /// <summary>A client holding the sign-in cookie, or throws when the form did not sign in.</summary>
    public static async Task<HttpClient> AsAsync(OtklikApp app, string email, string password = TestOrg.Password, bool followRedirects = true)
    {
        var (http, response) = await PostLoginAsync(app, email, password, followRedirects);
        using (response)
        {
            var landed = followRedirects ? response.RequestMessage!.RequestUri!.AbsolutePath : response.Headers.Location?.OriginalString;
            if (landed is null || landed.StartsWith("/login", StringComparison.Ordinal))
                throw new InvalidOperationException($"Sign-in of {email} failed: landed on {landed}.");
        }
        return http;
    }

    /// <summary>Posts the login form and returns the client and the raw answer (for lockout and two-factor tests).</summary>
    public static async Task<(HttpClient Http, HttpResponseMessage Response)> PostLoginAsync(OtklikApp app, string email, string password, bool followRedirects = false)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = followRedirects };
        var http = new HttpClient(handler) { BaseAddress = app.BaseAddress };
        var token = await AntiforgeryTokenAsync(http, "/login");
        var response = await http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = email, ["password"] = password, ["returnUrl"] = "/", ["__RequestVerificationToken"] = token,
        }));
        return (http, response);
    }

    /// <summary>The antiforgery token of the form on a page.</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient http, string page)
    {
        var form = await http.GetStringAsync(page);
        var match = AntiforgeryField().Match(form);
        if (!match.Success) throw new InvalidOperationException($"{page} has no antiforgery field.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
