namespace Parley.Core.Auth;

/// <summary>Password hashing, implemented by the host with ASP.NET Core's PasswordHasher (keeps Core free of ASP.NET).</summary>
public interface IPasswordHashing
{
    string Hash(string password);

    /// <summary>True if the password matches; <paramref name="rehash"/> when the hash should be upgraded.</summary>
    bool Verify(string hash, string password, out bool rehash);
}
