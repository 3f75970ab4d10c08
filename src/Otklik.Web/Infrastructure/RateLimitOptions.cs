namespace Otklik.Web.Infrastructure;

public sealed class RateLimitOptions
{
    public const string Section = "Otklik:RateLimit";
    public const string ApiPolicy = "api";
    /// <summary>Requests a minute per API key, user or address on /api/v1.</summary>
    public int PerMinute { get; set; } = 600;
}
