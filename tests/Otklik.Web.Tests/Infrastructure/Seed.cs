using System.Net;
using System.Text.Json;
using Otklik.Web.Features.ApiKeys;
using Otklik.Web.Features.Devices;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Features.Reasons;
using Otklik.Web.Features.Locations;
using Otklik.Web.Features.Staff;
using Otklik.Web.Features.Users;

namespace Otklik.Web.Tests.Infrastructure;

/// <summary>One of each resource in an organization, made through the API as a client would.</summary>
public sealed record Seed(
    TestOrg Org, LocationGroupDto Group, LocationDto Location, LocationDto OtherLocation, StaffDto Staff, StaffDto OtherStaff,
    ShiftDto Shift, ShiftDto OtherShift, DeviceWithToken Device, DeviceWithToken OtherDevice, UserDto User, ApiKeyWithSecret ApiKey,
    ReasonDto Reason, FeedbackDto Feedback)
{
    /// <summary>Ids that particular tests add to the seed (e.g. an alert, a notification channel).</summary>
    public Dictionary<string, Guid> Extra { get; } = [];

    /// <summary>Every id in this seed, to search for in other tenants' answers.</summary>
    public IEnumerable<Guid> AllIds =>
    [
        Org.Id, Group.Id, Location.Id, OtherLocation.Id, Staff.Id, OtherStaff.Id, Shift.Id, OtherShift.Id,
        Device.Device.Id, OtherDevice.Device.Id, User.Id, ApiKey.ApiKey.Id, Org.OwnerId, Reason.Id, Feedback.Id, Feedback.Attachments[0].Id, .. Extra.Values,
    ];

    /// <summary>Ids of the resources at <see cref="OtherLocation"/>, which a manager of <see cref="Location"/> must not see.</summary>
    public IEnumerable<Guid> OtherLocationIds => [OtherLocation.Id, OtherStaff.Id, OtherShift.Id, OtherDevice.Device.Id];

    public static async Task<Seed> CreateAsync(OtklikApp app)
    {
        var org = await app.NewOrganizationAsync();
        using var http = org.Owner();
        var group = await (await http.PostJsonAsync("/api/v1/location-groups", new { name = "Region" })).ReadAsync<LocationGroupDto>(HttpStatusCode.Created);
        var location = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Main", groupId = group.Id })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var other = await (await http.PostJsonAsync("/api/v1/locations", new { name = "Other" })).ReadAsync<LocationDto>(HttpStatusCode.Created);
        var staff = await (await http.PostJsonAsync("/api/v1/staff", new { name = "Anna", locationId = location.Id })).ReadAsync<StaffDto>(HttpStatusCode.Created);
        var otherStaff = await (await http.PostJsonAsync("/api/v1/staff", new { name = "Boris", locationId = other.Id })).ReadAsync<StaffDto>(HttpStatusCode.Created);
        var start = DateTimeOffset.UtcNow.Date.AddHours(8);
        var shift = await (await http.PostJsonAsync("/api/v1/shifts", new { staffMemberId = staff.Id, locationId = location.Id, startsAt = start, endsAt = start.AddHours(8) }))
            .ReadAsync<ShiftDto>(HttpStatusCode.Created);
        var otherShift = await (await http.PostJsonAsync("/api/v1/shifts", new { staffMemberId = otherStaff.Id, locationId = other.Id, startsAt = start, endsAt = start.AddHours(8) }))
            .ReadAsync<ShiftDto>(HttpStatusCode.Created);
        var device = await (await http.PostJsonAsync("/api/v1/devices", new { name = "Button", kind = "ButtonSmart", locationId = location.Id, staffMemberId = staff.Id }))
            .ReadAsync<DeviceWithToken>(HttpStatusCode.Created);
        var otherDevice = await (await http.PostJsonAsync("/api/v1/devices", new { name = "Button 2", kind = "ButtonStart", locationId = other.Id }))
            .ReadAsync<DeviceWithToken>(HttpStatusCode.Created);
        var user = await (await http.PostJsonAsync("/api/v1/users", new
        {
            email = $"manager-{Guid.NewGuid():N}@test.otklik", displayName = "Manager", role = "LocationManager", password = TestOrg.Password, locationIds = new[] { location.Id },
        })).ReadAsync<UserDto>(HttpStatusCode.Created);
        var key = await (await http.PostJsonAsync("/api/v1/api-keys", new { name = "Script", role = "Viewer" })).ReadAsync<ApiKeyWithSecret>(HttpStatusCode.Created);
        var reason = await (await http.PostJsonAsync("/api/v1/reasons", new { kind = "Negative", nameRu = "Долго", nameEn = "Slow" })).ReadAsync<ReasonDto>(HttpStatusCode.Created);
        var created = await (await http.PostJsonAsync("/api/v1/feedback", new
        {
            locationId = location.Id, channel = "CallCentre", sentiment = "Negative", reasonIds = new[] { reason.Id }, text = "Slow service",
            attachments = new[] { Convert.ToBase64String(Files.Png) }, attachmentConsent = true,
        })).ReadAsync<FeedbackCreated>(HttpStatusCode.Created);
        var feedback = await (await http.GetAsync($"/api/v1/feedback/{created.Id}")).ReadAsync<FeedbackDto>();
        return new Seed(org, group, location, other, staff, otherStaff, shift, otherShift, device, otherDevice, user, key, reason, feedback);
    }

    public static bool ContainsAny(string body, IEnumerable<Guid> ids) =>
        ids.Any(id => body.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase));

    public static JsonElement Parse(string body) => JsonDocument.Parse(body).RootElement;
}
