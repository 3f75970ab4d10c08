namespace Otklik.Core.Privacy;

/// <summary>
/// How a customer's contact is shown in lists before a member of staff asks to see it: enough to tell two customers apart,
/// not enough to call or write to them. The formatting the customer typed is kept, only the characters are hidden.
/// </summary>
public static class ContactMask
{
    /// <summary>The character that stands for a hidden one.</summary>
    public const char Hidden = '•';

    /// <summary>
    /// A phone number with all digits hidden except the first two and the last two (<c>+7 912 345-67-12</c> →
    /// <c>+7 9•• •••-••-12</c>). Numbers of six digits or fewer keep only the last two.
    /// </summary>
    public static string Phone(string phone)
    {
        ArgumentNullException.ThrowIfNull(phone);
        var digits = phone.Count(char.IsAsciiDigit);
        var keepFirst = digits > 6 ? 2 : 0;
        var seen = 0;
        var chars = phone.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiDigit(chars[i])) continue;
            if (seen >= keepFirst && seen < digits - 2) chars[i] = Hidden;
            seen++;
        }
        return new string(chars);
    }

    /// <summary>
    /// An e-mail address with the first character of the name and of the domain, and the top-level domain, kept
    /// (<c>olga.petrova@example.com</c> → <c>o•••@e•••.com</c>). The hidden parts have a fixed length, so it says nothing
    /// about how long they are. Anything without an @ is hidden but its first character.
    /// </summary>
    public static string Email(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1) return email.Length == 0 ? email : email[0] + new string(Hidden, 3);
        var domain = email[(at + 1)..];
        var dot = domain.LastIndexOf('.');
        var tld = dot > 0 ? domain[dot..] : "";
        return $"{email[0]}{new string(Hidden, 3)}@{domain[0]}{new string(Hidden, 3)}{tld}";
    }
}
