using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;
using Otklik.Web.Infrastructure;

namespace Otklik.Web.Tenancy;

/// <summary>Authenticates scripts and integrations by the <c>X-Api-Key</c> header.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OtklikDb db,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values)) return AuthenticateResult.NoResult();
        var presented = values.ToString();
        if (string.IsNullOrWhiteSpace(presented) || presented.Length > 200) return AuthenticateResult.Fail("Malformed API key.");

        var hash = Secrets.Hash(presented);
        var now = time.GetUtcNow();
        var key = await db.ApiKeys.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(k => k.KeyHash == hash, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null || key.ExpiresAt <= now)
            return AuthenticateResult.Fail("Unknown, revoked or expired API key.");

        // Last-used time is for people, not for billing: a minute's precision saves a write per request.
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
            await db.ApiKeys.IgnoreQueryFilters().Where(k => k.Id == key.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, key.Id.ToString()),
            new Claim(ClaimTypes.Name, key.Name),
            new Claim(OtklikClaims.Organization, key.OrganizationId.ToString()),
            new Claim(OtklikClaims.Role, key.Role.ToString()),
            new Claim(OtklikClaims.ApiKey, key.Id.ToString()),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
