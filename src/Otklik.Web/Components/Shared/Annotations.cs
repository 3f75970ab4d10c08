using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Localization;
using Otklik.Web.Localization;

namespace Otklik.Web.Components.Shared;

/// <summary>
/// Runs the data annotations of an API input record (the same ones the REST endpoints enforce) and puts short,
/// translated messages into the form's errors, under the API's camelCase field names.
/// </summary>
public static class Annotations
{
    public static void Check(object input, FormErrors errors, IStringLocalizer<Ui> l)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(input, new ValidationContext(input), results, validateAllProperties: true)) return;
        foreach (var property in input.GetType().GetProperties())
        {
            var value = property.GetValue(input);
            foreach (var attribute in property.GetCustomAttributes(typeof(ValidationAttribute), inherit: true).Cast<ValidationAttribute>())
            {
                if (attribute.IsValid(value)) continue;
                var field = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
                errors.Add(field, attribute switch
                {
                    RequiredAttribute => l["Required."],
                    StringLengthAttribute s => l["At most {0} characters.", s.MaximumLength],
                    MaxLengthAttribute m => l["At most {0} items.", m.Length],
                    UrlAttribute => l["Enter a full link starting with https://."],
                    EmailAddressAttribute => l["Enter a valid e-mail address."],
                    _ => l["Invalid value."],
                });
            }
        }
    }
}
