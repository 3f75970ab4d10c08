using System.Net.Http.Json;
using System.Text.Json;
using Otklik.Devices.Simulator.Devices;

namespace Otklik.Bench;

/// <summary>Locations, devices and a location-scoped API key through Otklik's REST API (header X-Api-Key).</summary>
public sealed class Provisioning(OtklikServer server) : IDisposable
{
    private readonly HttpClient _http = CreateClient(server);

    public async Task<Guid> CreateLocationAsync(string name, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync(new Uri("api/v1/locations", UriKind.Relative), new { name }, Json.Options, ct);
        await EnsureAsync(response, "creating a location", ct);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.GetProperty("id").GetGuid();
    }

    public async Task<IReadOnlyList<DeviceCredentials>> CreateDevicesAsync(Guid locationId, int count, string namePrefix, CancellationToken ct) =>
        await new DeviceProvisioner(_http, server.BaseAddress, OtklikServer.AdminKey).ProvisionAsync(locationId, count, namePrefix, ct: ct);

    /// <summary>A location manager's key for one location: its live connection hears only that location's events.</summary>
    public async Task<string> CreateLocationKeyAsync(Guid locationId, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync(new Uri("api/v1/api-keys", UriKind.Relative),
            new { name = "bench live client", role = "LocationManager", locationIds = new[] { locationId } }, Json.Options, ct);
        await EnsureAsync(response, "creating an API key", ct);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.GetProperty("key").GetString()!;
    }

    public void Dispose() => _http.Dispose();

    private static HttpClient CreateClient(OtklikServer server)
    {
        var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", OtklikServer.AdminKey);
        return http;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        throw new InvalidOperationException($"{what} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }
}
