using Microsoft.Extensions.Options;

namespace Parley.Server.Web;

/// <summary>The chat page served at <c>/</c> (settings under <c>Parley:Web</c>).</summary>
public sealed class WebPageOptions
{
    public const string Section = "Parley:Web";

    /// <summary>Serve the page at all (an API-only node may turn it off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Folder with <c>index.html</c>. Empty: the <c>wwwroot</c> folder the build copies next to the server binary.
    /// Point it at the repository's <c>web/</c> folder to edit the page without rebuilding.
    /// </summary>
    public string? Root { get; set; }

    /// <summary>On, with a page to serve.</summary>
    internal bool IsServed => Enabled && File.Exists(Path.Combine(ResolvedRoot, "index.html"));

    internal string ResolvedRoot => string.IsNullOrWhiteSpace(Root)
        ? Path.Combine(AppContext.BaseDirectory, "wwwroot")
        : Path.GetFullPath(Root);
}

/// <summary>A configured root must exist; the default one may be missing (a build without the page), which only disables it.</summary>
public sealed class WebPageOptionsValidation : IValidateOptions<WebPageOptions>
{
    public ValidateOptionsResult Validate(string? name, WebPageOptions options) =>
        options.Enabled && !string.IsNullOrWhiteSpace(options.Root) && !File.Exists(Path.Combine(options.ResolvedRoot, "index.html"))
            ? ValidateOptionsResult.Fail($"Parley:Web:Root: no index.html in {options.ResolvedRoot}")
            : ValidateOptionsResult.Success;
}
