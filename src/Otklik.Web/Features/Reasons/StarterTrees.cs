namespace Otklik.Web.Features.Reasons;

/// <summary>A reason of a starter tree, with its children.</summary>
public sealed record StarterReason(string Ru, string En, Servqual? Dimension = null, string? Role = null, params StarterReason[] Children);

/// <summary>
/// Reason trees Otklik ships for a quick start: retail, food service and clinics. An organization applies one on
/// request and then edits its own copy.
/// </summary>
public static class StarterTrees
{
    public static readonly IReadOnlyList<string> Templates = ["retail", "food", "clinic"];

    public static (IReadOnlyList<StarterReason> Negative, IReadOnlyList<StarterReason> Positive)? For(string? template) => template switch
    {
        "retail" => (RetailNegative, CommonPositive),
        "food" => (FoodNegative, CommonPositive),
        "clinic" => (ClinicNegative, ClinicPositive),
        _ => null,
    };

    private static StarterReason R(string ru, string en, Servqual? d = null, string? role = null, params StarterReason[] children) => new(ru, en, d, role, children);

    private static readonly StarterReason[] Staff =
    [
        R("Невежливость", "Rudeness", Servqual.Empathy, "Shift manager"),
        R("Не помогли с выбором", "No help choosing", Servqual.Assurance, "Sales assistant"),
        R("Не хватает персонала", "Too few staff", Servqual.Responsiveness, "Location manager"),
    ];

    private static readonly IReadOnlyList<StarterReason> RetailNegative =
    [
        R("Очередь и ожидание", "Queue and waiting", Servqual.Responsiveness, "Shift manager",
            R("Долго на кассе", "Slow checkout", Servqual.Responsiveness, "Cashier"),
            R("Работает одна касса", "Only one till open", Servqual.Responsiveness, "Shift manager")),
        R("Товар", "Products", Servqual.Reliability, "Category manager",
            R("Нет нужного товара", "Out of stock", Servqual.Reliability, "Category manager"),
            R("Просрочка или брак", "Expired or faulty", Servqual.Reliability, "Location manager"),
            R("Цена на полке не совпала с чеком", "Shelf price differs from receipt", Servqual.Reliability, "Cashier")),
        R("Персонал", "Staff", Servqual.Empathy, "Location manager", Staff),
        R("Магазин", "The shop", Servqual.Tangibles, "Location manager",
            R("Грязно", "Not clean", Servqual.Tangibles, "Location manager"),
            R("Трудно найти товар", "Hard to find things", Servqual.Tangibles, "Location manager")),
        R("Другое", "Something else"),
    ];

    private static readonly IReadOnlyList<StarterReason> FoodNegative =
    [
        R("Ожидание", "Waiting", Servqual.Responsiveness, "Shift manager",
            R("Долго готовили заказ", "Order took too long", Servqual.Responsiveness, "Kitchen"),
            R("Долгая очередь", "Long queue", Servqual.Responsiveness, "Shift manager")),
        R("Еда и напитки", "Food and drinks", Servqual.Reliability, "Kitchen",
            R("Невкусно", "Did not taste good", Servqual.Reliability, "Kitchen"),
            R("Холодное", "Served cold", Servqual.Reliability, "Kitchen"),
            R("Перепутали заказ", "Wrong order", Servqual.Reliability, "Cashier",
                R("Не тот напиток", "Wrong drink", Servqual.Reliability, "Barista"),
                R("Забыли позицию", "Item missing", Servqual.Reliability, "Cashier"))),
        R("Персонал", "Staff", Servqual.Empathy, "Location manager", Staff),
        R("Зал", "The room", Servqual.Tangibles, "Location manager",
            R("Грязные столы", "Dirty tables", Servqual.Tangibles, "Shift manager"),
            R("Шумно или душно", "Noisy or stuffy", Servqual.Tangibles, "Location manager")),
        R("Другое", "Something else"),
    ];

    private static readonly IReadOnlyList<StarterReason> ClinicNegative =
    [
        R("Запись и ожидание", "Booking and waiting", Servqual.Responsiveness, "Front desk",
            R("Не дозвониться", "Could not get through by phone", Servqual.Responsiveness, "Call centre"),
            R("Приём начался с опозданием", "Appointment started late", Servqual.Reliability, "Head doctor")),
        R("Врач", "Doctor", Servqual.Assurance, "Head doctor",
            R("Непонятно объяснили", "Explained unclearly", Servqual.Assurance, "Head doctor"),
            R("Невнимательное отношение", "Inattentive", Servqual.Empathy, "Head doctor")),
        R("Администратор", "Front desk", Servqual.Empathy, "Clinic manager",
            R("Невежливость", "Rudeness", Servqual.Empathy, "Clinic manager"),
            R("Ошибка в документах или счёте", "Mistake in papers or bill", Servqual.Reliability, "Clinic manager")),
        R("Клиника", "The clinic", Servqual.Tangibles, "Clinic manager",
            R("Грязно", "Not clean", Servqual.Tangibles, "Clinic manager"),
            R("Неудобно ждать", "Uncomfortable waiting area", Servqual.Tangibles, "Clinic manager")),
        R("Другое", "Something else"),
    ];

    private static readonly IReadOnlyList<StarterReason> CommonPositive =
    [
        R("Быстро", "Quick", Servqual.Responsiveness),
        R("Приветливый персонал", "Friendly staff", Servqual.Empathy),
        R("Помогли с выбором", "Helpful advice", Servqual.Assurance),
        R("Чисто и уютно", "Clean and cosy", Servqual.Tangibles),
        R("Всё как обещали", "Everything as promised", Servqual.Reliability),
    ];

    private static readonly IReadOnlyList<StarterReason> ClinicPositive =
    [
        R("Приняли вовремя", "Seen on time", Servqual.Reliability),
        R("Внимательный врач", "Attentive doctor", Servqual.Empathy),
        R("Всё понятно объяснили", "Clear explanations", Servqual.Assurance),
        R("Вежливый администратор", "Polite front desk", Servqual.Empathy),
        R("Чисто и удобно", "Clean and comfortable", Servqual.Tangibles),
    ];

    /// <summary>Turns a starter tree into new reasons of an organization, after its existing ones.</summary>
    public static List<Reason> Build(Guid organizationId, ReasonKind kind, IReadOnlyList<StarterReason> roots, int firstOrder, DateTimeOffset now)
    {
        var result = new List<Reason>();
        void Add(IReadOnlyList<StarterReason> nodes, Guid? parent, int start)
        {
            for (var i = 0; i < nodes.Count; i++)
            {
                var n = nodes[i];
                var reason = new Reason
                {
                    OrganizationId = organizationId, ParentId = parent, Kind = kind, NameRu = n.Ru, NameEn = n.En,
                    Dimension = n.Dimension, ResponsibleRole = n.Role, SortOrder = start + i, CreatedAt = now,
                };
                result.Add(reason);
                Add(n.Children, reason.Id, 0);
            }
        }
        Add(roots, null, firstOrder);
        return result;
    }
}
