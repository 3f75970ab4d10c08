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
    IServiceScopeFactory scopes,
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
        {
            // The first use in an hour also goes to the audit log; the conditional update lets one request of many win.
            var hourAgo = now.AddHours(-1);
            var firstThisHour = await db.ApiKeys.IgnoreQueryFilters().Where(k => k.Id == key.Id && (k.LastUsedAt == null || k.LastUsedAt < hourAgo))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted) == 1;
            if (firstThisHour) await AuditUseAsync(key.Id, key.OrganizationId, now);
            else await db.ApiKeys.IgnoreQueryFilters().Where(k => k.Id == key.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
        }

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

    private async Task AuditUseAsync(Guid keyId, Guid organizationId, DateTimeOffset now)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetOrganization(organizationId);
        var audit = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var request = $"{Request.Method} {Request.Path}";
        audit.AuditEntries.Add(new Features.Security.AuditEntry
        {
            OrganizationId = organizationId, At = now, ApiKeyId = keyId, Action = Features.Security.AuditActions.ApiKeyUsed,
            TargetType = "api-key", TargetId = keyId, Detail = request.Length > 200 ? request[..200] : request,
            Address = Context.Connection.RemoteIpAddress?.ToString(),
        });
        await audit.SaveChangesAsync(Context.RequestAborted);
    }
}
