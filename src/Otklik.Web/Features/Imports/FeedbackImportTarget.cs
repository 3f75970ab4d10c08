using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Otklik.Web.Data;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Features.Rollups;
using Otklik.Web.Localization;

namespace Otklik.Web.Features.Imports;

/// <summary>
/// Feedback from any channel, e.g. a call centre's spreadsheet, social-network and review-site mentions, audit or
/// mystery-shopping results. The same rules as <see cref="FeedbackIntake"/>: contact only with consent, reasons
/// that fit the sentiment. Imported feedback raises no live alerts: it happened in the past.
/// </summary>
public sealed class FeedbackImportTarget : IImportTarget
{
    public const string KindName = "feedback";
    private static readonly char[] ReasonSeparators = [';', '|', '\n', ','];

    public string Kind => KindName;
    public string Title => "Feedback";

    private static readonly Dictionary<string, Sentiment> SentimentWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["негатив"] = Sentiment.Negative, ["негативный"] = Sentiment.Negative, ["отрицательный"] = Sentiment.Negative, ["жалоба"] = Sentiment.Negative,
        ["плохо"] = Sentiment.Negative, ["complaint"] = Sentiment.Negative, ["bad"] = Sentiment.Negative, ["red"] = Sentiment.Negative,
        ["позитив"] = Sentiment.Positive, ["позитивный"] = Sentiment.Positive, ["положительный"] = Sentiment.Positive, ["похвала"] = Sentiment.Positive,
        ["благодарность"] = Sentiment.Positive, ["хорошо"] = Sentiment.Positive, ["praise"] = Sentiment.Positive, ["good"] = Sentiment.Positive, 
        ["green"] = Sentiment.Positive,
        ["нейтральный"] = Sentiment.Neutral, ["нейтрально"] = Sentiment.Neutral, ["вопрос"] = Sentiment.Neutral, ["question"] = Sentiment.Neutral,
    };

    private static readonly Dictionary<string, FeedbackChannel> ChannelWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["qr"] = FeedbackChannel.QrPage, ["qr-код"] = FeedbackChannel.QrPage, ["киоск"] = FeedbackChannel.Kiosk, ["колл-центр"] = FeedbackChannel.CallCentre,
        ["call centre"] = FeedbackChannel.CallCentre, ["call center"] = FeedbackChannel.CallCentre, ["звонок"] = FeedbackChannel.CallCentre, ["телефон"] = FeedbackChannel.CallCentre,
        ["мессенджер"] = FeedbackChannel.Messenger, ["почта"] = FeedbackChannel.Email, ["e-mail"] = FeedbackChannel.Email, ["импорт"] = FeedbackChannel.Import,
        ["другое"] = FeedbackChannel.Other, ["соцсеть"] = FeedbackChannel.SocialNetwork, ["социальная сеть"] = FeedbackChannel.SocialNetwork,
        ["social"] = FeedbackChannel.SocialNetwork, ["отзовик"] = FeedbackChannel.ReviewSite, ["сайт отзывов"] = FeedbackChannel.ReviewSite, ["карты"] = FeedbackChannel.ReviewSite,
        ["review"] = FeedbackChannel.ReviewSite, ["аудит"] = FeedbackChannel.Audit, ["проверка"] = FeedbackChannel.Audit,
        ["тайный покупатель"] = FeedbackChannel.MysteryShopping, ["mystery shopper"] = FeedbackChannel.MysteryShopping,
    };

    public IReadOnlyList<ImportField> Fields { get; } =
    [
        new("date", "Date", true, ImportFieldType.Date, ["дата", "date", "дата отзыва", "когда", "время", "дата и время", "created", "createdat", "datetime", "when"], Parsers.Date,
            "2026-11-01 14:30 or 01.11.2026; without an offset it is the location's local time"),
        new("location", "Location", true, ImportFieldType.Lookup, ["точка", "location", "магазин", "филиал", "локация", "заведение", "ресторан", "store", "shop", "branch", "подразделение"],
            Parsers.Text(Limits.Name), "the location's name or slug"),
        new("sentiment", "Sentiment", true, ImportFieldType.Choice, ["тональность", "sentiment", "оценка", "тип отзыва", "mood", "type"], Parsers.Choice(SentimentWords),
            "Positive, Negative or Neutral (or позитив, негатив, нейтральный)"),
        new("channel", "Channel", false, ImportFieldType.Choice, ["канал", "channel", "источник отзыва", "откуда"], Parsers.Choice(ChannelWords),
            "e.g. SocialNetwork, ReviewSite, Audit, MysteryShopping, CallCentre; empty: Import"),
        new("reasons", "Reasons", false, ImportFieldType.Lookup, ["причины", "причина", "reasons", "reason", "категория", "category"], Parsers.Text(Limits.LongText),
            "reason names separated by ; | or ,"),
        new("text", "Text", false, ImportFieldType.Text, ["текст", "text", "отзыв", "комментарий", "comment", "сообщение", "message", "review", "содержание"], Parsers.Text(Limits.LongText)),
        new("author", "Author", false, ImportFieldType.Text, ["автор", "author", "источник", "source", "ссылка", "url", "кто записал", "recorded by"], Parsers.Text(Limits.Url),
            "who recorded it, or the URL of the post or review"),
        new("contactName", "Contact name", false, ImportFieldType.Text, ["имя", "name", "клиент", "имя клиента", "фио", "customer", "contact name"], Parsers.Text(Limits.Name)),
        new("contactPhone", "Phone", false, ImportFieldType.Text, ["телефон клиента", "телефон", "phone", "тел", "mobile"], Parsers.Text(Limits.Phone)),
        new("contactEmail", "E-mail", false, ImportFieldType.Text, ["email", "e-mail", "почта клиента", "эл почта", "mail"], Parsers.Text(Limits.Email)),
        new("contactConsent", "Consent to be contacted", false, ImportFieldType.Boolean, ["согласие", "consent", "согласие на контакт", "contact consent"], Parsers.Boolean,
            "yes/no; without it the contact is not kept"),
    ];

    public async Task<IImportSession> BeginAsync(OtklikDb db, ImportContext context, CancellationToken ct)
    {
        var locations = await ImportLocations.LoadAsync(db, ct);
        var reasons = await db.Reasons.AsNoTracking().Where(r => r.ArchivedAt == null).ToListAsync(ct);
        var consentVersion = await db.Organizations.AsNoTracking().Select(o => o.FeedbackConsentVersion).FirstOrDefaultAsync(ct);
        return new Session(locations, reasons, consentVersion, context);
    }

    public async Task<int> UndoAsync(OtklikDb db, Guid importJobId, CancellationToken ct)
    {
        var counted = await db.Feedback.AsNoTracking().Where(f => f.ImportJobId == importJobId)
            .Select(f => new Feedback.Feedback { OrganizationId = f.OrganizationId, LocationId = f.LocationId, Channel = f.Channel, Sentiment = f.Sentiment, CreatedAt = f.CreatedAt })
            .ToListAsync(ct);
        await RollupStore.SubtractAsync(db, counted.Select(RollupStore.Of), ct);
        await db.FeedbackReasons.Where(r => db.Feedback.Any(f => f.Id == r.FeedbackId && f.ImportJobId == importJobId)).ExecuteDeleteAsync(ct);
        return await db.Feedback.Where(f => f.ImportJobId == importJobId).ExecuteDeleteAsync(ct);
    }

    private sealed record Row(Guid LocationId, DateTimeOffset CreatedAt, FeedbackChannel Channel, Sentiment Sentiment, List<Guid> Reasons, string? Text, string? Author,
        string? Name, string? Phone, string? Email, int? ConsentVersion);

    private sealed class Session(ImportLocations locations, List<Reason> reasons, int consentVersion, ImportContext context) : IImportSession
    {
        private readonly IStringLocalizer<Ui> L = context.L;
        private readonly Dictionary<(ReasonKind, string), List<Guid>> _reasons = IndexReasons(reasons);

        private static Dictionary<(ReasonKind, string), List<Guid>> IndexReasons(List<Reason> reasons)
        {
            var index = new Dictionary<(ReasonKind, string), List<Guid>>();
            foreach (var r in reasons)
                foreach (var name in new[] { r.NameRu, r.NameEn }.Select(ImportMapping.Normalize).Where(n => n.Length > 0).Distinct())
                {
                    if (!index.TryGetValue((r.Kind, name), out var list)) index[(r.Kind, name)] = list = [];
                    list.Add(r.Id);
                }
            return index;
        }

        public RowCheck Check(IReadOnlyDictionary<string, object?> v)
        {
            var errors = new List<string>();
            var location = locations.Find((string)v["location"]!, L, errors);

            var sentiment = (Sentiment)v["sentiment"]!;
            var channel = v.TryGetValue("channel", out var c) && c is FeedbackChannel ch ? ch : FeedbackChannel.Import;

            var createdAt = location is { } place ? ImportLocations.At(v["date"], place.Zone, context, errors) : default;

            var reasonIds = new List<Guid>();
            if (v.TryGetValue("reasons", out var r) && r is string names)
                foreach (var name in names.Split(ReasonSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var key = ImportMapping.Normalize(name);
                    var kinds = sentiment == Sentiment.Neutral ? [ReasonKind.Negative, ReasonKind.Positive] : new[] { FeedbackIntake.KindFor(sentiment) };
                    var matches = kinds.SelectMany(k => _reasons.TryGetValue((k, key), out var ids) ? ids : []).Distinct().ToList();
                    if (matches.Count == 1) { if (!reasonIds.Contains(matches[0])) reasonIds.Add(matches[0]); }
                    else if (matches.Count > 1) errors.Add(L["reasons: \"{0}\" matches several reasons.", Parsers.Short(name)]);
                    else if (_reasons.Keys.Any(k => k.Item2 == key)) errors.Add(L["reasons: \"{0}\" does not fit the sentiment.", Parsers.Short(name)]);
                    else errors.Add(L["reasons: no reason \"{0}\".", Parsers.Short(name)]);
                }
            if (reasonIds.Count > FeedbackIntake.MaxReasons) errors.Add(L["reasons: at most {0}.", FeedbackIntake.MaxReasons]);

            string? Get(string field) => v.TryGetValue(field, out var x) ? x as string : null;
            var (name2, phone, email) = (Get("contactName"), Get("contactPhone"), Get("contactEmail"));
            var consent = v.TryGetValue("contactConsent", out var cc) && cc is true;
            var keep = consent && (name2 ?? phone ?? email) is not null;
            if (keep)
            {
                if (phone is not null && !FeedbackIntake.IsPhone(phone)) errors.Add(L["contactPhone: give a phone number of 5–20 digits."]);
                if (email is not null && !FeedbackIntake.IsEmail(email)) errors.Add(L["contactEmail: not an e-mail address."]);
                if (phone is null && email is null) errors.Add(L["contactPhone: give a phone number or an e-mail address to be contacted."]);
            }
            if (errors.Count > 0) return RowCheck.Bad(string.Join("; ", errors));
            return RowCheck.Good(new Row(location!.Value.Id, createdAt, channel, sentiment, reasonIds, Get("text"), Get("author"),
                keep ? name2 : null, keep ? phone : null, keep ? email : null, keep ? consentVersion : null));
        }

        public async Task WriteAsync(OtklikDb db, IReadOnlyList<object> rows, Guid importJobId, CancellationToken ct)
        {
            var added = new List<Feedback.Feedback>(rows.Count);
            foreach (Row row in rows)
            {
                var feedback = new Feedback.Feedback
                {
                    OrganizationId = context.OrganizationId, LocationId = row.LocationId, Channel = row.Channel, Sentiment = row.Sentiment, Text = row.Text,
                    ContactName = row.Name, ContactPhone = row.Phone, ContactEmail = row.Email, ContactConsentVersion = row.ConsentVersion, ContactConsentAt = row.ConsentVersion is null ? null : row.CreatedAt,
                    CreatedAt = row.CreatedAt, Author = row.Author, ImportJobId = importJobId,
                };
                feedback.Reasons.AddRange(row.Reasons.Select(id => new FeedbackReason { ReasonId = id, OrganizationId = context.OrganizationId }));
                db.Feedback.Add(feedback);
                added.Add(feedback);
            }
            // The dashboards read the hourly rollups: imported feedback counts there too, in the batch's transaction.
            await RollupStore.AddAsync(db, added.Select(RollupStore.Of), ct);
        }
    }
}
