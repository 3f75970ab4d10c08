using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Otklik.Web.Data;

namespace Otklik.Web.Features.Rollups;

/// <summary>
/// The stamp of an organization's settled running totals: a random number replaced in the transaction of every write that
/// changes a row of a settled day (a late event, an undone import, a rebuild). Cached rows are kept under the stamp they
/// were read with, so a change makes them unreachable on every node at its commit; a random value rather than a counter, so
/// a rolled-back change can never bring an old stamp back with other rows behind it.
/// </summary>
public sealed class RollupStamp
{
    public Guid OrganizationId { get; set; }
    public long Stamp { get; set; }
}

public sealed class RunningTotalsCacheOptions
{
    public const string Section = "Otklik:Rollups:Cache";

    /// <summary>How many running-total rows a node keeps in memory (~200 bytes each); 0 turns the cache off.</summary>
    public int Rows { get; set; } = 300_000;
}

/// <summary>
/// Settled days of the running totals in memory, per node: what an organization's locations had counted through the end of a
/// day that lies more than <see cref="SettledAfter"/> in the past. An owner's overview reads six such instants of every
/// location (the period, its last week, the week before, a year earlier); all but the one of today are settled, and live
/// events never change them. Keys carry the database, the organization, its <see cref="RollupStamp"/> read before the rows,
/// the day and what was read (per channel, summed, or one channel).
/// </summary>
/// <remarks>
/// Why a settled day stays right: a write changes running rows only on and after its events' days, and a write with a day
/// earlier than <see cref="LateAfter"/> before now replaces the stamp in its own transaction (<see cref="BumpAsync"/>). A row
/// cached at time r is of a day before r − <see cref="SettledAfter"/>; a later write touching it has a day before
/// w − <see cref="SettledAfter"/>, hence before w − <see cref="LateAfter"/>, and so replaces the stamp. The day between the
/// two spans leaves room for nodes whose clocks differ. Rows read inside a transaction are not cached (they may never commit).
/// </remarks>
public sealed class RunningTotalsCache : IDisposable
{
    public static readonly TimeSpan SettledAfter = TimeSpan.FromDays(3);
    public static readonly TimeSpan LateAfter = TimeSpan.FromDays(2);

    private readonly MemoryCache? rows;

    public RunningTotalsCache(IOptions<RunningTotalsCacheOptions> options, TimeProvider time)
    {
        Time = time;
        if (options.Value.Rows > 0) rows = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.Rows });
    }

    public TimeProvider Time { get; }

    /// <summary>A day's rows as read: the database, the organization and its stamp, the day, and the channel (null: per channel).</summary>
    public readonly record struct Key(string Database, Guid Organization, long Stamp, DateTimeOffset Day, string? Channel);

    /// <summary>The key of the tenant's organization's rows of a day in this context's database.</summary>
    public static Key KeyOf(OtklikDb db, long stamp, DateTimeOffset day, string? channel) =>
        new(db.Database.GetConnectionString() ?? "", db.Tenant.OrganizationId, stamp, day, channel);

    /// <summary>Whether rows of <paramref name="day"/> (a day's first hour) may be cached now.</summary>
    public bool IsSettled(DateTimeOffset day) => rows is not null && day < Time.GetUtcNow() - SettledAfter;

    public bool TryGet(Key key, out RunningRollup[] found)
    {
        found = [];
        if (rows is null || !rows.TryGetValue(key, out RunningRollup[]? hit) || hit is null) return false;
        found = hit;
        return true;
    }

    public void Set(Key key, RunningRollup[] value)
    {
        if (rows is null) return;
        // An empty day still takes a slot: it answers as surely as a full one.
        rows.Set(key, value, new MemoryCacheEntryOptions { Size = Math.Max(1, value.Length), SlidingExpiration = TimeSpan.FromHours(6) });
    }

    private readonly record struct FirstDayKey(string Database, Guid Organization, long Stamp);

    /// <summary>The first day of an organization's running totals, when kept (<see cref="SetFirstDay"/>).</summary>
    public bool TryGetFirstDay(string database, Guid organization, long stamp, out DateTimeOffset day)
    {
        day = default;
        return rows is not null && rows.TryGetValue(new FirstDayKey(database, organization, stamp), out day);
    }

    /// <summary>
    /// Keeps the first day of an organization's running totals if it is settled: an earlier day would be a late write, which
    /// replaces the stamp. (A first day of the last days, or none yet, may still move with live events.)
    /// </summary>
    public void SetFirstDay(string database, Guid organization, long stamp, DateTimeOffset day)
    {
        if (IsSettled(day)) rows!.Set(new FirstDayKey(database, organization, stamp), day, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(6) });
    }

    /// <summary>The stamp of the organization's settled running totals (0 before any late change). Read it before the rows it keys.</summary>
    public static async Task<long> StampAsync(OtklikDb db, Guid organizationId, CancellationToken ct) =>
        await db.RollupStamps.AsNoTracking().Where(s => s.OrganizationId == organizationId).Select(s => (long?)s.Stamp).FirstOrDefaultAsync(ct) ?? 0;

    /// <summary>
    /// Gives the organizations a new stamp, inside the caller's transaction: call it with every write that changes running rows
    /// of a day before <see cref="LateAfter"/>.
    /// </summary>
    public static async Task BumpAsync(OtklikDb db, IReadOnlyCollection<Guid> organizationIds, CancellationToken ct)
    {
        if (organizationIds.Count == 0) return;
        var stamp = Random.Shared.NextInt64(1, long.MaxValue);
        var postgres = db.Database.IsNpgsql();
        var sql = postgres
            ? "INSERT INTO \"RollupStamps\" (\"OrganizationId\", \"Stamp\") SELECT o, {1} FROM unnest({0}) AS o " +
              "ON CONFLICT (\"OrganizationId\") DO UPDATE SET \"Stamp\" = excluded.\"Stamp\""
            : "INSERT INTO \"RollupStamps\" (\"OrganizationId\", \"Stamp\") SELECT value, {1} FROM json_each({0}) WHERE true " +
              "ON CONFLICT (\"OrganizationId\") DO UPDATE SET \"Stamp\" = excluded.\"Stamp\"";
        object ids = postgres ? organizationIds.Distinct().ToArray() : System.Text.Json.JsonSerializer.Serialize(organizationIds.Distinct().Select(RollupStore.Text));
        await db.Database.ExecuteSqlRawAsync(sql, [ids, stamp], ct);
    }

    /// <summary>Whether a write of rows from <paramref name="earliestDay"/> on must replace its organizations' stamps.</summary>
    public static bool IsLate(DateTimeOffset earliestDay, TimeProvider time) => earliestDay < time.GetUtcNow() - LateAfter;

    public void Dispose() => rows?.Dispose();
}
