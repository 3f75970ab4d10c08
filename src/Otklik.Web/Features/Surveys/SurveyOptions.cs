using System.ComponentModel.DataAnnotations;

namespace Otklik.Web.Features.Surveys;

public sealed class SurveyOptions
{
    public const string Section = "Otklik:Surveys";

    /// <summary>
    /// The address customers reach Otklik at, for invitation links (e.g. https://otklik.example.com). Empty: the address
    /// the invitation was created through.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How often due invitations are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan InvitationInterval { get; set; } = TimeSpan.FromMinutes(1);
}
