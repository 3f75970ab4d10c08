using Microsoft.EntityFrameworkCore;
using Otklik.Web.Features.Demo;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Data;

/// <summary>
/// Before the server listens: apply migrations, realign rollup days kept by older versions, then the environment bootstrap,
/// then (in Development) the demo company.
/// </summary>
internal sealed class DatabaseInitializer(IServiceScopeFactory scopes, ILogger<DatabaseInitializer> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            log.LogInformation("Applying {Count} database migration(s): {Names}", pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
        if (await Features.Rollups.RollupRebuilder.RealignAsync(db, cancellationToken) is > 0 and var realigned)
            log.LogWarning("Rollup days and months of {Count} location(s) summed again for their local days (they were kept by UTC day)", realigned);
        await scope.ServiceProvider.GetRequiredService<Bootstrapper>().RunAsync(cancellationToken);
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().RunAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
