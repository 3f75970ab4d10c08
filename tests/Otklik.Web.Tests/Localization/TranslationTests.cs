using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using Otklik.Web.Localization;

namespace Otklik.Web.Tests.Localization;

/// <summary>Every UI text a component asks for has its Russian translation (the English text is the key).</summary>
public sealed partial class TranslationTests
{
    private static readonly CultureInfo Russian = CultureInfo.GetCultureInfo("ru");

    [Fact]
    public void EveryTextUsedInComponents_HasARussianTranslation()
    {
        var keys = UsedKeys().ToList();
        var resources = new ResourceManager(typeof(Ui).FullName!, typeof(Ui).Assembly);

        var missing = keys.Where(k => Translate(resources, k) is null).Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.True(keys.Count > 50, $"Found only {keys.Count} texts; the scan is broken.");
        Assert.True(missing.Count == 0, "Missing Russian texts:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void RussianTexts_AreNotJustTheEnglishKeys()
    {
        var resources = new ResourceManager(typeof(Ui).FullName!, typeof(Ui).Assembly);
        var set = resources.GetResourceSet(Russian, createIfNotExists: true, tryParents: false)!;
        var untranslated = set.Cast<System.Collections.DictionaryEntry>()
            .Where(e => (string)e.Key == (string)e.Value! && ((string)e.Key).Any(char.IsLetter) && !KeepAsIs.Contains((string)e.Key))
            .Select(e => (string)e.Key).ToList();

        Assert.True(untranslated.Count == 0, "Copied instead of translated:\n" + string.Join("\n", untranslated));
    }

    /// <summary>Names and codes that read the same in both languages.</summary>
    private static readonly HashSet<string> KeepAsIs = new(StringComparer.Ordinal) { "Otklik", "API", "CSV", "ID", "E-mail", "Telegram", "URL", "2GIS", "Google Maps", "SMTP", "MQTT", "OK", "NPS" };

    private static string? Translate(ResourceManager resources, string key)
    {
        try { return resources.GetString(key, Russian); }
        catch (MissingManifestResourceException) { return null; }
    }

    private static IEnumerable<string> UsedKeys()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Otklik.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        // Components and feature pages (e.g. Features/Feedback/Pages) alike.
        var web = Path.Combine(root.FullName, "src", "Otklik.Web");
        foreach (var file in Directory.EnumerateFiles(web, "*.razor", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                              && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            foreach (Match m in Key().Matches(File.ReadAllText(file)))
                yield return Regex.Unescape(m.Groups[1].Value);
    }

    [GeneratedRegex("""\bL\["((?:[^"\\]|\\.)+)"\]""")]
    private static partial Regex Key();
}
