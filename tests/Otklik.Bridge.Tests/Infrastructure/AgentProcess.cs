using System.Collections.Concurrent;
using System.Diagnostics;

namespace Otklik.Bridge.Tests.Infrastructure;

/// <summary>The agent as its own process: <c>dotnet otklik-bridge.dll …</c>, configured through environment variables.</summary>
public sealed class AgentProcess : IDisposable
{
    private readonly Process _process;

    private AgentProcess(Process process) => _process = process;

    public ConcurrentQueue<string> Output { get; } = new();

    public static string BridgeDll => Path.Combine(AppContext.BaseDirectory, "otklik-bridge.dll");

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static AgentProcess Start(IDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(BridgeDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info };
        var agent = new AgentProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { agent.Output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { agent.Output.Enqueue("ERR " + e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>Runs a command (pair, status) to completion.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IDictionary<string, string> environment, params string[] args)
    {
        using var agent = Start(environment, args);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await agent._process.WaitForExitAsync(cts.Token);
        agent._process.WaitForExit(); // flush redirected output
        return (agent._process.ExitCode, string.Join('\n', agent.Output));
    }

    /// <summary>SIGKILL: no shutdown code runs, as when the PC loses power.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }
        _process.Dispose();
    }
}
