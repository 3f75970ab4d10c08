using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Otklik.Bridge.Inputs;
using Otklik.Bridge.Pairing;
using Otklik.Bridge.Queue;
using Otklik.Bridge.Sending;

namespace Otklik.Bridge;

/// <summary>Builds the agent: configuration, the queue, the sender, heartbeats and the configured inputs.</summary>
public static class BridgeHost
{
    public const string ServiceName = "OtklikBridge";

    /// <param name="args">Configuration overrides in the usual form, e.g. <c>--Bridge:ServerUrl=https://…</c>.</param>
    /// <param name="overrides">Extra configuration (tests), applied before the data folder is worked out.</param>
    public static HostApplicationBuilder CreateBuilder(string[] args, IDictionary<string, string?>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "otklik-bridge",
        });
        AddSecrets(builder.Configuration, args, overrides);

        builder.Services.AddWindowsService(o => o.ServiceName = ServiceName);
        builder.Services.AddSystemd();
        builder.Services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => PressQueue.Open(
            DataDirectory.Resolve(sp.GetRequiredService<IConfiguration>()),
            sp.GetRequiredService<IOptions<BridgeOptions>>().Value.Queue,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<PressQueue>(),
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<ClockOffset>();
        builder.Services.AddSingleton<PressFactory>();
        builder.Services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        });
        builder.Services.AddSingleton<OtklikClient>();
        builder.Services.AddSingleton<EventSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventSender>());
        builder.Services.AddHostedService<HeartbeatService>();
        builder.Services.AddHostedService<SerialInputService>();
        builder.Services.AddHostedService<EvdevInputService>();
        if (builder.Configuration.GetValue<bool>($"{BridgeOptions.Section}:Http:Enabled"))
        {
            builder.Services.AddHostedService<LoopbackHttpInput>();
        }
        return builder;
    }

    /// <summary>Configuration for the commands: appsettings.json, secrets, environment, overrides.</summary>
    public static IConfigurationRoot LoadConfiguration(string[] args)
    {
        var config = new ConfigurationManager();
        config.SetBasePath(AppContext.BaseDirectory);
        config.AddJsonFile("appsettings.json", optional: true);
        config.AddEnvironmentVariables();
        config.AddCommandLine(args);
        AddSecrets(config, args, null);
        return config;
    }

    private static void AddSecrets(ConfigurationManager config, string[] args, IDictionary<string, string?>? overrides)
    {
        if (overrides is not null)
        {
            config.AddInMemoryCollection(overrides);
        }
        var secrets = SecretsFile.PathIn(DataDirectory.Resolve(config));
        config.AddJsonFile(secrets, optional: true, reloadOnChange: false);
        // Environment, command line and test overrides still win over the secrets file.
        config.AddEnvironmentVariables();
        config.AddCommandLine(args);
        if (overrides is not null)
        {
            config.AddInMemoryCollection(overrides);
        }
    }
}

public static class DataDirectory
{
    /// <summary>
    /// Bridge:DataDirectory if set (relative to the program folder); otherwise %ProgramData%\Otklik\Bridge on
    /// Windows, systemd's $STATE_DIRECTORY, /var/lib/otklik-bridge if it exists, or ~/.local/share/otklik-bridge.
    /// </summary>
    public static string Resolve(IConfiguration config)
    {
        var configured = config[$"{BridgeOptions.Section}:DataDirectory"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured, AppContext.BaseDirectory);
        }
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "Otklik", "Bridge");
        }
        var state = Environment.GetEnvironmentVariable("STATE_DIRECTORY");
        if (!string.IsNullOrEmpty(state))
        {
            return state.Split(':')[0];
        }
        const string system = "/var/lib/otklik-bridge";
        if (Directory.Exists(system))
        {
            return system;
        }
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "otklik-bridge");
    }
}
