using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Parley.Core.Clients;
using Parley.Core.Options;

namespace Parley.Server.Hosting;

/// <summary>Validates every options section at start, so a bad setting stops the server with a clear message.</summary>
public sealed class ParleyOptionsValidation : IValidateOptions<ParleyOptions>
{
    public ValidateOptionsResult Validate(string? name, ParleyOptions options)
    {
        var failures = new List<string>();
        Check(options.Connections, "Parley:Connections", failures);
        Check(options.Messaging, "Parley:Messaging", failures);
        Check(options.Auth, "Parley:Auth", failures);
        Check(options.Cluster, "Parley:Cluster", failures);
        Check(options.Clients, "Parley:Clients", failures);
        ValidateClientKinds(options.Clients, failures);
        Check(options.Files, "Parley:Files", failures);
        failures.AddRange(options.Files.Problems());
        if (string.IsNullOrWhiteSpace(options.DataDirectory)) failures.Add("Parley:DataDirectory is required");
        if (options.Auth.SigningKey is { Length: > 0 } key)
        {
            try
            {
                if (Convert.FromBase64String(key).Length < 32) failures.Add("Parley:Auth:SigningKey must be at least 32 bytes (base64)");
            }
            catch (FormatException)
            {
                failures.Add("Parley:Auth:SigningKey must be base64");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Messages name settings, never secret values.
    private static void ValidateClientKinds(ClientsOptions clients, List<string> failures)
    {
        if (clients.DefaultCallTimeoutMs > clients.MaxCallTimeoutMs)
            failures.Add("Parley:Clients:DefaultCallTimeoutMs must not exceed Parley:Clients:MaxCallTimeoutMs");
        foreach (var (name, kind) in clients.Kinds)
        {
            var path = $"Parley:Clients:Kinds:{name}";
            if (!ClientKinds.IsValidKindName(name))
                failures.Add($"{path}: a kind name is 1-32 of a-z 0-9 _ . - starting with a letter, and not '{Abstractions.Calls.ClientQueryKinds.Users}'");
            Check(kind, path, failures);
            var plain = !string.IsNullOrEmpty(kind.Secret);
            var hashed = !string.IsNullOrEmpty(kind.SecretSha256);
            if (plain == hashed) failures.Add($"{path}: set exactly one of Secret and SecretSha256");
            else if (plain && kind.Secret!.Length < 16) failures.Add($"{path}:Secret must be at least 16 characters");
            else if (hashed && (kind.SecretSha256!.Length != 64 || !kind.SecretSha256.All(Uri.IsHexDigit)))
                failures.Add($"{path}:SecretSha256 must be 64 hex digits (the SHA-256 of the secret)");
        }
    }

    private static void Check(object section, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true)) return;
        failures.AddRange(results.Select(r => $"{path}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
    }
}
