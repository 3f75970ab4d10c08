namespace Otklik.Web.Features.Feedback;

public sealed class FeedbackOptions
{
    public const string Section = "Otklik:Feedback";
    public const string PublicFormPolicy = "feedback-form";

    /// <summary>A form sent sooner than this after it was shown is taken for a bot.</summary>
    public int MinFillSeconds { get; set; } = 3;
    /// <summary>A form older than this must be reloaded.</summary>
    public int MaxFormAgeMinutes { get; set; } = 180;
    /// <summary>Public form posts a minute from one address.</summary>
    public int PerAddressPerMinute { get; set; } = 10;
    /// <summary>Feedback a minute for one location, over all addresses and channels.</summary>
    public int PerLocationPerMinute { get; set; } = 60;
    /// <summary>The longest voice message the page records, in seconds (the browser stops there; the server checks the size).</summary>
    public int VoiceMaxSeconds { get; set; } = 60;
    /// <summary>
    /// The address customers reach Otklik at, e.g. "https://otklik.example.com", for links printed on cards; when empty,
    /// the address of the request that makes the card.
    /// </summary>
    public string? PublicBaseUrl { get; set; }
    /// <summary>The kiosk (/k/{slug}) goes back to its first screen after this many seconds without a touch.</summary>
    public int KioskResetSeconds { get; set; } = 45;
    /// <summary>
    /// How old a kiosk's form stamp may be when a submission arrives: a tablet keeps its page open for days and sends
    /// what it queued offline when the network is back.
    /// </summary>
    public int KioskMaxFormAgeHours { get; set; } = 24 * 14;
}
