using Microsoft.AspNetCore.Identity;
using Parley.Core.Auth;

namespace Parley.Server.Auth;

/// <summary>ASP.NET Core Identity's PasswordHasher (PBKDF2, versioned format, rehash on upgrade).</summary>
public sealed class AspNetPasswordHashing : IPasswordHashing
{
    private static readonly object User = new();
    private readonly PasswordHasher<object> _hasher = new();

    public string Hash(string password) => _hasher.HashPassword(User, password);

    public bool Verify(string hash, string password, out bool rehash)
    {
        rehash = false;
        PasswordVerificationResult result;
        try { result = _hasher.VerifyHashedPassword(User, hash, password); }
        catch (FormatException) { return false; }
        rehash = result == PasswordVerificationResult.SuccessRehashNeeded;
        return result != PasswordVerificationResult.Failed;
    }
}
