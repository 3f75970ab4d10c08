using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using Otklik.Web.Localization;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Components.Shared;

public static class RoleNames
{
    public static string Label(OtklikRole role, IStringLocalizer<Ui> l) => role switch
    {
        OtklikRole.Owner => l["Owner"],
        OtklikRole.CxManager => l["CX manager"],
        OtklikRole.LocationManager => l["Location manager"],
        OtklikRole.Viewer => l["Viewer"],
        _ => role.ToString(),
    };

    public static string Help(OtklikRole role, IStringLocalizer<Ui> l) => role switch
    {
        OtklikRole.Owner => l["Everything, including users, API keys and settings."],
        OtklikRole.CxManager => l["All locations: locations, staff, shifts, devices."],
        OtklikRole.LocationManager => l["Staff, shifts and devices of the chosen locations only."],
        OtklikRole.Viewer => l["Sees everything, changes nothing."],
        _ => "",
    };

    /// <summary>Identity's own messages are English; the common ones are translated by their code.</summary>
    public static string IdentityError(IdentityError error, IStringLocalizer<Ui> l) => error.Code switch
    {
        "PasswordTooShort" => l["The password must be at least 8 characters long."],
        "PasswordRequiresNonAlphanumeric" => l["The password needs a character that is not a letter or digit."],
        "PasswordRequiresDigit" => l["The password needs a digit."],
        "PasswordRequiresUpper" => l["The password needs an upper-case letter."],
        "PasswordRequiresLower" => l["The password needs a lower-case letter."],
        "PasswordRequiresUniqueChars" => l["The password needs more different characters."],
        "DuplicateEmail" or "DuplicateUserName" => l["A user with this e-mail already exists."],
        "InvalidEmail" or "InvalidUserName" => l["Enter a valid e-mail address."],
        "ConcurrencyFailure" => l["Someone else changed this user. Reload the page and try again."],
        _ => error.Description,
    };

    public static string Field(IdentityError error) =>
        error.Code.Contains("Password", StringComparison.Ordinal) ? "password"
        : error.Code.Contains("Email", StringComparison.Ordinal) || error.Code.Contains("UserName", StringComparison.Ordinal) ? "email"
        : "";
}
