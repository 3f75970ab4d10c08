using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Otklik.Web.Tests.Infrastructure;

/// <summary>
/// Otklik as a separate operating-system process (the built Otklik.Web.dll), so a test can kill it with SIGKILL
/// and start it again on the same database, as a crash would.
/// </summary>
public sealed class OtklikProcess : IAsyncDisposable
{
    public const string AdminKey = "otk_durability_test_key_0123456789";
    private readonly Dictionary<string, string> _environment;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private OtklikProcess(string provider, string connectionString)
    {
        HttpPort = OtklikApp.FreePort();
        MqttPort = OtklikApp.FreePort();
        _environment = new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{HttpPort}",
            ["Urls"] = $"http://127.0.0.1:{HttpPort}",
            ["Otklik__Database__Provider"] = provider,
            ["Otklik__Database__ConnectionString"] = connectionString,
            ["Otklik__Mqtt__Port"] = MqttPort.ToString(CultureInfo.InvariantCulture),
            ["Otklik__Bootstrap__AdminEmail"] = "admin@durability.test",
            ["Otklik__Bootstrap__AdminPassword"] = "Durability-test-1",
            ["Otklik__Bootstrap__ApiKey"] = AdminKey,
            // The tests sign the admin in with the password only.
            ["Otklik__Bootstrap__RequireTwoFactor"] = "false",
            ["Otklik__RateLimit__PerMinute"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
    }

    public int HttpPort { get; }
    public int MqttPort { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static OtklikProcess Sqlite(string file) =>
        new("Sqlite", new SqliteConnectionStringBuilder { DataSource = file }.ToString());

    public static OtklikProcess Postgres(string connectionString) => new("Postgres", connectionString);

    /// <summary>One more setting (an Otklik__… variable) for the next start.</summary>
    public OtklikProcess With(string key, string value)
    {
        _environment[key] = value;
        return this;
    }

    public HttpClient Client(string? apiKey = AdminKey)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null) http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return http;
    }

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("dotnet", [WebDll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(WebDll())!,
        };
        foreach (var (key, value) in _environment) info.Environment[key] = value;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = Client(null);
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException("Otklik exited at start:\n" + Log);
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("Otklik did not become healthy:\n" + Log);
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — what a power cut or an OOM kill does to the process.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    /// <summary>The Otklik.Web.dll built next to this test assembly's configuration (Debug or Release).</summary>
    private static string WebDll()
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dir = new DirectoryInfo(here);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Otklik.slnx"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("Cannot find the repository root from " + here);
        var dll = Path.Combine(dir.FullName, "src", "Otklik.Web", "bin", configuration, "net10.0", "Otklik.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build src/Otklik.Web first", dll);
    }

    /// <summary>A fresh PostgreSQL database on the test server (OTKLIK_TEST_POSTGRES).</summary>
    public static async Task<string> NewPostgresDatabaseAsync()
    {
        var server = Environment.GetEnvironmentVariable(PostgresApp.Variable)
            ?? throw new InvalidOperationException($"{PostgresApp.Variable} is not set; run ./test.sh");
        var name = "otklik_proc_" + Guid.NewGuid().ToString("N")[..12];
        await using var conn = new NpgsqlConnection(server);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }
}
