using System.Globalization;
using System.Runtime.InteropServices;

namespace Otklik.Bench;

/// <summary>What the numbers were measured on.</summary>
public sealed record Machine(int Cores, string Cpu, double MemoryGiB, string Os, string DotNet, string Kernel)
{
    public static Machine Describe()
    {
        var cpu = ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memKb = ReadField("/proc/meminfo", "MemTotal") is { } m ? double.Parse(m.Split(' ')[0], CultureInfo.InvariantCulture) : 0;
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "";
        var os = ReadOsRelease() ?? RuntimeInformation.OSDescription;
        return new Machine(Environment.ProcessorCount, cpu, Math.Round(memKb / 1024 / 1024, 1), os, RuntimeInformation.FrameworkDescription, kernel);
    }

    private static string? ReadField(string file, string name)
    {
        if (!File.Exists(file)) return null;
        foreach (var line in File.ReadLines(file))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == name) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    private static string? ReadOsRelease()
    {
        if (!File.Exists("/etc/os-release")) return null;
        var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
        return line?["PRETTY_NAME=".Length..].Trim('"');
    }
}
