using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Security;

/// <summary>
/// Secrets kept in the database (Telegram bot tokens, webhook signing secrets) are encrypted at rest with ASP.NET Core
/// Data Protection. The key ring lives in the database too (table DataProtectionKeys), so every node of a cluster reads
/// the same keys; a database dump alone holds both, so back it up as carefully as before — what this protects against
/// is a secret showing up in a log, a query result, a support screenshot or a copy of one table.
/// </summary>
public sealed class SecretBox(IDataProtectionProvider provider)
{
    public const string Prefix = "dp1:";
    private readonly IDataProtector _protector = provider.CreateProtector("Otklik.Secrets.v1");

    public string Protect(string plain) => Prefix + _protector.Protect(plain);

    /// <summary>The plain secret; a value written before encryption existed is returned as it is.</summary>
    public string? Reveal(string? stored) =>
        stored is null ? null : stored.StartsWith(Prefix, StringComparison.Ordinal) ? _protector.Unprotect(stored[Prefix.Length..]) : stored;
}

/// <summary>At start, encrypts secrets that an older version stored in plain text.</summary>
public sealed class SecretsAtRestMigration(IServiceScopeFactory scopes, SecretBox box, ILogger<SecretsAtRestMigration> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var plain = await db.NotificationChannels.Where(c => c.Secret != null && !c.Secret.StartsWith(SecretBox.Prefix)).ToListAsync(ct);
        foreach (var c in plain) c.Secret = box.Protect(c.Secret!);
        if (plain.Count > 0)
        {
            await db.SaveChangesAsync(ct);
            log.LogInformation("Encrypted {Count} notification-channel secrets stored in plain text by an older version.", plain.Count);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
