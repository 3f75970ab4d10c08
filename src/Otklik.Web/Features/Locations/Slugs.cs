using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Otklik.Web.Features.Locations;

/// <summary>URL slugs for public pages: latin, lower case, readable, with a random tail so they are hard to guess.</summary>
public static partial class Slugs
{
    private static readonly string[] Cyrillic =
    [
        "a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
    ];

    public static string From(string name)
    {
        var sb = new StringBuilder();
        foreach (var ch in name.ToLowerInvariant())
        {
            if (ch is >= 'a' and <= 'z' or >= '0' and <= '9') sb.Append(ch);
            else if (ch is >= 'а' and <= 'я') sb.Append(Cyrillic[ch - 'а']);
            else if (ch == 'ё') sb.Append('e');
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
            if (sb.Length >= 40) break;
        }
        var stem = sb.ToString().Trim('-');
        var tail = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        return stem.Length == 0 ? tail : $"{stem}-{tail}";
    }

    public static bool IsValid(string slug) => Pattern().IsMatch(slug);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{1,78})[a-z0-9]$")]
    private static partial Regex Pattern();
}
