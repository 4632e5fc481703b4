using System.Net;
using System.Net.Http.Headers;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

/// <summary>How the server serves the chat page: files, page routes, caching, security headers.</summary>
public sealed class WebPageTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ParleyTestServer.StartAsync();
        _http = _server.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        configure?.Invoke(request);
        return await _http.SendAsync(request).WaitAsync(TestSocket.Timeout);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/login")]
    [InlineData("/register")]
    [InlineData("/c/d:1:2")]
    [InlineData("/c/g%3A7")]
    [InlineData("/some/deep/page")]
    public async Task Page_routes_get_the_page_with_a_strict_policy(string path)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"/js/main.js\">", await response.Content.ReadAsStringAsync());
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl?.NoCache);
    }

    [Theory]
    [InlineData("/api/nothing-here")]
    [InlineData("/api")]
    [InlineData("/ws/extra")]
    [InlineData("/stomp/x/y")]
    [InlineData("/health/nope")]
    [InlineData("/metrics/x")]
    [InlineData("/openapi/none")]
    [InlineData("/js/missing.js")]
    [InlineData("/favicon.ico")]
    public async Task Server_paths_and_missing_files_are_404_not_the_page(string path)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("<!doctype html>", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Posting_to_a_page_route_is_not_the_page()
    {
        using var response = await _http.PostAsync("/c/d:1:2", new StringContent("x")).WaitAsync(TestSocket.Timeout);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Scripts_and_styles_are_served_with_revalidation()
    {
        using var script = await GetAsync("/js/main.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.True(script.Headers.CacheControl?.NoCache);
        Assert.Equal("nosniff", Assert.Single(script.Headers.GetValues("X-Content-Type-Options")));
        var etag = script.Headers.ETag;
        Assert.NotNull(etag);

        using var again = await GetAsync("/js/main.js", r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);

        using var page = await GetAsync("/");
        using var pageAgain = await GetAsync("/", r => r.Headers.IfNoneMatch.Add(page.Headers.ETag!));
        Assert.Equal(HttpStatusCode.NotModified, pageAgain.StatusCode);

        using var css = await GetAsync("/css/app.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_api_and_swagger_still_answer_beside_the_page()
    {
        using var swagger = await GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, swagger.StatusCode);
        using var me = await GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        using var health = await GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_configured_page_folder_without_index_stops_the_server_at_start()
    {
        var empty = Directory.CreateTempSubdirectory("parley-web-").FullName;
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => ParleyTestServer.StartAsync(new Dictionary<string, string?> { ["Parley:Web:Root"] = empty }));
            Assert.Contains("Parley:Web:Root", error.ToString());
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task A_server_with_the_page_off_sends_the_root_to_swagger()
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?> { ["Parley:Web:Enabled"] = "false" });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseUri };
        using var root = await http.GetAsync("/").WaitAsync(TestSocket.Timeout);
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/swagger", root.Headers.Location?.ToString());
        using var script = await http.GetAsync("/js/main.js").WaitAsync(TestSocket.Timeout);
        Assert.Equal(HttpStatusCode.NotFound, script.StatusCode);
    }
}
