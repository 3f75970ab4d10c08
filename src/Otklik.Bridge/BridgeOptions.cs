namespace Otklik.Bridge;

/// <summary>Everything the agent reads from the "Bridge" configuration section.</summary>
public sealed class BridgeOptions
{
    public const string Section = "Bridge";

    /// <summary>Base address of the Otklik server, e.g. https://otklik.example.com.</summary>
    public string? ServerUrl { get; set; }

    /// <summary>Folder for the queue database and bridge.secrets.json; relative paths are taken from the program folder.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Paired devices by local name (the name inputs refer to). Written by <c>otklik-bridge pair</c>.</summary>
    public Dictionary<string, DeviceCredentials> Devices { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public List<SerialInputOptions> Serial { get; set; } = [];

    public List<EvdevInputOptions> Evdev { get; set; } = [];

    public HttpInputOptions Http { get; set; } = new();

    public SenderOptions Sender { get; set; } = new();

    public QueueOptions Queue { get; set; } = new();

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The device name an input uses: its own setting, or the only configured device, or "main".</summary>
    public string ResolveDevice(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }
        return Devices.Count == 1 ? Devices.Keys.First() : DefaultDeviceName;
    }

    public const string DefaultDeviceName = "main";
}

public sealed class DeviceCredentials
{
    public Guid DeviceId { get; set; }

    public string Token { get; set; } = "";

    /// <summary>Name the server gave the device (for status output only).</summary>
    public string? Name { get; set; }
}

public sealed class SerialInputOptions
{
    /// <summary>Serial port, e.g. /dev/ttyUSB0 or COM3.</summary>
    public string Port { get; set; } = "";

    public int BaudRate { get; set; } = 9600;

    /// <summary>Device name for presses without a button id (or with an unmapped one).</summary>
    public string? Device { get; set; }

    /// <summary>Button id from the line protocol → device name.</summary>
    public Dictionary<string, string> Buttons { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Answer "ACK &lt;seq&gt;" on the port once a press with a sequence number is stored.</summary>
    public bool Acknowledge { get; set; } = true;
}

public sealed class EvdevInputOptions
{
    /// <summary>Input device, e.g. /dev/input/by-id/usb-…-event-kbd.</summary>
    public string Path { get; set; } = "";

    public string? Device { get; set; }

    /// <summary>Key that means green: a Linux key name (KEY_F9 or F9) or a numeric code.</summary>
    public string GreenKey { get; set; } = "KEY_F9";

    public string RedKey { get; set; } = "KEY_F10";

    /// <summary>Take the device exclusively (EVIOCGRAB) so its keys do not reach the till software.</summary>
    public bool Grab { get; set; } = true;
}

public sealed class HttpInputOptions
{
    /// <summary>Listen on 127.0.0.1 for presses from radio-receiver software and serve /status.</summary>
    public bool Enabled { get; set; }

    public int Port { get; set; } = 5780;
}

public sealed class SenderOptions
{
    public int BatchSize { get; set; } = 500;

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class QueueOptions
{
    /// <summary>Log a warning each time the queue grows past another multiple of this.</summary>
    public long WarnLength { get; set; } = 10_000;

    /// <summary>Hard limit: new presses are refused (with an error log) beyond it.</summary>
    public long MaxLength { get; set; } = 1_000_000;
}
