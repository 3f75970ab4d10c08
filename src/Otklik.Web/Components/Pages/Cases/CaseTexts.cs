using Microsoft.Extensions.Localization;
using Otklik.Core.Cases;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Localization;

namespace Otklik.Web.Components.Pages.Cases;

/// <summary>Names of case statuses, qualifications and channels on screen.</summary>
public static class CaseTexts
{
    public static string Channel(IStringLocalizer<Ui> L, FeedbackChannel c) => L[ChannelKey(c)];

    /// <summary>The English name of a channel: its localization key, shared by the inbox, the cases and the charts.</summary>
    public static string ChannelKey(FeedbackChannel c) => c switch
    {
        FeedbackChannel.QrPage => "QR page",
        FeedbackChannel.Kiosk => "Kiosk",
        FeedbackChannel.CallCentre => "Call centre",
        FeedbackChannel.Messenger => "Messenger",
        FeedbackChannel.Email => "E-mail",
        FeedbackChannel.Import => "Import",
        FeedbackChannel.SocialNetwork => "Social network",
        FeedbackChannel.ReviewSite => "Review site",
        FeedbackChannel.Audit => "Internal audit",
        FeedbackChannel.MysteryShopping => "Mystery shopping",
        _ => "Other",
    };

    public static string Status(IStringLocalizer<Ui> L, CaseStatus s) => s switch
    {
        CaseStatus.New => L["New"],
        CaseStatus.Qualified => L["Qualified"],
        CaseStatus.InProgress => L["In progress"],
        CaseStatus.Resolved => L["Resolved"],
        CaseStatus.Closed => L["Closed"],
        _ => L["Dismissed"],
    };

    /// <summary>The button that moves a case into a status.</summary>
    public static string Action(IStringLocalizer<Ui> L, CaseStatus to) => to switch
    {
        CaseStatus.Qualified => L["Mark qualified"],
        CaseStatus.InProgress => L["Start work"],
        CaseStatus.Resolved => L["Mark resolved"],
        CaseStatus.Closed => L["Close"],
        CaseStatus.Dismissed => L["Dismiss"],
        _ => L["Reopen"],
    };

    public static string Qualification(IStringLocalizer<Ui> L, CaseQualification? q) => q switch
    {
        CaseQualification.NotWorthAttention => L["Not worth attention"],
        CaseQualification.NeedsReaction => L["Needs reaction"],
        CaseQualification.ConsumerTerrorism => L["Consumer terrorism"],
        _ => L["Not qualified"],
    };

    public static string Event(IStringLocalizer<Ui> L, CaseEventKind k) => k switch
    {
        CaseEventKind.Created => L["Case opened"],
        CaseEventKind.StatusChanged => L["Status changed"],
        CaseEventKind.Qualified => L["Qualified"],
        CaseEventKind.Assigned => L["Assigned"],
        CaseEventKind.RootCauseSet => L["Root cause"],
        CaseEventKind.Note => L["Note"],
        CaseEventKind.Call => L["Call"],
        CaseEventKind.MessageSent => L["Message sent"],
        CaseEventKind.Compensation => L["Compensation"],
        CaseEventKind.SharedWithStaff => L["Shared with the employee"],
        CaseEventKind.StaffConfirmed => L["The employee confirmed"],
        _ => L["Follow-up answer"],
    };

    public static string Template(IStringLocalizer<Ui> L, ResponseKind k) => k switch
    {
        ResponseKind.Question => L["Question"],
        ResponseKind.Complaint => L["Complaint"],
        ResponseKind.Praise => L["Praise"],
        _ => L["What we changed"],
    };
}
