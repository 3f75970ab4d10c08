using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Browser;

/// <summary>
/// A real Otklik (on Kestrel) plus Debian's Chromium driven by Playwright. Never downloads a browser: the executable
/// comes from OTKLIK_CHROMIUM (./test.sh sets it), else /usr/bin/chromium.
/// </summary>
public class BrowserFixture<TApp> : IAsyncLifetime where TApp : OtklikApp, new()
{
    public const string ChromiumVariable = "OTKLIK_CHROMIUM";

    private IPlaywright? _playwright;

    public TApp App { get; } = new();
    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(15_000);
        await App.InitializeAsync();
        var executable = Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(executable))
            throw new InvalidOperationException($"Chromium not found at {executable}. Install Debian's chromium (./test.sh does) or set {ChromiumVariable}.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", .. ExtraArgs],
        });
    }

    /// <summary>More Chromium flags for a fixture that needs them (e.g. a fake microphone).</summary>
    protected virtual IEnumerable<string> ExtraArgs => [];

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>A page in a fresh browser context (its own cookies), English unless told otherwise.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900, string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = App.BaseAddress.ToString(),
            ViewportSize = new() { Width = width, Height = height },
            Locale = locale,
            TimezoneId = "UTC",
        });
        // Blazor Server can take a moment on 2 shared cores; fail with a clear message instead of hanging.
        context.SetDefaultTimeout(15_000);
        // A page load waits for every script and style sheet: under a loaded machine (the first load of a class after its
        // app started, with a bench rebuilding next to it) 15 s ran out twice in one full run.
        context.SetDefaultNavigationTimeout(30_000);
        var page = await context.NewPageAsync();
        // Browser errors (a failed circuit, a script error) end up in the test output.
        page.Console += (_, message) => { if (message.Type is "error" or "warning") Console.Error.WriteLine($"[browser {message.Type}] {message.Text}"); };
        page.PageError += (_, error) => Console.Error.WriteLine($"[browser page error] {error}");
        return page;
    }
}

public sealed class SqliteBrowser : BrowserFixture<SqliteApp>;

public sealed class PostgresBrowser : BrowserFixture<PostgresApp>;

/// <summary>What a person does in the browser, shared by the browser tests.</summary>
public static partial class BrowserSteps
{
    /// <summary>Signs in through the plain form on /login and waits until the interactive app is ready.</summary>
    public static async Task SignInAsync(this IPage page, string email, string password = TestOrg.Password, string returnTo = "/")
    {
        await page.GotoAsync("/login?returnUrl=" + Uri.EscapeDataString(returnTo));
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#sign-in").ClickAsync();
        await Assertions.Expect(page).Not.ToHaveURLAsync(LoginUrl());
        await page.WaitForInteractiveAsync();
    }

    /// <summary>Opens a page of the app and waits until its Blazor circuit is connected, so clicks reach the server.</summary>
    public static async Task GotoInteractiveAsync(this IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.WaitForInteractiveAsync();
    }

    /// <summary>Prerendered markup shows up before the circuit is connected, and a click then does nothing: wait for the layout's marker.</summary>
    public static Task WaitForInteractiveAsync(this IPage page) =>
        Assertions.Expect(page.Locator("#app-interactive")).ToBeAttachedAsync();

    /// <summary>Picks an item of a MudSelect by its text: open the select, click the item in the popover.</summary>
    public static async Task SelectAsync(this IPage page, string selectId, string itemText)
    {
        await page.Locator($"#{selectId}").Locator("xpath=ancestor::div[contains(@class,'mud-select')][1]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = itemText }).First.ClickAsync();
    }

    /// <summary>
    /// Saves a full-page PNG as a test artifact in TestResults/screenshots/ at the repository root
    /// (or in OTKLIK_SCREENSHOTS when set). Returns the file's path.
    /// </summary>
    public static async Task<string> ScreenshotAsync(this IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, FileSafe().Replace(name, "-") + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    public static string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("OTKLIK_SCREENSHOTS") is { Length: > 0 } folder
        ? folder
        : Path.Combine(RepositoryRoot(), "TestResults", "screenshots");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Otklik.slnx"))) return dir.FullName;
        return AppContext.BaseDirectory;
    }

    private static Regex LoginUrl() => new("/login", RegexOptions.IgnoreCase);

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex FileSafe();
}
