namespace Otklik.Core;

/// <summary>Marker for the pure domain assembly: metrics and rules, no I/O.</summary>
public static class CoreAssembly;
