using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Otklik:Database";

    /// <summary>"Sqlite" (default) or "Postgres".</summary>
    public string Provider { get; set; } = "Sqlite";
    /// <summary>For SQLite, defaults to a file in <see cref="DataFolder"/>. Required for PostgreSQL.</summary>
    public string? ConnectionString { get; set; }
    /// <summary>Where the SQLite file (and later attachments) live; relative paths are under the content root.</summary>
    public string DataFolder { get; set; } = "data";

    public bool IsPostgres => string.Equals(Provider, "Postgres", StringComparison.OrdinalIgnoreCase)
        || string.Equals(Provider, "PostgreSQL", StringComparison.OrdinalIgnoreCase);
}

public static class DatabaseSetup
{
    public static IServiceCollection AddOtklikDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment env)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (!options.IsPostgres && !string.Equals(options.Provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Otklik:Database:Provider must be Sqlite or Postgres, not '{options.Provider}'.");

        services.AddScoped<TenantContext>();
        services.AddOptions<RunningTotalsCacheOptions>().BindConfiguration(RunningTotalsCacheOptions.Section);
        services.AddSingleton<RunningTotalsCache>();
        if (options.IsPostgres)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
                throw new InvalidOperationException("Otklik:Database:ConnectionString is required for PostgreSQL.");
            services.AddDbContext<PostgresOtklikDb>(o => o.UseNpgsql(options.ConnectionString));
            services.AddScoped<OtklikDb>(sp => sp.GetRequiredService<PostgresOtklikDb>());
            services.AddScoped<IDbContextFactory<OtklikDb>, OtklikDbFactory<PostgresOtklikDb>>();
        }
        else
        {
            var connectionString = options.ConnectionString ?? DefaultSqlite(options, env);
            services.AddDbContext<SqliteOtklikDb>(o => o.UseSqlite(connectionString).AddInterceptors(new SqlitePragmas()));
            services.AddScoped<OtklikDb>(sp => sp.GetRequiredService<SqliteOtklikDb>());
            services.AddScoped<IDbContextFactory<OtklikDb>, OtklikDbFactory<SqliteOtklikDb>>();
        }
        services.AddSingleton(options);
        services.AddHostedService<DatabaseInitializer>();
        return services;
    }

    private static string DefaultSqlite(DatabaseOptions options, IHostEnvironment env)
    {
        var folder = Path.IsPathRooted(options.DataFolder) ? options.DataFolder : Path.Combine(env.ContentRootPath, options.DataFolder);
        Directory.CreateDirectory(folder);
        return new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "otklik.db") }.ToString();
    }

    /// <summary>
    /// WAL lets readers work while the writer commits; synchronous=FULL makes an acknowledged commit survive power loss,
    /// not only a crash of the process. A page cache of up to 64 MiB per connection (SQLite's default is 2 MiB; pages are
    /// taken as used): an overview of a thousand locations reads each location's running totals at six instants, thousands of
    /// pages spread over the table, which a 2 MiB cache read from the operating system again on every load.
    /// </summary>
    public sealed class SqlitePragmas : DbConnectionInterceptor
    {
        private const string Sql = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = Sql;
            cmd.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = Sql;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

/// <summary>
/// One context per operation for Blazor components and workers; each context shares the scope's <see cref="TenantContext"/>.
/// The caller disposes what it creates.
/// </summary>
internal sealed class OtklikDbFactory<TContext>(IServiceProvider services) : IDbContextFactory<OtklikDb> where TContext : OtklikDb
{
    public OtklikDb CreateDbContext() => ActivatorUtilities.CreateInstance<TContext>(services);
}
