using Parley.Abstractions.Calls;
using Parley.Abstractions.Model;
using Parley.Core.Auth;
using Parley.Core.Clients;
using Parley.Core.Options;

namespace Parley.Core.Tests;

internal static class ClientHarnessExtensions
{
    public const string Secret = "kiosk-secret-0123456789";

    /// <summary>A kind named "kiosk" (and "screen", which refuses duplicates and allows users) with test secrets.</summary>
    public static void WithKinds(ParleyOptions o, Action<ClientKindOptions>? kiosk = null)
    {
        var k = new ClientKindOptions { Secret = Secret };
        kiosk?.Invoke(k);
        o.Clients.Kinds["kiosk"] = k;
        o.Clients.Kinds["screen"] = new ClientKindOptions { Secret = Secret + "-screen", OnDuplicate = DuplicateClientPolicy.RejectNew, AllowUser = true };
    }

    public static AuthenticatedClient ClientIdentity(this EngineHarness h, string kind, string id, Account? user = null) =>
        new(new ClientIdentity(kind, id), h.Get<ClientKinds>().Find(kind)!,
            user is null ? null : new AuthenticatedUser(user, Guid.NewGuid().ToString("N"), DateTimeOffset.MaxValue),
            Guid.NewGuid().ToString("N"), DateTimeOffset.MaxValue);

    /// <summary>Opens a client connection that can take calls, as the native transport does.</summary>
    public static FakeTransport ConnectClient(this EngineHarness h, string kind, string id, Account? user = null)
    {
        var connection = h.Engine.OpenClient(h.ClientIdentity(kind, id, user), "fake", "test")
            ?? throw new InvalidOperationException("refused as a duplicate");
        connection.EnableCalls();
        return new FakeTransport(h.Engine, connection);
    }
}
