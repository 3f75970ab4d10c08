using System.Globalization;
using Microsoft.Extensions.Localization;
using Otklik.Web.Data;
using Otklik.Web.Localization;

namespace Otklik.Web.Features.Imports;

public enum ImportFieldType
{
    Text = 0,
    Date = 1,
    Number = 2,
    Boolean = 3,
    /// <summary>One of a fixed set of values (an enum).</summary>
    Choice = 4,
    /// <summary>A name that is looked up (a location, a reason).</summary>
    Lookup = 5,
}

/// <summary>The result of parsing one cell: a value or an error message (already in the user's language).</summary>
public readonly record struct FieldParse(object? Value, string? Error)
{
    public static FieldParse Ok(object? value) => new(value, null);
    public static FieldParse Fail(string error) => new(null, error);
}

/// <summary>
/// A column an import kind understands. <paramref name="Aliases"/> are header names (Russian and English) used to guess
/// the mapping; <paramref name="Parse"/> turns a non-empty cell into a value, with messages from the given localizer.
/// </summary>
public sealed record ImportField(
    string Name, string Label, bool Required, ImportFieldType Type, IReadOnlyList<string> Aliases,
    Func<string, IStringLocalizer<Ui>, FieldParse> Parse, string? Hint = null);

/// <summary>What a row check says: a row ready to write, or why it is bad.</summary>
public readonly record struct RowCheck(object? Row, string? Error)
{
    public static RowCheck Good(object row) => new(row, null);
    public static RowCheck Bad(string error) => new(null, error);
}

/// <summary>Who imports, for the lookups and the messages.</summary>
public sealed record ImportContext(Guid OrganizationId, DateTimeOffset Now, IStringLocalizer<Ui> L);

/// <summary>
/// One kind of import (feedback now; POS sales, visitor counts and review counts later). It declares its fields and
/// knows how to check a parsed row against the database (lookups), write a batch and remove what an import created.
/// Everything else — files, encodings, mapping, preview, batching, progress, undo bookkeeping — is the machinery's.
/// </summary>
public interface IImportTarget
{
    /// <summary>URL-safe kind, e.g. "feedback".</summary>
    string Kind { get; }
    /// <summary>English title (a UI text key).</summary>
    string Title { get; }
    IReadOnlyList<ImportField> Fields { get; }

    /// <summary>
    /// True: a file with any bad row is refused as a whole (the bad rows are listed, nothing is written), as the API of
    /// the same data refuses a batch (POS sales, visitor counts). False: good rows are imported and bad ones listed.
    /// </summary>
    bool AllOrNothing => false;

    /// <summary>Loads what rows are checked against (locations, reasons…) once per import or preview.</summary>
    Task<IImportSession> BeginAsync(OtklikDb db, ImportContext context, CancellationToken ct);

    /// <summary>Deletes everything the import created (rows carrying its id). Runs inside the caller's transaction.</summary>
    Task<int> UndoAsync(OtklikDb db, Guid importJobId, CancellationToken ct);
}

public interface IImportSession
{
    /// <summary>Checks a row whose mapped cells are parsed (absent key: the cell was empty or the column not mapped).</summary>
    RowCheck Check(IReadOnlyDictionary<string, object?> values);

    /// <summary>Writes good rows, stamping each with the import's id. The machinery commits.</summary>
    Task WriteAsync(OtklikDb db, IReadOnlyList<object> rows, Guid importJobId, CancellationToken ct);
}

/// <summary>A session of an idempotent kind: tells how many good rows its last write skipped as already stored.</summary>
public interface IReportsDuplicates
{
    /// <summary>Rows of the last <see cref="IImportSession.WriteAsync"/> that were not written because they were stored before; resets to 0.</summary>
    int TakeDuplicates();
}

/// <summary>Field parsers shared by import kinds. Messages are UI texts.</summary>
public static class Parsers
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "dd.MM.yyyy", "dd.MM.yyyy HH:mm", "dd.MM.yyyy HH:mm:ss", "d.M.yyyy", "d.M.yyyy H:mm", "d.M.yyyy H:mm:ss",
        "dd/MM/yyyy", "dd/MM/yyyy HH:mm", "dd/MM/yyyy HH:mm:ss",
    ];

    /// <summary>Text up to a length.</summary>
    public static Func<string, IStringLocalizer<Ui>, FieldParse> Text(int maxLength) => (s, L) =>
        s.Length <= maxLength ? FieldParse.Ok(s) : FieldParse.Fail(L["At most {0} characters.", maxLength]);

    /// <summary>
    /// A date or date-time. With an offset (…Z, …+03:00) it is an instant (<see cref="DateTimeOffset"/>); without one
    /// a local <see cref="DateTime"/> that the target places in a time zone. Day first (31.12.2026), never month first.
    /// </summary>
    public static FieldParse Date(string s, IStringLocalizer<Ui> L)
    {
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) && HasOffset(s))
            return FieldParse.Ok(instant);
        if (DateTime.TryParseExact(s, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return FieldParse.Ok(DateTime.SpecifyKind(local, DateTimeKind.Unspecified));
        return FieldParse.Fail(L["Not a date: \"{0}\". Use 2026-11-01, 01.11.2026 or 01.11.2026 14:30.", Short(s)]);
    }

    private static bool HasOffset(string s) =>
        s.EndsWith('Z') || s.EndsWith('z') || (s.Length > 6 && s[^6] is '+' or '-' && s[^3] == ':' && s.Contains('T', StringComparison.Ordinal));

    /// <summary>A decimal number with a point or a comma.</summary>
    public static FieldParse Number(string s, IStringLocalizer<Ui> L) =>
        decimal.TryParse(s.Replace(',', '.').Replace(" ", "", StringComparison.Ordinal).Replace("\u00A0", "", StringComparison.Ordinal),
            NumberStyles.Number, CultureInfo.InvariantCulture, out var d)
            ? FieldParse.Ok(d) : FieldParse.Fail(L["Not a number: \"{0}\".", Short(s)]);

    private static readonly HashSet<string> Yes = new(StringComparer.OrdinalIgnoreCase) { "1", "yes", "y", "true", "да", "д", "+", "x", "✓", "есть" };
    private static readonly HashSet<string> No = new(StringComparer.OrdinalIgnoreCase) { "0", "no", "n", "false", "нет", "н", "-" };

    public static FieldParse Boolean(string s, IStringLocalizer<Ui> L) =>
        Yes.Contains(s) ? FieldParse.Ok(true) : No.Contains(s) ? FieldParse.Ok(false) : FieldParse.Fail(L["Not yes or no: \"{0}\".", Short(s)]);

    /// <summary>One of an enum's values, by its name or any of the given words (case and spaces ignored).</summary>
    public static Func<string, IStringLocalizer<Ui>, FieldParse> Choice<T>(IReadOnlyDictionary<string, T> words) where T : struct, Enum => (s, L) =>
    {
        var key = ImportMapping.Normalize(s);
        foreach (var value in Enum.GetValues<T>())
            if (ImportMapping.Normalize(value.ToString()) == key) return FieldParse.Ok(value);
        foreach (var (word, value) in words)
            if (ImportMapping.Normalize(word) == key) return FieldParse.Ok(value);
        return FieldParse.Fail(L["Unknown value \"{0}\". Allowed: {1}.", Short(s), string.Join(", ", Enum.GetNames<T>())]);
    };

    internal static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
