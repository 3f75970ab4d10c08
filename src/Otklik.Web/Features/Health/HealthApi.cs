using Microsoft.Extensions.Diagnostics.HealthChecks;
using Otklik.Web.Data;

namespace Otklik.Web.Features.Health;

/// <summary>200 only when the database answers.</summary>
public sealed class DatabaseHealthCheck(OtklikDb db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy("The database answers.")
                : HealthCheckResult.Unhealthy("The database does not answer.");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.", e);
        }
    }
}
