using System.Net.Http.Json;
using System.Text.Json;

namespace Otklik.Devices.Simulator.Devices;

/// <summary>Creates SMART buttons through the REST API (<c>POST /api/v1/devices</c> with an API key).</summary>
public sealed class DeviceProvisioner(HttpClient http, Uri server, string apiKey)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Creates <paramref name="count"/> devices named "<paramref name="namePrefix"/> 1…N" at the location.</summary>
    public async Task<IReadOnlyList<DeviceCredentials>> ProvisionAsync(
        Guid locationId, int count, string namePrefix = "Sim button", int firstNumber = 1, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var created = new List<DeviceCredentials>(count);
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, "api/v1/devices"))
            {
                Content = JsonContent.Create(new { name = $"{namePrefix} {firstNumber + i}", kind = "ButtonSmart", locationId }, options: Json),
            };
            request.Headers.Add("X-Api-Key", apiKey);
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                throw new ProvisioningException(
                    $"Creating device {i + 1} of {count} failed: {(int)response.StatusCode} {response.ReasonPhrase} {body}".Trim(), created);
            }
            var answer = await response.Content.ReadFromJsonAsync<Created>(Json, ct);
            if (answer?.Device?.Id is not { Length: > 0 } id || string.IsNullOrEmpty(answer.Token))
                throw new ProvisioningException($"Creating device {i + 1} of {count}: the answer has no device id or token.", created);
            created.Add(new DeviceCredentials(id, answer.Token));
        }
        return created;
    }

    private sealed record Created(CreatedDevice? Device, string? Token);

    private sealed record CreatedDevice(string? Id);
}

/// <summary>Provisioning stopped part-way; <see cref="Created"/> holds the devices made before the failure.</summary>
public sealed class ProvisioningException(string message, IReadOnlyList<DeviceCredentials> created) : Exception(message)
{
    public IReadOnlyList<DeviceCredentials> Created { get; } = created;
}
