namespace Otklik.Web.Components.Shared;

/// <summary>IANA time zone ids for pickers; the server's own list, which is what the validators accept.</summary>
public static class TimeZones
{
    private static readonly Lazy<string[]> All = new(() =>
        [.. TimeZoneInfo.GetSystemTimeZones()
            .Select(z => TimeZoneInfo.TryConvertWindowsIdToIanaId(z.Id, out var iana) ? iana : z.Id)
            .Where(id => id.Contains('/', StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)]);

    public static Task<IEnumerable<string>> SearchAsync(string? text, CancellationToken ct) =>
        Task.FromResult(string.IsNullOrWhiteSpace(text)
            ? All.Value.AsEnumerable()
            : All.Value.Where(z => z.Contains(text.Trim().Replace(' ', '_'), StringComparison.OrdinalIgnoreCase)));
}
