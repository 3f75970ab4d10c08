using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Otklik.Web.Data;
using Otklik.Web.Localization;

namespace Otklik.Web.Features.Imports;

/// <summary>
/// The organization's locations as import rows name them (by name, case and spaces ignored, or by slug), with each
/// location's time zone so that a date without an offset is read as the location's local time.
/// </summary>
public sealed class ImportLocations
{
    private readonly Dictionary<string, List<(Guid Id, TimeZoneInfo Zone)>> _byKey = new(StringComparer.Ordinal);

    public static async Task<ImportLocations> LoadAsync(OtklikDb db, CancellationToken ct)
    {
        var result = new ImportLocations();
        foreach (var l in await db.Locations.AsNoTracking().Select(l => new { l.Id, l.Name, l.Slug, l.TimeZone }).ToListAsync(ct))
        {
            var zone = TimeZoneInfo.TryFindSystemTimeZoneById(l.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
            foreach (var key in new[] { ImportMapping.Normalize(l.Name), l.Slug.ToLowerInvariant() }.Distinct())
            {
                if (!result._byKey.TryGetValue(key, out var list)) result._byKey[key] = list = [];
                list.Add((l.Id, zone));
            }
        }
        return result;
    }

    /// <summary>The one location a cell names, or null with the reason added to <paramref name="errors"/>.</summary>
    public (Guid Id, TimeZoneInfo Zone)? Find(string name, IStringLocalizer<Ui> L, List<string> errors)
    {
        if (!_byKey.TryGetValue(ImportMapping.Normalize(name), out var found) && !_byKey.TryGetValue(name.Trim().ToLowerInvariant(), out found))
            errors.Add(L["location: no location \"{0}\".", Parsers.Short(name)]);
        else if (found.Count > 1) errors.Add(L["location: several locations are called \"{0}\"; use the slug.", Parsers.Short(name)]);
        else return found[0];
        return null;
    }

    /// <summary>A parsed date cell as an instant: with an offset as given, without one in the location's zone. Past tomorrow is an error.</summary>
    public static DateTimeOffset At(object? date, TimeZoneInfo zone, ImportContext context, List<string> errors)
    {
        var at = date switch
        {
            DateTimeOffset instant => instant.ToUniversalTime(),
            DateTime local => new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime(),
            _ => default,
        };
        if (at > context.Now.AddDays(1)) errors.Add(context.L["date: in the future."]);
        return at;
    }
}
