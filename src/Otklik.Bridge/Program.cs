using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Otklik.Bridge;
using Otklik.Bridge.Pairing;
using Otklik.Bridge.Queue;
using Otklik.Bridge.Sending;
using Otklik.Bridge.Status;

// otklik-bridge              run the agent (console, systemd service or Windows service)
// otklik-bridge status       show queue length, last send, last error, inputs
// otklik-bridge pair --code  fetch device credentials with a pairing code from the Otklik UI
var root = new RootCommand("Otklik bridge agent: forwards START button presses from this PC to Otklik.")
{
    TreatUnmatchedTokensAsErrors = false,
};
root.SetAction(async (parse, ct) =>
{
    // Unmatched tokens are configuration overrides such as --Bridge:ServerUrl=https://…
    using var host = BridgeHost.CreateBuilder([.. parse.UnmatchedTokens]).Build();
    await host.RunAsync(ct);
    return 0;
});

var json = new Option<bool>("--json") { Description = "Print the status as JSON." };
var status = new Command("status", "Show what the agent is doing: queue length, last successful send, last error, inputs seen.") { json };
status.TreatUnmatchedTokensAsErrors = false;
status.SetAction(parse =>
{
    var config = BridgeHost.LoadConfiguration([.. parse.UnmatchedTokens]);
    var file = Path.Combine(DataDirectory.Resolve(config), PressQueue.FileName);
    var snapshot = BridgeStatus.ReadFile(file);
    if (snapshot is null)
    {
        Console.Error.WriteLine($"No queue at {file}: the agent has not run with this configuration yet.");
        return 1;
    }
    Console.Write(parse.GetValue(json)
        ? JsonSerializer.Serialize(snapshot, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }) + Environment.NewLine
        : $"server:               {config["Bridge:ServerUrl"] ?? "(not set)"}{Environment.NewLine}{snapshot.ToText()}");
    return 0;
});

var code = new Option<string>("--code") { Description = "Pairing code shown in the Otklik UI (Devices → Add → START button via PC).", Required = true };
var server = new Option<string?>("--server") { Description = "Otklik address, e.g. https://otklik.example.com (default: Bridge:ServerUrl)." };
var device = new Option<string>("--device") { Description = "Local name for this device; inputs refer to it.", DefaultValueFactory = _ => BridgeOptions.DefaultDeviceName };
var pair = new Command("pair", "Fetch device credentials from Otklik with a pairing code and save them in bridge.secrets.json.") { code, server, device };
pair.TreatUnmatchedTokensAsErrors = false;
pair.SetAction(async (parse, ct) =>
{
    var config = BridgeHost.LoadConfiguration([.. parse.UnmatchedTokens]);
    var serverUrl = parse.GetValue(server) ?? config["Bridge:ServerUrl"];
    if (!Uri.TryCreate(serverUrl, UriKind.Absolute, out var serverUri))
    {
        Console.Error.WriteLine("Give the Otklik address with --server https://… (or set Bridge:ServerUrl).");
        return 2;
    }
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    PairedDevice? paired;
    try
    {
        paired = await OtklikClient.PairAsync(http, serverUri, parse.GetValue(code)!.Trim(), ct);
    }
    catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
    {
        Console.Error.WriteLine($"Could not reach Otklik at {serverUri}: {e.Message}");
        return 3;
    }
    if (paired is null)
    {
        Console.Error.WriteLine("Otklik does not know this pairing code (or it has expired). Make a new one in the Otklik UI.");
        return 4;
    }
    var dataDir = DataDirectory.Resolve(config);
    var name = parse.GetValue(device)!;
    SecretsFile.Save(dataDir, name, paired, parse.GetValue(server));
    Console.WriteLine($"Paired: local device '{name}' is Otklik device {paired.DeviceId} ({paired.Name}).");
    Console.WriteLine($"Credentials saved to {SecretsFile.PathIn(dataDir)}. Restart the agent to use them.");
    return 0;
});

root.Subcommands.Add(status);
root.Subcommands.Add(pair);
return await root.Parse(args).InvokeAsync();
