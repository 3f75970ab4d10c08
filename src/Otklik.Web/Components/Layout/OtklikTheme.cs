using MudBlazor;

namespace Otklik.Web.Components.Layout;

public static class OtklikTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#2E7D5B",
            Secondary = "#C62828",
            AppbarBackground = "#2E7D5B",
            Success = "#2E7D32",
            Error = "#C62828",
        },
    };
}
