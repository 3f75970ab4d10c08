using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.ApiKeys;
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
public sealed class DemoSeeder(OtklikDb db, UserManager<AppUser> users, IConfiguration config, TimeProvider time, ILogger<DemoSeeder> log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var options = config.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new();
        if (!options.Enabled || await db.Organizations.IgnoreQueryFilters().AnyAsync(ct)) return;

        var now = time.GetUtcNow();
        var org = new Organization { Name = "Кофейни «Зерно»", TimeZone = "Europe/Moscow", Language = "ru", CreatedAt = now };
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
        for (var day = -options.HistoryDays; day <= 7; day++)
            for (var i = 0; i < locations.Length; i++)
            {
                var date = today.AddDays(day);
                var team = staff.Where(s => s.LocationId == locations[i].Id).ToList();
                for (var half = 0; half < 2; half++)
                {
                    var start = new DateTimeOffset(date.ToDateTime(new TimeOnly(8 + half * 7, 0)), moscowTz.GetUtcOffset(date.ToDateTime(TimeOnly.MinValue)));
                    db.Shifts.Add(new Shift
                    {
                        OrganizationId = org.Id, LocationId = locations[i].Id, StaffMemberId = team[(day + 1000 + half * 2) % team.Count].Id,
                        StartsAt = start.ToUniversalTime(), EndsAt = start.AddHours(7).ToUniversalTime(),
                    });
                }
            }

        foreach (var location in locations)
        {
            db.Devices.Add(NewDevice(org.Id, location.Id, "Кнопка у кассы", DeviceKind.ButtonSmart, now));
            db.Devices.Add(NewDevice(org.Id, location.Id, "Счётчик посетителей", DeviceKind.VisitorCounter, now));
        }
        db.Devices.Add(NewDevice(org.Id, locations[2].Id, "Кнопка START (ПК кассы)", DeviceKind.ButtonStart, now));
        db.Devices.Add(NewDevice(org.Id, locations[0].Id, "Терминал на выходе", DeviceKind.Kiosk, now));
        await db.SaveChangesAsync(ct);

        // The coffee shops start from the food-service reason tree, as a new customer would.
        db.Tenant.SetOrganization(org.Id);
        await Reasons.ReasonTree.ApplyStarterAsync(db, org.Id, "food", now, ct);
        db.Tenant.SetSystem();

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

        log.LogWarning("Demo company seeded. Sign in as {Email} with password {Password} (also cx@demo.otklik, tverskaya@demo.otklik). API key: {ApiKey}",
            options.OwnerEmail, options.Password, options.ApiKey);
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
}
