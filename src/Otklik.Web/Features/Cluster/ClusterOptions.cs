namespace Otklik.Web.Features.Cluster;

/// <summary>Settings for running several Otklik nodes side by side (issue 9).</summary>
public sealed class RedisOptions
{
    public const string Section = "Otklik:Redis";

    /// <summary>StackExchange.Redis configuration ("127.0.0.1:6379"). Empty: one node, in-process messaging.</summary>
    public string? ConnectionString { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);
}

/// <summary>Who this process is among the nodes (logs, relay echo suppression).</summary>
public sealed class NodeIdentity
{
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
}
