using System.Security.Cryptography;

namespace Parley.Core.Auth;

/// <summary>
/// The development signing key: generated on first run and kept in the data directory so tokens survive restarts.
/// No key ever lives in the repository.
/// </summary>
public static class SigningKeyFile
{
    public const string FileName = "signing.key";

    public static byte[] LoadOrCreate(string dataDirectory, out string path, out bool created)
    {
        Directory.CreateDirectory(dataDirectory);
        path = Path.GetFullPath(Path.Combine(dataDirectory, FileName));
        created = false;
        if (File.Exists(path))
        {
            var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
            if (key.Length >= 32) return key;
        }
        var fresh = RandomNumberGenerator.GetBytes(64);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, Convert.ToBase64String(fresh));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: true);
        created = true;
        return fresh;
    }
}
