using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
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

    private static void Check(object section, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true)) return;
        failures.AddRange(results.Select(r => $"{path}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
    }
}
