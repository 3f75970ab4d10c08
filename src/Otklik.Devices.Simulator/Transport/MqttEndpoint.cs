using System.Globalization;

namespace Otklik.Devices.Simulator.Transport;

/// <summary>Where the MQTT broker listens: <c>host[:port]</c>, <c>mqtt://host:port</c> or <c>mqtts://host:port</c> (TLS).</summary>
public sealed record MqttEndpoint(string Host, int Port = MqttEndpoint.DefaultPort, bool UseTls = false)
{
    public const int DefaultPort = 1883;

    public const int DefaultTlsPort = 8883;

    public static MqttEndpoint Parse(string text)
    {
        if (!TryParse(text, out var endpoint))
            throw new FormatException($"'{text}' is not an MQTT address; use host:port, mqtt://host:port or mqtts://host:port.");
        return endpoint;
    }

    public static bool TryParse(string? text, out MqttEndpoint endpoint)
    {
        endpoint = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        var tls = false;
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0) return false;
            tls = uri.Scheme switch { "mqtt" or "tcp" => false, "mqtts" or "ssl" => true, _ => (bool?)null } ?? throw new FormatException($"Unknown MQTT scheme '{uri.Scheme}'.");
            endpoint = new MqttEndpoint(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? (tls ? DefaultTlsPort : DefaultPort) : uri.Port, tls);
            return true;
        }
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            endpoint = new MqttEndpoint(text);
            return true;
        }
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535 || colon == 0)
            return false;
        endpoint = new MqttEndpoint(text[..colon], port);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(UseTls ? "mqtts" : "mqtt")}://{Host}:{Port}");
}
