using System.Text;
using Microsoft.Extensions.Localization;
using Otklik.Web.Localization;

namespace Otklik.Web.Features.Imports;

/// <summary>Which column of the file feeds which field: field name → 0-based column index.</summary>
public sealed class ImportMapping
{
    private readonly Dictionary<string, int> _columns;

    public ImportMapping(IReadOnlyDictionary<string, int> columns) => _columns = new(columns, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, int> Columns => _columns;

    public int? ColumnOf(string field) => _columns.TryGetValue(field, out var c) ? c : null;

    /// <summary>Lower case letters and digits only: "Дата отзыва" and "дата_отзыва" match.</summary>
    public static string Normalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s.Trim())
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c == 'ё' || c == 'Ё' ? 'е' : c));
        return sb.ToString();
    }

    /// <summary>
    /// Guesses the mapping from the header names: a column whose name equals a field's name or one of its aliases, then
    /// one that starts with it. Each column feeds at most one field.
    /// </summary>
    public static ImportMapping Guess(IReadOnlyList<string> headers, IReadOnlyList<ImportField> fields)
    {
        var normalized = headers.Select(Normalize).ToList();
        var used = new HashSet<int>();
        var result = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var exact in new[] { true, false })
            foreach (var field in fields)
            {
                if (result.ContainsKey(field.Name)) continue;
                var names = new[] { field.Name }.Concat(field.Aliases).Select(Normalize).Where(n => n.Length > 0).ToList();
                for (var i = 0; i < normalized.Count; i++)
                {
                    if (used.Contains(i) || normalized[i].Length == 0) continue;
                    if (names.Any(n => exact ? normalized[i] == n : n.Length >= 4 && normalized[i].StartsWith(n, StringComparison.Ordinal)))
                    {
                        result[field.Name] = i;
                        used.Add(i);
                        break;
                    }
                }
            }
        return new ImportMapping(result);
    }

    /// <summary>
    /// Builds a mapping from field → header name (as sent to the API). Unknown fields, unknown columns and columns used
    /// twice are errors; so is a required field left unmapped. Errors are keyed "mapping.{field}".
    /// </summary>
    public static ImportMapping FromHeaderNames(IReadOnlyDictionary<string, string> byHeader, IReadOnlyList<string> headers, IReadOnlyList<ImportField> fields,
        Infrastructure.Errors errors, IStringLocalizer<Ui> L)
    {
        var result = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (field, header) in byHeader)
        {
            if (string.IsNullOrWhiteSpace(header)) continue;
            var known = fields.FirstOrDefault(f => string.Equals(f.Name, field, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                errors.Add($"mapping.{field}", L["Unknown field \"{0}\". Fields: {1}.", field, string.Join(", ", fields.Select(f => f.Name))]);
                continue;
            }
            var index = headers.ToList().FindIndex(h => string.Equals(h.Trim(), header.Trim(), StringComparison.OrdinalIgnoreCase));
            if (index < 0) errors.Add($"mapping.{known.Name}", L["The file has no column \"{0}\".", header]);
            else result[known.Name] = index;
        }
        var mapping = new ImportMapping(result);
        mapping.Validate(fields, headers, errors, L);
        return mapping;
    }

    /// <summary>Every required field has a column and no column feeds two fields.</summary>
    public void Validate(IReadOnlyList<ImportField> fields, IReadOnlyList<string> headers, Infrastructure.Errors errors, IStringLocalizer<Ui> L)
    {
        foreach (var field in fields.Where(f => f.Required && !_columns.ContainsKey(f.Name)))
            errors.Add($"mapping.{field.Name}", L["The required field \"{0}\" has no column.", field.Name]);
        foreach (var group in _columns.GroupBy(c => c.Value).Where(g => g.Count() > 1))
            errors.Add($"mapping.{group.Last().Key}", L["The column \"{0}\" is chosen for more than one field.", group.Key < headers.Count ? headers[group.Key] : group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        foreach (var (field, column) in _columns.Where(c => c.Value < 0 || c.Value >= headers.Count))
            errors.Add($"mapping.{field}", L["The file has no column \"{0}\".", column]);
    }

    /// <summary>Field → header name, as the API takes and answers it.</summary>
    public Dictionary<string, string> ToHeaderNames(IReadOnlyList<string> headers) =>
        _columns.Where(c => c.Value >= 0 && c.Value < headers.Count).ToDictionary(c => c.Key, c => headers[c.Value], StringComparer.OrdinalIgnoreCase);
}

/// <summary>Parses the mapped cells of a row with each field's parser, then lets the target check the row.</summary>
public static class RowChecker
{
    public static RowCheck Check(ImportRow row, ImportMapping mapping, IReadOnlyList<ImportField> fields, IImportSession session, IStringLocalizer<Ui> L)
    {
        var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        List<string>? errors = null;
        foreach (var field in fields)
        {
            if (mapping.ColumnOf(field.Name) is not { } column)
            {
                // The preview runs while the mapping is still incomplete: a required field without a column is this row's error,
                // and the target never sees a row without its required values.
                if (field.Required) (errors ??= []).Add(L["{0}: required.", field.Name]);
                continue;
            }
            var cell = row.Cell(column).Trim();
            if (cell.Length == 0)
            {
                if (field.Required) (errors ??= []).Add(L["{0}: required.", field.Name]);
                continue;
            }
            var parsed = field.Parse(cell, L);
            if (parsed.Error is { } e) (errors ??= []).Add($"{field.Name}: {e}");
            else values[field.Name] = parsed.Value;
        }
        if (errors is not null) return RowCheck.Bad(string.Join("; ", errors));
        return session.Check(values);
    }
}
