namespace Otklik.Web.Features.Health;

public sealed class BenchmarkOptions
{
    public const string Section = "Otklik:Benchmark";
    /// <summary>Maps <c>GET /bench/hello</c>, the baseline the benchmarks compare ingestion with. Never in Production.</summary>
    public bool Enabled { get; set; }
    /// <summary>The MQTT broker acknowledges events without storing them: the benchmarks' "persistence off" baseline.</summary>
    public bool SkipMqttStorage { get; set; }
}

public static class BenchmarkEndpoints
{
    public static IEndpointRouteBuilder MapBenchmarkBaseline(this IEndpointRouteBuilder routes, BenchmarkOptions options, IHostEnvironment env)
    {
        if (!options.Enabled) return routes;
        if (env.IsProduction()) throw new InvalidOperationException("Otklik:Benchmark must not be enabled in Production.");
        routes.MapGet("/bench/hello", () => TypedResults.Text("hello")).ExcludeFromDescription().AllowAnonymous();
        return routes;
    }
}
