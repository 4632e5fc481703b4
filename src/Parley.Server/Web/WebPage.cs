using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Parley.Server.Web;

/// <summary>
/// Serves the chat page: static files with revalidation caching and strict security headers, and
/// <c>index.html</c> for page routes (<c>/c/d:1:2</c>, <c>/friends</c>) but never for API, socket or file paths.
/// </summary>
public static class WebPage
{
    /// <summary>
    /// Everything the page loads comes from this origin; images and media may also be blob: (the page reads a
    /// picture's size and a clip's length locally before uploading).
    /// No inline script or style at all.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; media-src 'self' blob:; " +
        "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    /// <summary>Paths owned by the server: an unknown path under these is a 404, never the page.</summary>
    private static readonly string[] ServerPrefixes =
        ["/api", "/ws", "/stomp", "/websocket", "/openapi", "/swagger", "/health", "/metrics"];

    public static IServiceCollection AddParleyWebPage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebPageOptions>().Bind(configuration.GetSection(WebPageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebPageOptions>, WebPageOptionsValidation>();
        return services;
    }

    /// <summary>Static files of the page; call early so assets skip authentication and the API pipeline.</summary>
    public static WebApplication UseParleyWebPage(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<WebPageOptions>>().Value;
        if (!options.IsServed) return app;
        var files = new PhysicalFileProvider(options.ResolvedRoot);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // index.html is served by the routes below, with the page's headers.
            OnPrepareResponse = ctx => SetHeaders(ctx.Context.Response, ctx.File.Name.EndsWith(".html", StringComparison.OrdinalIgnoreCase)),
        });
        return app;
    }

    /// <summary>Maps <c>/</c> and the page-route fallback to index.html.</summary>
    public static WebApplication MapParleyWebPage(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<WebPageOptions>>().Value;
        var index = Path.Combine(options.ResolvedRoot, "index.html");
        if (!options.IsServed)
        {
            app.MapGet("/", () => Results.Redirect("/swagger")).ExcludeFromDescription();
            return app;
        }
        app.MapGet("/", (HttpContext http) => ServeIndex(http, index)).ExcludeFromDescription();
        // GET and HEAD only, and last: a MapFallback (any method) would also catch requests that a real endpoint
        // turned down in routing (a POST without a body's content type), hiding their 400/415 behind a 404.
        // "nonfile" leaves paths with a file name to the static files (a selected endpoint would switch them off).
        app.MapMethods("/{**path:nonfile}", [HttpMethods.Get, HttpMethods.Head], (HttpContext http) =>
            IsPageRoute(http.Request) ? ServeIndex(http, index) : Results.Problem(statusCode: 404, title: "Not Found", detail: "no such resource"))
            .WithOrder(int.MaxValue).ExcludeFromDescription();
        return app;
    }

    /// <summary>GET/HEAD of a path outside the server's own prefixes whose last segment is not a file name.</summary>
    internal static bool IsPageRoute(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)) return false;
        var path = request.Path.Value ?? "/";
        foreach (var prefix in ServerPrefixes)
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && (path.Length == prefix.Length || path[prefix.Length] == '/')) return false;
        }
        var last = path[(path.LastIndexOf('/') + 1)..];
        return !last.Contains('.');
    }

    private static IResult ServeIndex(HttpContext http, string index)
    {
        var info = new FileInfo(index);
        SetHeaders(http.Response, html: true);
        var tag = new EntityTagHeaderValue($"\"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}\"");
        return Results.File(index, "text/html; charset=utf-8", lastModified: info.LastWriteTimeUtc, entityTag: tag);
    }

    private static void SetHeaders(HttpResponse response, bool html)
    {
        var headers = response.Headers;
        // Files keep their names between versions (no build step), so every use revalidates by ETag: a 304 is cheap,
        // and a new deployment is picked up at once.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        // Media URLs carry the access token in the query; never leak it in a Referer.
        headers["Referrer-Policy"] = "no-referrer";
        if (!html) return;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
    }
}
