using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.ApiKeys;
using Otklik.Web.Features.Users;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Organizations;

public sealed class BootstrapOptions
{
    public const string Section = "Otklik:Bootstrap";
    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
    /// <summary>An owner API key to create as given (so scripts can know it in advance). At least 20 characters.</summary>
    public string? ApiKey { get; set; }
    public string OrganizationName { get; set; } = "Default";
    /// <summary>Owners and CX managers of the new organization must use two-factor sign-in (on unless turned off here).</summary>
    public bool RequireTwoFactor { get; set; } = true;
}

/// <summary>
/// Set-up without a UI: from <c>Otklik__Bootstrap__AdminEmail</c>/<c>AdminPassword</c>/<c>ApiKey</c>, the first start creates
/// the organization "Default", its owner and an owner API key. Later starts find them and change nothing.
/// </summary>
public sealed class Bootstrapper(OtklikDb db, UserManager<AppUser> users, IConfiguration config, TimeProvider time, ILogger<Bootstrapper> log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var options = config.GetSection(BootstrapOptions.Section).Get<BootstrapOptions>() ?? new();
        if (string.IsNullOrWhiteSpace(options.AdminEmail) || string.IsNullOrWhiteSpace(options.AdminPassword)) return;
        if (options.ApiKey is { Length: < 20 })
            throw new InvalidOperationException("Otklik:Bootstrap:ApiKey must be at least 20 characters long.");

        var existing = await users.FindByEmailAsync(options.AdminEmail);
        Guid orgId;
        if (existing is null)
        {
            var org = new Organization { Name = options.OrganizationName, CreatedAt = time.GetUtcNow(), RequireTwoFactorForAdmins = options.RequireTwoFactor };
            db.Organizations.Add(org);
            await db.SaveChangesAsync(ct);
            var admin = new AppUser
            {
                OrganizationId = org.Id, UserName = options.AdminEmail, Email = options.AdminEmail, EmailConfirmed = true,
                Role = OtklikRole.Owner, DisplayName = "Administrator", CreatedAt = time.GetUtcNow(),
            };
            var result = await users.CreateAsync(admin, options.AdminPassword);
            if (!result.Succeeded)
                throw new InvalidOperationException("Bootstrap admin could not be created: " + string.Join(" ", result.Errors.Select(e => e.Description)));
            orgId = org.Id;
            log.LogInformation("Bootstrap: created organization {Org} and owner {Email}", org.Name, options.AdminEmail);
        }
        else orgId = existing.OrganizationId;

        if (options.ApiKey is { } key)
        {
            var hash = Secrets.Hash(key);
            if (!await db.ApiKeys.IgnoreQueryFilters().AnyAsync(k => k.KeyHash == hash, ct))
            {
                db.ApiKeys.Add(new ApiKey
                {
                    OrganizationId = orgId, Name = "Bootstrap", Role = OtklikRole.Owner, KeyHash = hash,
                    Prefix = key[..Math.Min(10, key.Length)], CreatedAt = time.GetUtcNow(),
                });
                await db.SaveChangesAsync(ct);
                log.LogInformation("Bootstrap: created the owner API key {Prefix}…", key[..Math.Min(10, key.Length)]);
            }
        }
    }
}
