using System.Text;

namespace Otklik.Core.Cases;

/// <summary>What kind of customer message a response answers.</summary>
public enum ResponseKind
{
    /// <summary>The customer asked something.</summary>
    Question,

    /// <summary>The customer complained.</summary>
    Complaint,

    /// <summary>The customer praised.</summary>
    Praise,

    /// <summary>"Here is what we changed": sent when the root cause was fixed.</summary>
    Changed,
}

/// <summary>One step of a response algorithm (see <see cref="ResponseAlgorithm"/>).</summary>
public enum ResponseStep
{
    /// <summary>Thank the customer.</summary>
    Thank,

    /// <summary>Answer the question.</summary>
    Answer,

    /// <summary>Invite to do something next.</summary>
    CallToAction,

    /// <summary>Say that this is not how it should be.</summary>
    NotHowItShouldBe,

    /// <summary>Explain why it happened.</summary>
    WhyItHappened,

    /// <summary>Apologise.</summary>
    Apologise,

    /// <summary>Tell how it is being fixed.</summary>
    HowWeFix,

    /// <summary>Tell how it will be once fixed.</summary>
    HowItWillBe,

    /// <summary>Offer a compliment.</summary>
    Compliment,

    /// <summary>Wish something good in return.</summary>
    WishWell,

    /// <summary>Offer a gift.</summary>
    Gift,
}

/// <summary>The response algorithms the organization follows, step by step, and the placeholders a template may use.</summary>
public static class ResponseAlgorithm
{
    /// <summary>Placeholders filled when a template is used.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["{customerName}", "{location}", "{reason}"];

    /// <summary>The steps of the algorithm for a kind, in order.</summary>
    /// <param name="kind">The kind of response.</param>
    public static IReadOnlyList<ResponseStep> Steps(ResponseKind kind) => kind switch
    {
        ResponseKind.Question => [ResponseStep.Thank, ResponseStep.Answer, ResponseStep.CallToAction],
        ResponseKind.Complaint =>
        [
            ResponseStep.Thank, ResponseStep.NotHowItShouldBe, ResponseStep.WhyItHappened, ResponseStep.Apologise,
            ResponseStep.HowWeFix, ResponseStep.HowItWillBe, ResponseStep.Compliment,
        ],
        ResponseKind.Praise => [ResponseStep.Thank, ResponseStep.WishWell, ResponseStep.Gift],
        ResponseKind.Changed => [ResponseStep.Thank, ResponseStep.HowWeFix, ResponseStep.HowItWillBe],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Replaces <c>{customerName}</c>, <c>{location}</c> and <c>{reason}</c> (case-insensitive); unknown braces stay as typed.
    /// A missing value becomes <paramref name="fallbackName"/> for the name and an empty string otherwise.
    /// </summary>
    /// <param name="template">The template text.</param>
    /// <param name="customerName">The customer's name, if known.</param>
    /// <param name="location">The location's name.</param>
    /// <param name="reason">The reason (root cause or the customer's reason).</param>
    /// <param name="fallbackName">What to call a customer without a name ("customer").</param>
    public static string Render(string template, string? customerName, string? location, string? reason, string fallbackName)
    {
        ArgumentNullException.ThrowIfNull(template);
        var sb = new StringBuilder(template.Length + 64);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }

            sb.Append(template, i, open - i);
            var close = template.IndexOf('}', open + 1);
            if (close < 0)
            {
                sb.Append(template, open, template.Length - open);
                break;
            }

            var name = template.Substring(open + 1, close - open - 1);
            string? value = name.ToUpperInvariant() switch
            {
                "CUSTOMERNAME" => string.IsNullOrWhiteSpace(customerName) ? fallbackName : customerName.Trim(),
                "LOCATION" => location ?? "",
                "REASON" => reason ?? "",
                _ => null,
            };
            if (value is null)
            {
                sb.Append(template, open, close - open + 1);
            }
            else
            {
                sb.Append(value);
            }

            i = close + 1;
        }

        return sb.ToString();
    }

    /// <summary>Placeholders in <paramref name="template"/> that are not known (typos such as <c>{name}</c>).</summary>
    /// <param name="template">The template text.</param>
    public static IReadOnlyList<string> UnknownPlaceholders(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var unknown = new List<string>();
        var i = 0;
        while ((i = template.IndexOf('{', i)) >= 0)
        {
            var close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                break;
            }

            var token = template.Substring(i, close - i + 1);
            if (!Placeholders.Contains(token, StringComparer.OrdinalIgnoreCase))
            {
                unknown.Add(token);
            }

            i = close + 1;
        }

        return unknown;
    }
}

/// <summary>A ready-made template: subject and body in one language.</summary>
/// <param name="Kind">The kind it answers.</param>
/// <param name="Language">"ru" or "en".</param>
/// <param name="Subject">E-mail subject.</param>
/// <param name="Body">Text with placeholders, one paragraph per algorithm step.</param>
public sealed record ResponseTemplateText(ResponseKind Kind, string Language, string Subject, string Body);

/// <summary>The templates Otklik ships, written along <see cref="ResponseAlgorithm.Steps"/>.</summary>
public static class DefaultResponseTemplates
{
    /// <summary>Every shipped template (each kind in Russian and English).</summary>
    public static IReadOnlyList<ResponseTemplateText> All { get; } =
    [
        new(ResponseKind.Question, "en", "Your question to {location}",
            "Dear {customerName}, thank you for your question.\n\n[Answer: …]\n\nCome and see us again at {location} — we will be glad to help."),
        new(ResponseKind.Complaint, "en", "About your visit to {location}",
            "Dear {customerName}, thank you for telling us about {reason}.\n\n"
            + "This is not how it should be at {location}.\n\n"
            + "[Why it happened: …]\n\n"
            + "We apologise.\n\n"
            + "[What we are doing to fix it: …]\n\n"
            + "[How it will be once fixed: …]\n\n"
            + "Please accept a small compliment from us on your next visit."),
        new(ResponseKind.Praise, "en", "Thank you from {location}",
            "Dear {customerName}, thank you for your kind words about {location}!\n\n"
            + "We wish you a wonderful day and all the best.\n\n"
            + "Please accept a small gift from us on your next visit."),
        new(ResponseKind.Changed, "en", "What we changed at {location}",
            "Dear {customerName}, thank you again for telling us about {reason}.\n\n"
            + "[What we changed: …]\n\n"
            + "From now on at {location} it will be like this: [ … ]. We hope to see you soon."),
        new(ResponseKind.Question, "ru", "Ваш вопрос в {location}",
            "{customerName}, спасибо за ваш вопрос.\n\n[Ответ: …]\n\nПриходите к нам в {location} — мы будем рады помочь."),
        new(ResponseKind.Complaint, "ru", "О вашем визите в {location}",
            "{customerName}, спасибо, что рассказали нам: {reason}.\n\n"
            + "Так быть не должно — в {location} мы работаем иначе.\n\n"
            + "[Почему так произошло: …]\n\n"
            + "Приносим извинения.\n\n"
            + "[Что мы делаем, чтобы это исправить: …]\n\n"
            + "[Как будет, когда исправим: …]\n\n"
            + "Пожалуйста, примите от нас небольшой комплимент при следующем визите."),
        new(ResponseKind.Praise, "ru", "Спасибо от {location}",
            "{customerName}, спасибо за добрые слова о {location}!\n\n"
            + "Желаем вам прекрасного дня и всего самого доброго.\n\n"
            + "Пожалуйста, примите от нас небольшой подарок при следующем визите."),
        new(ResponseKind.Changed, "ru", "Что мы изменили в {location}",
            "{customerName}, ещё раз спасибо, что рассказали нам: {reason}.\n\n"
            + "[Что мы изменили: …]\n\n"
            + "Теперь в {location} будет так: [ … ]. Будем рады видеть вас снова."),
    ];

    /// <summary>The shipped template of a kind in a language (English when the language is unknown).</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="language">"ru" or "en".</param>
    public static ResponseTemplateText For(ResponseKind kind, string language) =>
        All.FirstOrDefault(t => t.Kind == kind && t.Language == language) ?? All.First(t => t.Kind == kind && t.Language == "en");
}
