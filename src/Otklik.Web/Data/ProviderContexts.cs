using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Data;

/// <summary>The embedded default: one SQLite file in WAL mode.</summary>
public sealed class SqliteOtklikDb(DbContextOptions<SqliteOtklikDb> options, TenantContext tenant, RunningTotalsCache? runningTotals = null)
    : OtklikDb(options, tenant, runningTotals)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        // SQLite cannot compare or order DateTimeOffset or decimal in SQL; store UTC ticks and doubles.
        builder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        builder.Properties<decimal>().HaveConversion<double>();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}

/// <summary>Production store.</summary>
public sealed class PostgresOtklikDb(DbContextOptions<PostgresOtklikDb> options, TenantContext tenant, RunningTotalsCache? runningTotals = null)
    : OtklikDb(options, tenant, runningTotals)
{
    // timestamptz takes only UTC offsets; clients send local times, so every value (and query parameter) is normalized.
    protected override void ConfigureConventions(ModelConfigurationBuilder builder) =>
        builder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
        v => v.ToUniversalTime(),
        v => v);
}

/// <summary>Design-time factories for <c>dotnet ef migrations add</c>.</summary>
public sealed class SqliteDesignFactory : IDesignTimeDbContextFactory<SqliteOtklikDb>
{
    public SqliteOtklikDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOtklikDb>().UseSqlite("Data Source=design.db").Options, new TenantContext());
}

public sealed class PostgresDesignFactory : IDesignTimeDbContextFactory<PostgresOtklikDb>
{
    public PostgresOtklikDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresOtklikDb>().UseNpgsql("Host=localhost;Database=otklik_design").Options, new TenantContext());
}
