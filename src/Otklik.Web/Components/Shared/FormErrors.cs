using Microsoft.Extensions.Localization;
using Otklik.Web.Infrastructure;
using Otklik.Web.Localization;

namespace Otklik.Web.Components.Shared;

/// <summary>
/// Validation messages for a form, keyed by the same field names the REST API uses ("name", "endsAt" …).
/// The shared validators speak English; the messages are keys of the UI localizer, so they appear translated.
/// </summary>
public sealed class FormErrors
{
    private readonly Dictionary<string, List<string>> _messages = new(StringComparer.OrdinalIgnoreCase);

    public bool Any => _messages.Count > 0;

    public void Clear() => _messages.Clear();

    public void Add(string field, string message)
    {
        if (!_messages.TryGetValue(field, out var list)) _messages[field] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }

    /// <summary>Takes over every message of a shared validator, translated.</summary>
    public void AddFrom(Errors errors, IStringLocalizer<Ui> l)
    {
        foreach (var (field, messages) in errors.ToProblem().ProblemDetails.Errors)
            foreach (var message in messages) Add(field, l[message]);
    }

    public bool Has(string field) => _messages.ContainsKey(field);

    public string? For(string field) => _messages.TryGetValue(field, out var list) ? string.Join(" ", list) : null;

    /// <summary>Messages of fields that have no input of their own in the form, to show in one alert.</summary>
    public IEnumerable<string> Except(params string[] shownFields) =>
        _messages.Where(m => !shownFields.Contains(m.Key, StringComparer.OrdinalIgnoreCase)).SelectMany(m => m.Value);
}
