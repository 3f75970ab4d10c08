using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Otklik.Web.Data;
using Otklik.Web.Features.Health;
using Otklik.Web.Features.Ingestion;
using StackExchange.Redis;

namespace Otklik.Web.Features.Cluster;

/// <summary>
/// What changes when Otklik runs as several nodes: Redis for the SignalR backplane and the live relay, a PostgreSQL
/// advisory lease so periodic work runs once per cluster, an external MQTT broker. Nothing here is used on one node.
/// </summary>
public static class ClusterSetup
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddCluster(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<NodeIdentity>();
        var redis = configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new();
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new();
        var mqtt = configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new();
        var health = services.AddHealthChecks();

        if (redis.Enabled)
        {
            var config = ConfigurationOptions.Parse(redis.ConnectionString!);
            config.AbortOnConnectFail = false;
            config.ClientName ??= "otklik";
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(config));
            services.AddSignalR().AddStackExchangeRedis(o =>
            {
                o.Configuration = config.Clone();
                o.Configuration.ChannelPrefix = RedisChannel.Literal("otklik-signalr");
            });
            services.AddHostedService<RedisLiveRelay>();
            health.AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag]);
        }

        // Several nodes share the database: periodic rounds run on whichever node holds the lease.
        if (database.IsPostgres && (redis.Enabled || mqtt.External))
            services.AddSingleton<IClusterLease, PostgresAdvisoryLease>();

        if (mqtt.External && !string.IsNullOrWhiteSpace(mqtt.DynsecUsername))
            services.AddSingleton<IDeviceAccounts, DynsecAccounts>();
        else
            services.AddSingleton<IDeviceAccounts, NoDeviceAccounts>();
        services.AddSingleton<ExternalMqttIngestor>();
        services.AddHostedService(sp => sp.GetRequiredService<ExternalMqttIngestor>());
        health.AddCheck<BrokerHealthCheck>("mqtt", tags: [ReadyTag]);
        return services;
    }

    /// <summary><c>/health/live</c>: the process answers (no dependency checked). <c>/health/ready</c>: database, Redis, broker.</summary>
    public static void MapClusterHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag) || c.Name == "database",
        });
    }
}

public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var took = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"Redis answers ({took.TotalMilliseconds:0} ms).");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer.", e);
        }
    }
}

public sealed class BrokerHealthCheck(MqttBroker embedded, ExternalMqttIngestor external, Microsoft.Extensions.Options.IOptions<MqttOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var result = o.External
            ? external.IsConnected ? HealthCheckResult.Healthy("Connected to the MQTT broker.") : HealthCheckResult.Unhealthy("Not connected to the MQTT broker.")
            : embedded.IsRunning ? HealthCheckResult.Healthy(o.Embedded ? "The embedded MQTT broker runs." : "MQTT is off.")
                : HealthCheckResult.Unhealthy("The embedded MQTT broker does not run.");
        return Task.FromResult(result);
    }
}
