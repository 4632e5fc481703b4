using System.Diagnostics;
using System.Text.Json;

namespace Parley.Tests.Shared;

/// <summary>
/// A real S3-compatible server (npm s3rver, from tests/js) on 127.0.0.1 with a free port and its own temporary
/// directory, with one bucket. Stops when disposed (its stdin closes; killed if it does not exit).
/// </summary>
public sealed class S3rverProcess : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private readonly Process _process;
    private readonly string _directory;

    private S3rverProcess(Process process, string directory, int port, string bucket)
    {
        _process = process;
        _directory = directory;
        ServiceUrl = $"http://127.0.0.1:{port}";
        Bucket = bucket;
    }

    public string ServiceUrl { get; }
    public string Bucket { get; }

    public static async Task<S3rverProcess> StartAsync(string bucket = "parley")
    {
        var scripts = FindScripts();
        if (!Directory.Exists(Path.Combine(scripts, "node_modules", "s3rver")))
            throw new InvalidOperationException("run 'npm ci' in tests/js first (test.sh does)");
        var directory = Path.Combine(Path.GetTempPath(), "parley-s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = scripts,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("s3rver.js");
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add(bucket);
        var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line is null) throw new InvalidOperationException("s3rver exited: " + await errors.WaitAsync(TimeSpan.FromSeconds(5)));
            var port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();
            return new S3rverProcess(process, directory, port, bucket);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    private static string FindScripts()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "js");
            if (File.Exists(Path.Combine(candidate, "s3rver.js"))) return candidate;
        }
        throw new InvalidOperationException("tests/js/s3rver.js not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
