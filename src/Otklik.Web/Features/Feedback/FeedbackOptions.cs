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
}
