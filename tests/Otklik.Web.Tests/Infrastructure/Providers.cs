using Microsoft.Data.Sqlite;
using Npgsql;

namespace Otklik.Web.Tests.Infrastructure;

/// <summary>The embedded default: a SQLite file of its own for each fixture.</summary>
public class SqliteApp : OtklikApp
{
    private readonly string _folder = Directory.CreateTempSubdirectory("otklik-test-").FullName;

    public override string Provider => "Sqlite";
    protected override string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "otklik.db") }.ToString();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        // Only this fixture's pool: other fixtures run in parallel.
        using (var connection = new SqliteConnection(ConnectionString)) SqliteConnection.ClearPool(connection);
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// PostgreSQL: a database of its own for each fixture, on the server that ./test.sh starts
/// (connection string in OTKLIK_TEST_POSTGRES).
/// </summary>
public class PostgresApp : OtklikApp
{
    public const string Variable = "OTKLIK_TEST_POSTGRES";
    private readonly string _database = "otklik_test_" + Guid.NewGuid().ToString("N")[..12];

    public override string Provider => "Postgres";

    private static string ServerConnection => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs ? cs
        : throw new InvalidOperationException($"PostgreSQL tests need {Variable} (a connection string to a server). Run ./test.sh, which starts a throwaway PostgreSQL.");

    protected override string ConnectionString => new NpgsqlConnectionStringBuilder(ServerConnection) { Database = _database }.ToString();

    protected override async Task PrepareDatabaseAsync()
    {
        await using var conn = new NpgsqlConnection(ServerConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        using (var connection = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(connection);
        await using var conn = new NpgsqlConnection(ServerConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
