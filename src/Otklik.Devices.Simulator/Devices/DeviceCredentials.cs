using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otklik.Devices.Simulator.Devices;

/// <summary>A device id and its secret token, as stored in <c>devices.json</c>.</summary>
public sealed record DeviceCredentials(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("token")] string Token);

/// <summary>Reads and writes the <c>[{"id":"…","token":"…"}, …]</c> device file.</summary>
public static class DeviceFile
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static IReadOnlyList<DeviceCredentials> Load(string path)
    {
        using var stream = File.OpenRead(path);
        var devices = JsonSerializer.Deserialize<List<DeviceCredentials>>(stream, Options)
            ?? throw new InvalidDataException($"{path} holds no devices.");
        var bad = devices.FindIndex(d => string.IsNullOrWhiteSpace(d?.Id) || string.IsNullOrWhiteSpace(d?.Token));
        if (bad >= 0) throw new InvalidDataException($"{path}: device #{bad + 1} needs both \"id\" and \"token\".");
        if (devices.Count == 0) throw new InvalidDataException($"{path} holds no devices.");
        return devices;
    }

    public static void Save(string path, IEnumerable<DeviceCredentials> devices)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(devices.ToList(), Options));
        File.Move(temp, full, overwrite: true);
    }
}
