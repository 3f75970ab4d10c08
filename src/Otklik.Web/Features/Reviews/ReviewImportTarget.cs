using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Otklik.Web.Data;
using Otklik.Web.Features.Imports;
using Otklik.Web.Infrastructure;
using Otklik.Web.Localization;

namespace Otklik.Web.Features.Reviews;

/// <summary>
/// Review-count snapshots from a spreadsheet (e.g. counts copied from the maps services' business cabinets once a week).
/// The same checks as <c>POST /api/v1/reviews/snapshots</c>; undo removes the snapshots.
/// </summary>
public sealed class ReviewImportTarget : IImportTarget
{
    public const string KindName = "reviews";

    public string Kind => KindName;
    public string Title => "Map review counts";

    private static readonly Dictionary<string, MapsService> ServiceWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["yandex"] = MapsService.YandexMaps, ["яндекс"] = MapsService.YandexMaps, ["яндекс карты"] = MapsService.YandexMaps, ["яндекс.карты"] = MapsService.YandexMaps,
        ["yandex maps"] = MapsService.YandexMaps, ["2gis"] = MapsService.TwoGis, ["2гис"] = MapsService.TwoGis, ["дубльгис"] = MapsService.TwoGis,
        ["google"] = MapsService.GoogleMaps, ["google maps"] = MapsService.GoogleMaps, ["гугл"] = MapsService.GoogleMaps, ["гугл карты"] = MapsService.GoogleMaps,
    };

    private static FieldParse Whole(string s, IStringLocalizer<Ui> L) =>
        Parsers.Number(s, L) is { Value: decimal d } && d == decimal.Truncate(d) && d is >= 0 and <= ReviewsApi.MaxReviews
            ? FieldParse.Ok((int)d) : FieldParse.Fail(L["Not a whole number from 0 to {0}: \"{1}\".", ReviewsApi.MaxReviews, Parsers.Short(s)]);

    private static FieldParse Rating(string s, IStringLocalizer<Ui> L) =>
        Parsers.Number(s, L) is { Value: decimal d } ? FieldParse.Ok((double)d) : FieldParse.Fail(L["Not a number: \"{0}\".", Parsers.Short(s)]);

    public IReadOnlyList<ImportField> Fields { get; } =
    [
        new("date", "Date", true, ImportFieldType.Date, ["дата", "date", "когда", "дата снимка", "taken at", "takenat"], Parsers.Date,
            "when the counts were read; without an offset it is the location's local time"),
        new("location", "Location", true, ImportFieldType.Lookup, ["точка", "location", "магазин", "филиал", "локация", "store", "shop", "branch"],
            Parsers.Text(Limits.Name), "the location's name or slug"),
        new("service", "Maps service", true, ImportFieldType.Choice, ["сервис", "service", "карты", "площадка", "maps", "platform"], Parsers.Choice(ServiceWords),
            "YandexMaps, TwoGis or GoogleMaps (or Яндекс, 2ГИС, Google)"),
        new("totalReviews", "Total reviews", true, ImportFieldType.Number, ["всего отзывов", "отзывов", "total", "total reviews", "reviews", "всего"], Whole),
        new("positiveReviews", "Positive reviews", false, ImportFieldType.Number, ["положительных", "положительные", "positive", "positive reviews"], Whole,
            "or give the five star columns"),
        new("stars1", "1 star", false, ImportFieldType.Number, ["1 звезда", "1", "stars1", "1 star"], Whole),
        new("stars2", "2 stars", false, ImportFieldType.Number, ["2 звезды", "2", "stars2", "2 stars"], Whole),
        new("stars3", "3 stars", false, ImportFieldType.Number, ["3 звезды", "3", "stars3", "3 stars"], Whole),
        new("stars4", "4 stars", false, ImportFieldType.Number, ["4 звезды", "4", "stars4", "4 stars"], Whole),
        new("stars5", "5 stars", false, ImportFieldType.Number, ["5 звёзд", "5 звезд", "5", "stars5", "5 stars"], Whole),
        new("averageRating", "Average rating", false, ImportFieldType.Number, ["рейтинг", "средняя оценка", "rating", "average", "average rating"], Rating),
    ];

    public async Task<IImportSession> BeginAsync(OtklikDb db, ImportContext context, CancellationToken ct)
    {
        var locations = await ImportLocations.LoadAsync(db, ct);
        return new Session(locations, context);
    }

    public Task<int> UndoAsync(OtklikDb db, Guid importJobId, CancellationToken ct) =>
        db.ReviewSnapshots.Where(s => s.ImportJobId == importJobId).ExecuteDeleteAsync(ct);

    private sealed class Session(ImportLocations locations, ImportContext context) : IImportSession
    {
        private readonly IStringLocalizer<Ui> L = context.L;

        public RowCheck Check(IReadOnlyDictionary<string, object?> v)
        {
            var problems = new List<string>();
            var location = locations.Find((string)v["location"]!, L, problems);
            var takenAt = location is { } place ? ImportLocations.At(v["date"], place.Zone, context, problems) : default;

            int? Get(string field) => v.TryGetValue(field, out var x) ? x as int? : null;
            var stars = new[] { Get("stars1"), Get("stars2"), Get("stars3"), Get("stars4"), Get("stars5") };
            IReadOnlyList<int>? histogram = stars.All(s => s is not null) ? [.. stars.Select(s => s!.Value)] : null;
            if (histogram is null && stars.Any(s => s is not null)) problems.Add(L["stars: give all five star columns or none."]);
            var errors = new Errors();
            var average = v.TryGetValue("averageRating", out var a) ? a as double? : null;
            ReviewsApi.Check(Get("totalReviews"), Get("positiveReviews"), histogram, average, errors);
            foreach (var (field, messages) in errors.Fields)
                foreach (var m in messages) problems.Add($"{field}: {L[m]}");
            if (problems.Count > 0) return RowCheck.Bad(string.Join("; ", problems));
            return RowCheck.Good(ReviewsApi.NewSnapshot(location!.Value.Id, (MapsService)v["service"]!, takenAt, Get("totalReviews")!.Value, Get("positiveReviews"),
                histogram, average, SnapshotOrigin.Import, context.Now));
        }

        public Task WriteAsync(OtklikDb db, IReadOnlyList<object> rows, Guid importJobId, CancellationToken ct)
        {
            foreach (ReviewSnapshot row in rows)
            {
                row.OrganizationId = context.OrganizationId;
                row.ImportJobId = importJobId;
                db.ReviewSnapshots.Add(row);
            }
            return Task.CompletedTask;
        }
    }
}
