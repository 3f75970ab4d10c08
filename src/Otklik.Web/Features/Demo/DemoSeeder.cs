using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.ApiKeys;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Organizations;
using Otklik.Web.Features.Staff;
using Otklik.Web.Features.Users;
using Otklik.Web.Infrastructure;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Demo;

public sealed class DemoOptions
{
    public const string Section = "Otklik:Demo";
    /// <summary>Seed a demo company into an empty database. On in Development (appsettings.Development.json), off otherwise.</summary>
    public bool Enabled { get; set; }
    public string OwnerEmail { get; set; } = "owner@demo.otklik";
    public string Password { get; set; } = "Demo-2026!";
    public int HistoryDays { get; set; } = 90;
    /// <summary>An owner API key for trying the API and the simulator against the demo company.</summary>
    public string ApiKey { get; set; } = "otk_demo_0000000000000000000000000000";
}

/// <summary>A plausible small chain: three coffee shops, their staff and shifts, their devices, and three users.</summary>
public sealed class DemoSeeder(OtklikDb db, UserManager<AppUser> users, IConfiguration config, TimeProvider time, ILogger<DemoSeeder> log, Rollups.RollupRebuilder rollups)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var options = config.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new();
        if (!options.Enabled || await db.Organizations.IgnoreQueryFilters().AnyAsync(ct)) return;

        var now = time.GetUtcNow();
        // Two-factor sign-in stays optional in the demo, so its printed logins work as they are.
        var org = new Organization { Name = "Кофейни «Зерно»", TimeZone = "Europe/Moscow", Language = "ru", CreatedAt = now, RequireTwoFactorForAdmins = false };
        db.Organizations.Add(org);
        var russia = new LocationGroup { OrganizationId = org.Id, Name = "Россия" };
        var moscow = new LocationGroup { OrganizationId = org.Id, Name = "Москва", ParentId = russia.Id };
        var spb = new LocationGroup { OrganizationId = org.Id, Name = "Санкт-Петербург", ParentId = russia.Id };
        db.LocationGroups.AddRange(russia, moscow, spb);

        List<OpeningHours> hours = [.. Enum.GetValues<DayOfWeek>().Select(d => new OpeningHours(d, "08:00", "22:00"))];
        var locations = new[]
        {
            new Location { OrganizationId = org.Id, GroupId = moscow.Id, Name = "Зерно на Тверской", Slug = "zerno-tverskaya", Address = "Москва, ул. Тверская, 12", OpeningHours = hours, CreatedAt = now },
            new Location { OrganizationId = org.Id, GroupId = moscow.Id, Name = "Зерно на Арбате", Slug = "zerno-arbat", Address = "Москва, ул. Арбат, 24", OpeningHours = hours, CreatedAt = now },
            new Location { OrganizationId = org.Id, GroupId = spb.Id, Name = "Зерно на Невском", Slug = "zerno-nevsky", Address = "Санкт-Петербург, Невский пр., 48", OpeningHours = hours, CreatedAt = now },
        };
        db.Locations.AddRange(locations);

        string[][] names =
        [
            ["Анна Смирнова", "Илья Кузнецов", "Мария Попова", "Олег Васильев"],
            ["Дарья Новикова", "Сергей Морозов", "Екатерина Волкова", "Артём Соколов"],
            ["Полина Лебедева", "Никита Козлов", "Виктория Павлова", "Роман Семёнов"],
        ];
        var staff = new List<StaffMember>();
        for (var i = 0; i < locations.Length; i++)
            foreach (var name in names[i])
                staff.Add(new StaffMember { OrganizationId = org.Id, LocationId = locations[i].Id, Name = name, Position = "Бариста" });
        db.StaffMembers.AddRange(staff);

        // Two shifts a day per location, 08–15 and 15–22 Moscow time, rotating through the location's staff.
        var moscowTz = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, moscowTz).Date);
        var onShift = new Dictionary<(Guid Location, DateOnly Date, int Half), Guid>();
        for (var day = -options.HistoryDays; day <= 7; day++)
            for (var i = 0; i < locations.Length; i++)
            {
                var date = today.AddDays(day);
                var team = staff.Where(s => s.LocationId == locations[i].Id).ToList();
                for (var half = 0; half < 2; half++)
                {
                    var start = new DateTimeOffset(date.ToDateTime(new TimeOnly(8 + half * 7, 0)), moscowTz.GetUtcOffset(date.ToDateTime(TimeOnly.MinValue)));
                    var member = team[(day + 1000 + half * 2) % team.Count].Id;
                    onShift[(locations[i].Id, date, half)] = member;
                    db.Shifts.Add(new Shift
                    {
                        OrganizationId = org.Id, LocationId = locations[i].Id, StaffMemberId = member,
                        StartsAt = start.ToUniversalTime(), EndsAt = start.AddHours(7).ToUniversalTime(),
                    });
                }
            }

        var buttons = new Dictionary<Guid, Guid>();
        foreach (var location in locations)
        {
            var button = NewDevice(org.Id, location.Id, "Кнопка у кассы", DeviceKind.ButtonSmart, now);
            buttons[location.Id] = button.Id;
            db.Devices.Add(button);
            db.Devices.Add(NewDevice(org.Id, location.Id, "Счётчик посетителей", DeviceKind.VisitorCounter, now));
        }
        db.Devices.Add(NewDevice(org.Id, locations[2].Id, "Кнопка START (ПК кассы)", DeviceKind.ButtonStart, now));
        db.Devices.Add(NewDevice(org.Id, locations[0].Id, "Терминал на выходе", DeviceKind.Kiosk, now));
        await db.SaveChangesAsync(ct);

        // The coffee shops start from the food-service reason tree, as a new customer would.
        db.Tenant.SetOrganization(org.Id);
        await Reasons.ReasonTree.ApplyStarterAsync(db, org.Id, "food", now, ct);
        db.Tenant.SetSystem();
        var presses = await SeedPressesAsync(org.Id, locations, buttons, onShift, moscowTz, today, options.HistoryDays,
            worse: staff.Single(s => s.Name == "Артём Соколов").Id, now, ct);

        await SeedSurveyAsync(org.Id, locations, now, ct);
        // Conversion: visitors, receipts, approaches and funnel entries over the same days as the presses, consistent with each other
        // (issue 8); the red rate per 100 receipts then compares like with like.
        var conversionHours = await Conversion.ConversionDemo.SeedAsync(db, org.Id, locations, onShift, moscowTz, today, options.HistoryDays,
            weakSeller: staff.Single(s => s.Name == "Артём Соколов").Id, now, ct);
        log.LogInformation("Demo conversion: {Hours} location-hours of visitors, receipts, attempts and funnel entries.", conversionHours);
        await CreateUserAsync(org.Id, options.OwnerEmail, "Владелец сети", OtklikRole.Owner, options.Password, now);
        await CreateUserAsync(org.Id, "cx@demo.otklik", "CX-менеджер", OtklikRole.CxManager, options.Password, now);
        var manager = await CreateUserAsync(org.Id, "tverskaya@demo.otklik", "Управляющий на Тверской", OtklikRole.LocationManager, options.Password, now);
        db.AccessScopes.Add(new AccessScope { OrganizationId = org.Id, UserId = manager.Id, LocationId = locations[0].Id });
        db.ApiKeys.Add(new ApiKey
        {
            OrganizationId = org.Id, Name = "Demo", Role = OtklikRole.Owner, KeyHash = Secrets.Hash(options.ApiKey),
            Prefix = options.ApiKey[..10], CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);

        await SeedCasesAsync(org.Id, locations, staff, now, ct);
        // The history was inserted directly, not through ingestion: count it into the hourly rollups once.
        db.Tenant.SetOrganization(org.Id);
        await rollups.RebuildAsync(db, now.AddDays(-options.HistoryDays - 2), now.AddHours(1), ct);
        db.Tenant.SetSystem();

        log.LogInformation("Demo history: {Count} button presses over {Days} days.", presses, options.HistoryDays);
        log.LogWarning("Demo company seeded. Sign in as {Email} with password {Password} (also cx@demo.otklik, tverskaya@demo.otklik). API key: {ApiKey}",
            options.OwnerEmail, options.Password, options.ApiKey);
    }

    /// <summary>
    /// Button presses of the last <paramref name="days"/> days and today up to now: 40–120 a day per location, busier at
    /// breakfast, lunch and after work, about one in ten red (one barista noticeably worse, evenings a little worse), and now
    /// and then a child hammering the button, whose repeats are kept but suppressed, as ingestion would. Each press goes to
    /// whoever was on shift. Inserted in chunks without change detection, so a fresh start stays quick.
    /// </summary>
    private async Task<int> SeedPressesAsync(Guid org, Location[] locations, Dictionary<Guid, Guid> buttons,
        Dictionary<(Guid, DateOnly, int), Guid> onShift, TimeZoneInfo zone, DateOnly today, int days, Guid worse, DateTimeOffset now, CancellationToken ct)
    {
        var random = new Random(2026);
        // Weight of each opening hour 08..21 (local): breakfast, lunch, after work.
        double[] hourWeights = [2.2, 1.8, 1.0, 1.0, 2.6, 3.0, 1.6, 1.0, 1.0, 1.8, 2.0, 1.4, 1.0, 0.7];
        var cumulative = hourWeights.Select((_, i) => hourWeights.Take(i + 1).Sum() / hourWeights.Sum()).ToArray();
        double[] busyness = [1.15, 1.0, 0.8];
        double[] baseRed = [0.10, 0.11, 0.08];

        var batch = new List<ButtonPress>(4096);
        var total = 0;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            for (var day = -days; day <= 0; day++)
            {
                var date = today.AddDays(day);
                var weekend = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
                for (var i = 0; i < locations.Length; i++)
                {
                    var location = locations[i];
                    var count = (int)Math.Round(random.Next(45, 100) * busyness[i] * (weekend ? 1.2 : 1.0));
                    for (var n = 0; n < count; n++)
                    {
                        var draw = random.NextDouble();
                        var hour = 8 + Array.FindIndex(cumulative, c => c >= draw);
                        var local = date.ToDateTime(new TimeOnly(hour, random.Next(60), random.Next(60)));
                        var at = new DateTimeOffset(local, zone.GetUtcOffset(local));
                        if (at > now) continue;
                        var staffId = onShift[(location.Id, date, hour < 15 ? 0 : 1)];
                        var redChance = baseRed[i] + (hour >= 19 ? 0.03 : 0) + (staffId == worse ? 0.17 : 0);
                        var type = random.NextDouble() < redChance ? PressType.Red : PressType.Green;
                        batch.Add(NewPress(org, location.Id, buttons[location.Id], staffId, type, at, suppressed: false, random));
                        // Now and then someone hammers the button: the repeats within seconds are stored but not counted.
                        if (random.NextDouble() < 0.004)
                            for (var k = 1; k <= random.Next(3, 9); k++)
                                batch.Add(NewPress(org, location.Id, buttons[location.Id], staffId, type, at.AddMilliseconds(400 * k), suppressed: true, random));
                    }
                    if (batch.Count >= 2000)
                    {
                        total += await FlushAsync(batch, ct);
                    }
                }
            }
            total += await FlushAsync(batch, ct);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
        return total;
    }

    private static ButtonPress NewPress(Guid org, Guid location, Guid device, Guid staff, PressType type, DateTimeOffset at, bool suppressed, Random random) => new()
    {
        OrganizationId = org, LocationId = location, DeviceId = device, EventId = Guid.NewGuid(), StaffMemberId = staff, Type = type,
        OccurredAt = at.ToUniversalTime(), ReceivedAt = at.ToUniversalTime().AddMilliseconds(random.Next(200, 3000)), Suppressed = suppressed, Channel = IngestChannel.Mqtt,
    };

    private async Task<int> FlushAsync(List<ButtonPress> batch, CancellationToken ct)
    {
        db.ButtonPresses.AddRange(batch);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        var count = batch.Count;
        batch.Clear();
        return count;
    }

    private static Device NewDevice(Guid org, Guid location, string name, DeviceKind kind, DateTimeOffset now) => new()
    {
        OrganizationId = org, LocationId = location, Name = name, Kind = kind,
        TokenHash = Secrets.Hash(Secrets.NewToken(DevicesApi.TokenPrefix)), TokenIssuedAt = now, CreatedAt = now,
    };

    private async Task<AppUser> CreateUserAsync(Guid org, string email, string name, OtklikRole role, string password, DateTimeOffset now)
    {
        var user = new AppUser { OrganizationId = org, UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, Role = role, CreatedAt = now };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        return user;
    }
    /// <summary>A few complaints with their cases at different stages, so the case queue is not empty on first look.</summary>
    private async Task SeedCasesAsync(Guid org, Location[] locations, List<StaffMember> staff, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.Cases.IgnoreQueryFilters().AnyAsync(c => c.OrganizationId == org, ct)) return;
        var reasons = await db.Reasons.IgnoreQueryFilters().Where(r => r.OrganizationId == org && r.Kind == Reasons.ReasonKind.Negative && r.ParentId != null)
            .OrderBy(r => r.SortOrder).Take(3).ToListAsync(ct);
        (int Location, string Text, string? Name, string? Email, double HoursAgo, Otklik.Core.Cases.CaseStatus Status, Otklik.Core.Cases.CaseQualification? Q)[] items =
        [
            (0, "Ждал кофе 20 минут, бариста не извинился.", "Ольга", "olga@example.com", 2, Otklik.Core.Cases.CaseStatus.New, null),
            (1, "Капучино был холодным.", "Иван", "ivan@example.com", 30, Otklik.Core.Cases.CaseStatus.InProgress, Otklik.Core.Cases.CaseQualification.NeedsReaction),
            (2, "Грязные столики вечером.", null, null, 50, Otklik.Core.Cases.CaseStatus.Closed, Otklik.Core.Cases.CaseQualification.NeedsReaction),
            (0, "Верните деньги за всё меню, иначе напишу везде!", null, null, 8, Otklik.Core.Cases.CaseStatus.Dismissed, Otklik.Core.Cases.CaseQualification.ConsumerTerrorism),
        ];
        for (var i = 0; i < items.Length; i++)
        {
            var (loc, text, name, email, hoursAgo, status, q) = items[i];
            var at = now.AddHours(-hoursAgo);
            var location = locations[loc];
            var feedback = new Feedback.Feedback
            {
                OrganizationId = org, LocationId = location.Id, Channel = i % 2 == 0 ? Feedback.FeedbackChannel.CallCentre : Feedback.FeedbackChannel.QrPage,
                Sentiment = Feedback.Sentiment.Negative, Text = text, ContactName = name, ContactEmail = email, ContactConsentVersion = email is null ? null : 0, CreatedAt = at,
            };
            if (reasons.Count > 0) feedback.Reasons.Add(new Feedback.FeedbackReason { ReasonId = reasons[i % reasons.Count].Id, OrganizationId = org });
            db.Feedback.Add(feedback);
            var due = at.AddHours(q switch { null => 4, Otklik.Core.Cases.CaseQualification.ConsumerTerrorism => 72, _ => 24 });
            var c = new Cases.Case
            {
                OrganizationId = org, LocationId = location.Id, FeedbackId = feedback.Id, Summary = text, Status = status, Qualification = q, CreatedAt = at, DueAt = due,
                StaffMemberId = staff.First(s => s.LocationId == location.Id).Id, RootCauseId = q == Otklik.Core.Cases.CaseQualification.NeedsReaction && reasons.Count > 0 ? reasons[0].Id : null,
                Resolution = status is Otklik.Core.Cases.CaseStatus.Closed or Otklik.Core.Cases.CaseStatus.Dismissed ? "Разобрались со сменой, добавили уборку в чек-лист." : null,
                ClosedAt = status is Otklik.Core.Cases.CaseStatus.Closed or Otklik.Core.Cases.CaseStatus.Dismissed ? at.AddHours(20) : null,
                FirstResponseAt = status == Otklik.Core.Cases.CaseStatus.New ? null : at.AddHours(1),
            };
            db.Cases.Add(c);
            db.CaseEvents.Add(new Cases.CaseEvent { OrganizationId = org, LocationId = location.Id, CaseId = c.Id, Kind = Cases.CaseEventKind.Created, At = at, By = "Otklik", ToStatus = Otklik.Core.Cases.CaseStatus.New });
            if (status != Otklik.Core.Cases.CaseStatus.New)
                db.CaseEvents.Add(new Cases.CaseEvent
                {
                    OrganizationId = org, LocationId = location.Id, CaseId = c.Id, Kind = Cases.CaseEventKind.StatusChanged, At = at.AddHours(1), By = "CX-менеджер",
                    FromStatus = Otklik.Core.Cases.CaseStatus.New, ToStatus = status,
                });
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// An NPS survey after the visit with four factors and a month of answers: speed matters most and is rated low
    /// (a bottleneck on the driver chart), courtesy matters and is rated high (a growth driver), the rest is noise;
    /// about one customer in eight declines.
    /// </summary>
    private async Task SeedSurveyAsync(Guid org, Location[] locations, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.Surveys.IgnoreQueryFilters().AnyAsync(x => x.OrganizationId == org, ct)) return;
        var survey = new Surveys.Survey
        {
            OrganizationId = org, Name = "После визита", Slug = "zerno-posle-vizita", KeyKind = Surveys.KeyQuestionKind.Nps,
            KeyTextRu = "Насколько вероятно, что вы порекомендуете «Зерно» друзьям?", KeyTextEn = "How likely are you to recommend Zerno to a friend?",
            CreatedAt = now.AddDays(-31),
        };
        (string Ru, string En, Reasons.Servqual Dimension)[] factors =
        [
            ("Скорость обслуживания", "Speed of service", Reasons.Servqual.Responsiveness),
            ("Вежливость бариста", "Barista courtesy", Reasons.Servqual.Empathy),
            ("Чистота зала", "Cleanliness", Reasons.Servqual.Tangibles),
            ("Музыка", "Music", Reasons.Servqual.Tangibles),
        ];
        for (var i = 0; i < factors.Length; i++)
            survey.Questions.Add(new Surveys.SurveyQuestion { OrganizationId = org, SurveyId = survey.Id, SortOrder = i, TextRu = factors[i].Ru, TextEn = factors[i].En, Dimension = factors[i].Dimension });
        foreach (var location in locations)
            survey.Locations.Add(new Surveys.SurveyLocation { OrganizationId = org, SurveyId = survey.Id, LocationId = location.Id });
        db.Surveys.Add(survey);

        var random = new Random(6);
        Surveys.SurveyChannel[] channels = [Surveys.SurveyChannel.Link, Surveys.SurveyChannel.Kiosk, Surveys.SurveyChannel.Interviewer];
        for (var n = 0; n < 180; n++)
        {
            var response = new Surveys.SurveyResponse
            {
                OrganizationId = org, LocationId = locations[n % locations.Length].Id, SurveyId = survey.Id, Channel = channels[random.Next(channels.Length)],
                CreatedAt = now.AddMinutes(-random.Next(30 * 24 * 60)),
            };
            if (random.NextDouble() < 0.12) response.Declined = true;
            else
            {
                int speed = random.Next(1, 5), courtesy = random.Next(3, 6), clean = random.Next(3, 6), music = random.Next(2, 6);
                response.KeyScore = Math.Clamp((int)Math.Round((1.4 * speed) + (0.9 * courtesy) - 1 + (random.NextDouble() * 2.4) - 1.2), 0, 10);
                int[] scores = [speed, courtesy, clean, music];
                for (var i = 0; i < scores.Length; i++)
                    if (random.NextDouble() > 0.08)
                        response.Answers.Add(new Surveys.SurveyAnswer { OrganizationId = org, ResponseId = response.Id, QuestionId = survey.Questions[i].Id, Score = scores[i] });
            }
            db.SurveyResponses.Add(response);
        }
        await db.SaveChangesAsync(ct);
    }
}
