using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Otklik.Bridge.Queue;

namespace Otklik.Bridge.Tests.Infrastructure;

/// <summary>The real agent host (same wiring as the program), run inside the test process.</summary>
public sealed class InProcessAgent : IAsyncDisposable
{
    private InProcessAgent(IHost host, ListLoggerProvider logs)
    {
        Host = host;
        Logs = logs;
        Queue = host.Services.GetRequiredService<PressQueue>();
    }

    public IHost Host { get; }

    public ListLoggerProvider Logs { get; }

    public PressQueue Queue { get; }

    public static async Task<InProcessAgent> StartAsync(Dictionary<string, string?> config, TimeProvider? time = null)
    {
        config.TryAdd("Bridge:HeartbeatInterval", "00:00:00");
        var builder = BridgeHost.CreateBuilder([], config);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }
        var logs = new ListLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessAgent(host, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
