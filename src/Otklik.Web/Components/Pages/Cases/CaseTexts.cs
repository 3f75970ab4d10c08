using Microsoft.Extensions.Localization;
using Otklik.Core.Cases;
using Otklik.Web.Features.Cases;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Localization;

namespace Otklik.Web.Components.Pages.Cases;

/// <summary>Names of case statuses, qualifications and channels on screen.</summary>
public static class CaseTexts
{
    public static string Channel(IStringLocalizer<Ui> L, FeedbackChannel c) => c switch
    {
        FeedbackChannel.QrPage => L["QR page"],
        FeedbackChannel.Kiosk => L["Kiosk"],
        FeedbackChannel.CallCentre => L["Call centre"],
        FeedbackChannel.Messenger => L["Messenger"],
        FeedbackChannel.Email => L["E-mail"],
        FeedbackChannel.Import => L["Import"],
        FeedbackChannel.SocialNetwork => L["Social network"],
        FeedbackChannel.ReviewSite => L["Review site"],
        FeedbackChannel.Audit => L["Internal audit"],
        FeedbackChannel.MysteryShopping => L["Mystery shopping"],
        _ => L["Other"],
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
