using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Otklik.Bench;

/// <summary>Which database an Otklik start uses: a fresh SQLite file or a fresh PostgreSQL database.</summary>
public sealed record DatabaseTarget(string Provider, string? PostgresServer, string WorkFolder)
{
    public bool IsPostgres => Provider == "Postgres";

    public string Label => IsPostgres ? "PostgreSQL" : "SQLite";

    /// <summary>A new, empty database for one start (Otklik's migrations create the PostgreSQL database).</summary>
    public string NewConnectionString(string name) => IsPostgres
        ? $"{PostgresServer!.TrimEnd(';')};Database=otklik_bench_{name}_{Guid.NewGuid().ToString("N")[..8]};Pooling=true"
        : $"Data Source={Path.Combine(WorkFolder, $"{name}-{Guid.NewGuid().ToString("N")[..8]}.db")}";
}

/// <summary>
/// Otklik (the Release build of Otklik.Web.dll) as a child process with the benchmark switches, on free loopback ports.
/// </summary>
public sealed class OtklikServer : IAsyncDisposable
{
    public const string AdminKey = "otk_bench_admin_key_0123456789abcdef";
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _logFile;

    private OtklikServer(Process process, int httpPort, int mqttPort, string logFile)
    {
        _process = process;
        _logFile = logFile;
        HttpPort = httpPort;
        MqttPort = mqttPort;
    }

    public int HttpPort { get; }
    public int MqttPort { get; }
    public int ProcessId => _process.Id;
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}/");
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<OtklikServer> StartAsync(string webDll, DatabaseTarget database, string name, bool skipMqttStorage, CancellationToken ct)
    {
        var httpPort = FreePort();
        var mqttPort = FreePort();
        var info = new ProcessStartInfo("dotnet", [webDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(webDll)!,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Otklik__Database__Provider"] = database.Provider,
            ["Otklik__Database__ConnectionString"] = database.NewConnectionString(name),
            ["Otklik__Mqtt__Port"] = mqttPort.ToString(CultureInfo.InvariantCulture),
            ["Otklik__Bootstrap__AdminEmail"] = "admin@bench.test",
            ["Otklik__Bootstrap__AdminPassword"] = "Bench-password-1",
            ["Otklik__Bootstrap__ApiKey"] = AdminKey,
            ["Otklik__RateLimit__PerMinute"] = "1000000",
            ["Otklik__Benchmark__Enabled"] = "true",
            ["Otklik__Benchmark__SkipMqttStorage"] = skipMqttStorage ? "true" : "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet " + webDll);
        var server = new OtklikServer(process, httpPort, mqttPort, Path.Combine(database.WorkFolder, $"otklik-{database.Provider}-{name}.log"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException("Otklik exited at start:\n" + server.Log);
            try
            {
                if ((await http.GetAsync(new Uri("health", UriKind.Relative), ct)).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(200, ct);
        }
        await server.DisposeAsync();
        throw new TimeoutException("Otklik did not become healthy:\n" + server.Log);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        // Warnings and errors of the run, for a look afterwards (bench/run.sh keeps none of its work folder).
        await File.WriteAllTextAsync(_logFile, Log);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (_log.Length < 200_000) _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
