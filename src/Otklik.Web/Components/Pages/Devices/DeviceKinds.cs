using Microsoft.Extensions.Localization;
using Otklik.Web.Features.Devices;
using Otklik.Web.Localization;

namespace Otklik.Web.Components.Pages.Devices;

public static class DeviceKinds
{
    public static string Label(DeviceKind kind, IStringLocalizer<Ui> l) => kind switch
    {
        DeviceKind.ButtonSmart => l["SMART button (Wi-Fi/LTE)"],
        DeviceKind.ButtonStart => l["START button (USB)"],
        DeviceKind.VisitorCounter => l["Visitor counter"],
        DeviceKind.SellerButton => l["Seller button"],
        DeviceKind.Kiosk => l["Kiosk"],
        _ => kind.ToString(),
    };
}
