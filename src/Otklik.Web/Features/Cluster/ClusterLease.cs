using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Otklik.Web.Data;

namespace Otklik.Web.Features.Cluster;

/// <summary>
/// "Only one node does this": periodic workers ask before each round. A node that holds the lease keeps it until it
/// stops or loses its database connection; then another node takes over at its next round.
/// </summary>
public interface IClusterLease
{
    /// <summary>True when this node is (still, or now) the one that runs <paramref name="name"/>.</summary>
    Task<bool> TryHoldAsync(string name, CancellationToken ct);

    /// <summary>Lets go of <paramref name="name"/> if this node holds it.</summary>
    Task ReleaseAsync(string name);
}

/// <summary>One node (SQLite, or PostgreSQL without a cluster): always the leader.</summary>
public sealed class SingleNodeLease : IClusterLease
{
    public Task<bool> TryHoldAsync(string name, CancellationToken ct) => Task.FromResult(true);

    public Task ReleaseAsync(string name) => Task.CompletedTask;
}

/// <summary>
/// A PostgreSQL session advisory lock per name, on a connection this node keeps open for it. The lock disappears with
/// the connection, so a node killed with SIGKILL hands over as soon as PostgreSQL notices the closed socket.
/// </summary>
public sealed class PostgresAdvisoryLease(DatabaseOptions database, ILogger<PostgresAdvisoryLease> log) : IClusterLease, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new();
    private readonly ConcurrentDictionary<string, NpgsqlConnection> _held = new();

    public static long Key(string name) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("otklik-lease:" + name)), 0);

    public async Task<bool> TryHoldAsync(string name, CancellationToken ct)
    {
        var gate = _gates.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (_held.TryGetValue(name, out var held))
            {
                try
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", held);
                    await ping.ExecuteScalarAsync(ct);
                    return true;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Lost the cluster lease {Lease}", name);
                    _held.TryRemove(name, out _);
                    await held.DisposeAsync();
                }
            }
            var connection = new NpgsqlConnection(database.ConnectionString);
            try
            {
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
                command.Parameters.AddWithValue("key", Key(name));
                if (await command.ExecuteScalarAsync(ct) is true)
                {
                    _held[name] = connection;
                    log.LogInformation("This node now holds the cluster lease {Lease}", name);
                    return true;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Could not ask for the cluster lease {Lease}", name);
            }
            await connection.DisposeAsync();
            return false;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task ReleaseAsync(string name)
    {
        var gate = _gates.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            if (!_held.TryRemove(name, out var held)) return;
            // Unlock explicitly: a pooled connection outlives DisposeAsync, and the session's lock with it.
            try
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", held);
                unlock.Parameters.AddWithValue("key", Key(name));
                await unlock.ExecuteScalarAsync();
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Could not unlock the cluster lease {Lease}; it ends with its connection", name);
            }
            await held.DisposeAsync();
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _held.Values) await connection.DisposeAsync();
        _held.Clear();
    }
}
