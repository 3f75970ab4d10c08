using System.Text.Json;
using System.Text.Json.Nodes;
using Otklik.Bridge.Sending;

namespace Otklik.Bridge.Pairing;

/// <summary>
/// bridge.secrets.json in the data folder: device credentials written by <c>otklik-bridge pair</c>, in the same
/// shape as appsettings.json ("Bridge": { "Devices": { name: { DeviceId, Token, Name } } }). Mode 600 on Linux.
/// </summary>
public static class SecretsFile
{
    public const string FileName = "bridge.secrets.json";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    public static void Save(string dataDirectory, string deviceName, PairedDevice device, string? serverUrl)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = PathIn(dataDirectory);
        var root = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? [] : [];
        var bridge = root["Bridge"] as JsonObject ?? [];
        root["Bridge"] = bridge;
        var devices = bridge["Devices"] as JsonObject ?? [];
        bridge["Devices"] = devices;
        devices[deviceName] = new JsonObject
        {
            ["DeviceId"] = device.DeviceId.ToString("D"),
            ["Token"] = device.Token,
            ["Name"] = device.Name,
        };
        if (!string.IsNullOrWhiteSpace(serverUrl))
        {
            bridge["ServerUrl"] = serverUrl;
        }
        var temp = path + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temp, fileOptions))
        {
            JsonSerializer.Serialize(stream, root, new JsonSerializerOptions { WriteIndented = true });
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temp, path, overwrite: true);
    }
}
