using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.BrowserTests.Infrastructure;

/// <summary>
/// One real Parley server and one Debian Chromium shared by every browser test (they run one after another in one
/// collection); each test makes its own users and browser contexts, so they stay independent.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Longest wait for anything on a page.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>The server's limit for plain files in these tests, small so a refusal is quick to provoke.</summary>
    public const int MaxFileBytes = 256 * 1024;

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
    ];

    private IPlaywright? _playwright;
    private int _users;

    public ParleyTestServer Server { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: <c>artifacts/screenshots</c> at the repository root (git-ignored).</summary>
    public string ScreenshotDirectory { get; } = FindScreenshotDirectory();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does it)");
        Server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            // the browser tests drive many sends per second from one loopback address
            ["Parley:Connections:RatePerSecond"] = "200",
            ["Parley:Connections:RateBurst"] = "1000",
            ["Parley:Files:MaxFileBytes"] = MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        _playwright = await Playwright.CreateAsync().WaitAsync(Timeout);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Args = ChromiumArgs,
            Headless = true,
            Timeout = (float)Timeout.TotalMilliseconds * 3,
        });
        Directory.CreateDirectory(ScreenshotDirectory);
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout((float)Timeout.TotalMilliseconds);
    }

    /// <summary>A unique account name for this run (the server is shared by all tests).</summary>
    public string NewAccount(string name) => $"{name}{Interlocked.Increment(ref _users)}";

    /// <summary>A fresh browser profile (own storage) at desktop or phone size, watching for page errors.</summary>
    public async Task<UserPage> OpenAsync(bool phone = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseUri.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 820 },
            DeviceScaleFactor = phone ? 2 : 1,
            IsMobile = phone,
            HasTouch = phone,
            Locale = "en-GB",
            TimezoneId = "Europe/London",
        }).WaitAsync(Timeout);
        context.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)Timeout.TotalMilliseconds);
        var page = await context.NewPageAsync().WaitAsync(Timeout);
        return new UserPage(this, context, page);
    }

    /// <summary>Makes two accounts friends through the REST API (for tests about something else).</summary>
    public async Task BefriendAsync(TestUser a, TestUser b)
    {
        using var ha = Server.CreateHttpClient(a.Token);
        using var hb = Server.CreateHttpClient(b.Token);
        var request = await ha.PostAsJsonAsync("api/friends/requests", new { user = b.Account }).WaitAsync(Timeout);
        request.EnsureSuccessStatusCode();
        var id = (await request.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(Timeout)).GetProperty("id").GetInt64();
        (await hb.PostAsync($"api/friends/requests/{id}/accept", null).WaitAsync(Timeout)).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync().WaitAsync(Timeout);
        _playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }

    private static string FindScreenshotDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("PARLEY_SCREENSHOTS");
        if (!string.IsNullOrEmpty(configured)) return Path.GetFullPath(configured);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parley.slnx"))) return Path.Combine(dir.FullName, "artifacts", "screenshots");
        }
        return Path.Combine(AppContext.BaseDirectory, "screenshots");
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
