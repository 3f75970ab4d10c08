namespace Otklik.Web.Features.Ingestion;

public sealed class IngestionOptions
{
    public const string Section = "Otklik:Ingestion";

    /// <summary>A press within this many seconds after another on the same button is kept but marked suppressed.</summary>
    public double SuppressWindowSeconds { get; set; } = 3;
    /// <summary>Most events one group commit writes.</summary>
    public int MaxEventsPerCommit { get; set; } = 5000;
    /// <summary>Requests waiting for the writer before new ones wait too (back-pressure).</summary>
    public int QueueCapacity { get; set; } = 20000;
    /// <summary>Largest request body the events endpoint reads.</summary>
    public int MaxBodyBytes { get; set; } = 512 * 1024;
    /// <summary>How long a device's token lookup is cached. A rotated token may work this long on other nodes.</summary>
    public double DeviceCacheSeconds { get; set; } = 10;

    public TimeSpan SuppressWindow => TimeSpan.FromSeconds(SuppressWindowSeconds);
}
