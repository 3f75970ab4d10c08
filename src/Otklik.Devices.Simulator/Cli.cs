using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using Otklik.Devices.Simulator.Devices;
using Otklik.Devices.Simulator.Protocol;
using Otklik.Devices.Simulator.Simulation;
using Otklik.Devices.Simulator.Transport;

namespace Otklik.Devices.Simulator;

/// <summary>The <c>otklik-sim</c> command line: <c>run</c>, <c>press</c>, <c>provision</c>. Public so tests can invoke it in-process.</summary>
public static class Cli
{
    /// <summary>Exit codes: 0 all acknowledged, 1 some events failed, 2 bad arguments or files, 3 server unreachable or refusing.</summary>
    public const int Ok = 0, SomeFailed = 1, BadInput = 2, Unreachable = 3;

    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken ct = default)
    {
        var config = new InvocationConfiguration
        {
            // Ctrl+C cancels the run; give it time to drain and print the summary before the process is torn down.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
        };
        if (output is not null) config.Output = output;
        if (error is not null) config.Error = error;
        return Build().Parse(args).InvokeAsync(config, ct);
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("Otklik device simulator: SMART loyalty buttons (red/green) over MQTT or HTTPS, for demos, tests and benchmarks.");
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(PressCommand());
        root.Subcommands.Add(ProvisionCommand());
        root.Subcommands.Add(StoreDayCommand());
        return root;
    }

    private static Option<string?> ServerOption() => new("--server") { Description = "Otklik address for HTTP(S), e.g. http://localhost:5080." };

    private static Option<string?> MqttOption() => new("--mqtt") { Description = "MQTT broker: host[:port] (default port 1883), or mqtts://host:8883 for TLS." };

    private static Command RunCommand()
    {
        var server = ServerOption();
        var mqtt = MqttOption();
        var transport = new Option<string>("--transport") { Description = "http, mqtt, or mixed (half the devices each; duplicates may cross over).", DefaultValueFactory = _ => "http" };
        transport.AcceptOnlyFromAmong("http", "mqtt", "mixed");
        var devices = new Option<FileInfo>("--devices") { Description = "JSON file [{\"id\":\"…\",\"token\":\"…\"}, …] (see the provision command).", Required = true };
        var rate = new Option<double>("--rate") { Description = "New presses per second over all devices; 0 = as fast as concurrency allows.", DefaultValueFactory = _ => 50 };
        var duration = new Option<TimeSpan?>("--duration") { Description = "Stop after this long: 90s, 5m, 1h, 500ms or 00:01:30.", CustomParser = ParseOptionalDuration };
        var count = new Option<long?>("--count") { Description = "Stop after this many new presses (duplicate re-sends are extra)." };
        var redShare = new Option<double>("--red-share") { Description = "Share of ordinary presses that are red.", DefaultValueFactory = _ => 0.15 };
        var duplicateShare = new Option<double>("--duplicate-share") { Description = "Per new press, chance of re-sending an already acknowledged event id.", DefaultValueFactory = _ => 0.02 };
        var burst = new Option<bool>("--burst") { Description = "Now and then a child hammers red 10 times in 2 s on one button." };
        var concurrency = new Option<int>("--concurrency") { Description = "Most sends in flight at once.", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch") { Description = "Events per send (1 = single event; more = {\"events\":[…]}, up to 1000).", DefaultValueFactory = _ => 1 };
        var seed = new Option<int?>("--seed") { Description = "Seed for device choice, colours, duplicates and bursts (ids stay unique)." };
        var ackedLog = new Option<FileInfo?>("--acked-log") { Description = "Append every acknowledged event id here, one per line, flushed." };
        var json = new Option<bool>("--json") { Description = "Print the final summary as JSON." };
        var statusEvery = new Option<TimeSpan>("--status-every") { Description = "MQTT status period (one is also sent at connect).", DefaultValueFactory = _ => TimeSpan.FromSeconds(60), CustomParser = ParseDuration };
        var attempts = new Option<int>("--max-attempts") { Description = "Attempts per send before giving up, the first included.", DefaultValueFactory = _ => RetryPolicy.Default.MaxAttempts };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "How long one attempt waits for its 202 or PUBACK.", DefaultValueFactory = _ => RetryPolicy.Default.AttemptTimeout, CustomParser = ParseDuration };
        var quiet = new Option<bool>("--quiet") { Description = "No progress lines or broker config messages on stderr." };

        var command = new Command("run", "Press many buttons at a steady rate and print what the server acknowledged.")
        {
            server, mqtt, transport, devices, rate, duration, count, redShare, duplicateShare, burst, concurrency, batch, seed,
            ackedLog, json, statusEvery, attempts, timeout, quiet,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var isQuiet = parse.GetValue(quiet);
            var log = isQuiet ? null : (Action<string>)(line => { lock (error) error.WriteLine(line); });
            SimulationOptions options;
            IReadOnlyList<DeviceCredentials> list;
            long acked = 0, failed = 0;
            try
            {
                list = DeviceFile.Load(parse.GetValue(devices)!.FullName);
                options = new SimulationOptions
                {
                    Transport = Enum.Parse<SimTransport>(parse.GetValue(transport)!, ignoreCase: true),
                    Server = ParseServer(parse.GetValue(server)),
                    Mqtt = parse.GetValue(mqtt) is { } m ? MqttEndpoint.Parse(m) : null,
                    Rate = parse.GetValue(rate),
                    Duration = parse.GetValue(duration),
                    Count = parse.GetValue(count),
                    RedShare = parse.GetValue(redShare),
                    DuplicateShare = parse.GetValue(duplicateShare),
                    Burst = parse.GetValue(burst),
                    Concurrency = parse.GetValue(concurrency),
                    Batch = parse.GetValue(batch),
                    Seed = parse.GetValue(seed),
                    AckedLogPath = parse.GetValue(ackedLog)?.FullName,
                    StatusEvery = parse.GetValue(statusEvery),
                    Retry = RetryPolicy.Default with { MaxAttempts = Math.Max(1, parse.GetValue(attempts)), AttemptTimeout = parse.GetValue(timeout) },
                    Log = log,
                    OnSendCompleted = r =>
                    {
                        if (r.IsDuplicate) return;
                        if (r.Result.IsAcknowledged) Interlocked.Add(ref acked, r.Events.Count);
                        else if (r.Result.Outcome != SendOutcome.Cancelled) Interlocked.Add(ref failed, r.Events.Count);
                    },
                };
                options.Validate();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException or FormatException or ArgumentException)
            {
                await error.WriteLineAsync($"otklik-sim: {e.Message}");
                return BadInput;
            }

            await using var simulator = new ButtonSimulator(options, list);
            using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var progress = log is null ? Task.CompletedTask : ProgressAsync(() => (Interlocked.Read(ref acked), Interlocked.Read(ref failed)), log, progressStop.Token);
            var summary = await simulator.RunAsync(ct);
            await progressStop.CancelAsync();
            await progress;
            await output.WriteAsync(parse.GetValue(json) ? summary.ToJson() + Environment.NewLine : summary.ToText());
            await output.FlushAsync(CancellationToken.None);
            return summary.Failed > 0 ? SomeFailed : Ok;
        });
        return command;
    }

    private static async Task ProgressAsync(Func<(long Acked, long Failed)> read, Action<string> log, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var (acked, failed) = read();
                log(string.Create(CultureInfo.InvariantCulture, $"{(DateTimeOffset.UtcNow - started).TotalSeconds,6:F0} s  acknowledged {acked}  failed {failed}"));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Command PressCommand()
    {
        var server = ServerOption();
        var mqtt = MqttOption();
        var device = new Option<string>("--device") { Description = "Device id.", Required = true };
        var token = new Option<string>("--token") { Description = "Device token.", Required = true };
        var type = new Option<string>("--type") { Description = "red or green.", DefaultValueFactory = _ => "green" };
        type.AcceptOnlyFromAmong("red", "green");
        var transport = new Option<string>("--transport") { Description = "http or mqtt.", DefaultValueFactory = _ => "http" };
        transport.AcceptOnlyFromAmong("http", "mqtt");
        var id = new Option<Guid?>("--id") { Description = "Event id to use (re-use one to see the server drop the duplicate); default: a new one." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };

        var command = new Command("press", "Press one button once and wait for the acknowledgement.") { server, mqtt, device, token, type, transport, id, json };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var credentials = new DeviceCredentials(parse.GetValue(device)!, parse.GetValue(token)!);
            var useMqtt = parse.GetValue(transport) == "mqtt";
            var now = DateTimeOffset.Now;
            var color = parse.GetValue(type) == "red" ? ButtonColor.Red : ButtonColor.Green;
            var press = parse.GetValue(id) is { } given ? new ButtonEvent(given, color, now) : ButtonEvent.New(color, now);
            IDeviceClient client;
            HttpClient? http = null;
            try
            {
                if (useMqtt)
                {
                    var endpoint = MqttEndpoint.Parse(parse.GetValue(mqtt) ?? "localhost");
                    client = new MqttDeviceClient(endpoint, credentials, new MqttDeviceOptions
                    {
                        StatusEvery = TimeSpan.Zero,
                        OnConfig = (_, payload) => { lock (error) error.WriteLine($"config: {payload}"); },
                    });
                }
                else
                {
                    http = HttpDeviceClient.CreateHttpClient(4);
                    client = new HttpDeviceClient(http, ParseServer(parse.GetValue(server)) ?? throw new ArgumentException("Give the Otklik address with --server."), credentials);
                }
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                await error.WriteLineAsync($"otklik-sim: {e.Message}");
                return BadInput;
            }
            await using (client)
            using (http)
            {
                var result = await client.SendAsync([press], ct);
                if (parse.GetValue(json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        id = press.Id, type = parse.GetValue(type), at = press.At, transport = client.Transport,
                        outcome = result.Outcome.ToString().ToLowerInvariant(), result.Accepted, result.Duplicates, result.Attempts,
                        latencyMs = Math.Round(result.Latency.TotalMilliseconds, 2), error = result.ErrorKind, result.Detail,
                    }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
                }
                else
                {
                    await output.WriteLineAsync(result.IsAcknowledged
                        ? string.Create(CultureInfo.InvariantCulture, $"acknowledged {press.Id} ({parse.GetValue(type)}) over {client.Transport} in {result.Latency.TotalMilliseconds:F0} ms, {result.Attempts} attempt(s); accepted {result.Accepted}, duplicates {result.Duplicates}")
                        : string.Create(CultureInfo.InvariantCulture, $"not acknowledged {press.Id}: {result.Outcome} ({result.ErrorKind}) after {result.Attempts} attempt(s) {result.Detail}").TrimEnd());
                }
                return result.Outcome switch
                {
                    SendOutcome.Acknowledged => Ok,
                    SendOutcome.GaveUp => Unreachable,
                    _ => SomeFailed,
                };
            }
        });
        return command;
    }

    private static Command StoreDayCommand()
    {
        var server = ServerOption();
        var mqtt = MqttOption();
        var transport = new Option<string>("--transport") { Description = "http or mqtt.", DefaultValueFactory = _ => "http" };
        transport.AcceptOnlyFromAmong("http", "mqtt");
        var counters = new Option<FileInfo?>("--counters") { Description = "Device file of visitor counters (kind VisitorCounter)." };
        var sellers = new Option<FileInfo?>("--sellers") { Description = "Device file of sellers' activity buttons (kind SellerButton, each assigned to its seller)." };
        var buttons = new Option<FileInfo?>("--buttons") { Description = "Device file of loyalty buttons (red/green)." };
        var date = new Option<string?>("--date") { Description = "Local date to play, yyyy-MM-dd (default: yesterday). Hours not over yet are skipped." };
        var zone = new Option<string?>("--time-zone") { Description = "The store's time zone, e.g. Europe/Moscow (default: this machine's)." };
        var open = new Option<int>("--open") { Description = "Opening hour (local).", DefaultValueFactory = _ => 10 };
        var close = new Option<int>("--close") { Description = "Closing hour (local, exclusive).", DefaultValueFactory = _ => 21 };
        var visitors = new Option<int>("--visitors") { Description = "Visitors of the day, spread over a lunchtime and an evening peak.", DefaultValueFactory = _ => 400 };
        var attemptShare = new Option<double>("--attempt-share") { Description = "Sales attempts per visitor, shared by the sellers.", DefaultValueFactory = _ => 0.5 };
        var pressShare = new Option<double>("--press-share") { Description = "Loyalty button presses per visitor.", DefaultValueFactory = _ => 0.2 };
        var redShare = new Option<double>("--red-share") { Description = "Share of presses that are red.", DefaultValueFactory = _ => 0.15 };
        var hourDelay = new Option<TimeSpan?>("--hour-delay") { Description = "Pause after each hour (a live demo): 2s, 1m…", CustomParser = ParseOptionalDuration };
        var seed = new Option<int?>("--seed") { Description = "Seed for the day's numbers." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var quiet = new Option<bool>("--quiet") { Description = "No per-hour lines on stderr." };

        var command = new Command("store-day", "Play a store's day: hourly visitor counts, sellers' sales attempts and loyalty button presses.")
        {
            server, mqtt, transport, counters, sellers, buttons, date, zone, open, close, visitors, attemptShare, pressShare, redShare, hourDelay, seed, json, quiet,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var log = parse.GetValue(quiet) ? null : (Action<string>)(line => { lock (error) error.WriteLine(line); });
            StoreDayOptions options;
            (List<DeviceCredentials> Counters, List<DeviceCredentials> Sellers, List<DeviceCredentials> Buttons) files;
            try
            {
                static List<DeviceCredentials> Load(FileInfo? f) => f is null ? [] : [.. DeviceFile.Load(f.FullName)];
                files = (Load(parse.GetValue(counters)), Load(parse.GetValue(sellers)), Load(parse.GetValue(buttons)));
                if (files.Counters.Count + files.Sellers.Count + files.Buttons.Count == 0)
                    throw new ArgumentException("Give at least one of --counters, --sellers and --buttons.");
                var tz = parse.GetValue(zone) is { } id ? TimeZoneInfo.FindSystemTimeZoneById(id) : TimeZoneInfo.Local;
                var day = parse.GetValue(date) is { } d
                    ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture)
                    : DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, tz).DateTime).AddDays(-1);
                options = new StoreDayOptions
                {
                    Date = day, Zone = tz, OpenHour = parse.GetValue(open), CloseHour = parse.GetValue(close), Visitors = parse.GetValue(visitors),
                    AttemptShare = parse.GetValue(attemptShare), PressShare = parse.GetValue(pressShare), RedShare = parse.GetValue(redShare),
                    HourDelay = parse.GetValue(hourDelay) ?? TimeSpan.Zero, Seed = parse.GetValue(seed), Log = log,
                };
                options.Validate();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException or FormatException or ArgumentException
                                          or TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                await error.WriteLineAsync($"otklik-sim: {e.Message}");
                return BadInput;
            }

            using var http = HttpDeviceClient.CreateHttpClient(16);
            var clients = new List<IDeviceClient>();
            try
            {
                var useMqtt = parse.GetValue(transport) == "mqtt";
                var endpoint = useMqtt ? MqttEndpoint.Parse(parse.GetValue(mqtt) ?? "localhost") : null;
                var serverUri = useMqtt ? null : ParseServer(parse.GetValue(server)) ?? throw new ArgumentException("Give the Otklik address with --server.");
                List<IDeviceClient> Make(List<DeviceCredentials> list)
                {
                    var made = list.Select(c => useMqtt
                        ? (IDeviceClient)new MqttDeviceClient(endpoint!, c, new MqttDeviceOptions { StatusEvery = TimeSpan.Zero })
                        : new HttpDeviceClient(http, serverUri!, c)).ToList();
                    clients.AddRange(made);
                    return made;
                }
                var devices = new StoreDevices(Make(files.Counters), Make(files.Sellers), Make(files.Buttons));
                var summary = await new StoreDay(options, devices).RunAsync(ct);
                await output.WriteAsync(parse.GetValue(json) ? summary.ToJson() + Environment.NewLine : summary.ToText());
                await output.FlushAsync(CancellationToken.None);
                return summary.Failed > 0 ? SomeFailed : Ok;
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                await error.WriteLineAsync($"otklik-sim: {e.Message}");
                return BadInput;
            }
            finally
            {
                foreach (var c in clients) await c.DisposeAsync();
            }
        });
        return command;
    }

    private static Command ProvisionCommand()
    {
        var server = new Option<string>("--server") { Description = "Otklik address, e.g. http://localhost:5080.", Required = true };
        var apiKey = new Option<string>("--api-key") { Description = "An Otklik API key allowed to create devices.", Required = true };
        var location = new Option<Guid>("--location") { Description = "Location id the buttons belong to.", Required = true };
        var count = new Option<int>("--count") { Description = "How many buttons to create.", DefaultValueFactory = _ => 1 };
        var outFile = new Option<FileInfo>("--out") { Description = "Device file to write.", DefaultValueFactory = _ => new FileInfo("devices.json") };
        var prefix = new Option<string>("--name-prefix") { Description = "Names are \"<prefix> 1\" … \"<prefix> N\".", DefaultValueFactory = _ => "Sim button" };

        var command = new Command("provision", "Create SMART buttons through the REST API and write their ids and tokens to a device file.")
        {
            server, apiKey, location, count, outFile, prefix,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (ParseServerOrNull(parse.GetValue(server)) is not { } serverUri || parse.GetValue(count) < 1)
            {
                await error.WriteLineAsync("otklik-sim: give an absolute --server address and a --count of at least 1.");
                return BadInput;
            }
            var path = parse.GetValue(outFile)!.FullName;
            using var http = HttpDeviceClient.CreateHttpClient(4);
            http.Timeout = TimeSpan.FromSeconds(30);
            var provisioner = new DeviceProvisioner(http, serverUri, parse.GetValue(apiKey)!);
            try
            {
                var created = await provisioner.ProvisionAsync(parse.GetValue(location), parse.GetValue(count), parse.GetValue(prefix)!, ct: ct);
                DeviceFile.Save(path, created);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"created {created.Count} device(s); wrote {path}"));
                return Ok;
            }
            catch (ProvisioningException e)
            {
                if (e.Created.Count > 0) DeviceFile.Save(path, e.Created);
                await error.WriteLineAsync($"otklik-sim: {e.Message}" + (e.Created.Count > 0 ? $" ({e.Created.Count} made before it are in {path})" : ""));
                return Unreachable;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                await error.WriteLineAsync($"otklik-sim: could not reach Otklik at {serverUri}: {e.Message}");
                return Unreachable;
            }
        });
        return command;
    }

    private static Uri? ParseServer(string? text) =>
        text is null ? null : ParseServerOrNull(text) ?? throw new FormatException($"'{text}' is not an absolute http(s) address.");

    private static Uri? ParseServerOrNull(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    private static TimeSpan? ParseOptionalDuration(ArgumentResult result) => ParseDuration(result);

    private static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParseDuration(text, out var value) && value > TimeSpan.Zero) return value;
        result.AddError($"'{text}' is not a duration; use 90s, 5m, 1h, 500ms or 00:01:30.");
        return TimeSpan.Zero;
    }

    /// <summary>Parses <c>500ms</c>, <c>90s</c>, <c>5m</c>, <c>1h</c>, a bare number of seconds, or <c>hh:mm:ss</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        text = text.Trim();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                value = TimeSpan.FromSeconds(n * seconds);
                return true;
            }
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare))
        {
            value = TimeSpan.FromSeconds(bare);
            return true;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }
}
