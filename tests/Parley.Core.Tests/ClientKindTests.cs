using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Stores;
using Parley.Core.Auth;
using Parley.Core.Clients;
using Parley.Core.Messaging;
using Parley.Core.Options;
using Parley.Core.Services;
using Parley.Core.Sessions;

namespace Parley.Core.Tests;

/// <summary>Client kinds: tokens, the identity index, duplicates, what a connection without a user may do.</summary>
public sealed class ClientKindTests
{
    [Fact]
    public async Task Client_tokens_are_issued_for_the_right_secret_only_and_validate_as_clients()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var auth = h.Get<ClientAuthService>();
        var tokens = h.Get<TokenService>();

        var issued = auth.Issue("kiosk", "k-1", ClientHarnessExtensions.Secret, null);
        var (client, failure) = await tokens.ValidateClientAsync(issued.Token);
        Assert.Equal(TokenFailure.None, failure);
        Assert.Equal(new ClientIdentity("kiosk", "k-1"), client!.Identity);
        Assert.Null(client.User);

        var refused = Assert.Throws<ParleyException>(() => auth.Issue("kiosk", "k-1", ClientHarnessExtensions.Secret + "x", null));
        Assert.Equal(ParleyErrorKind.Unauthorized, refused.Kind);
        // Unknown kind: the same refusal.
        Assert.Equal(refused.Message, Assert.Throws<ParleyException>(() => auth.Issue("ghost", "k-1", ClientHarnessExtensions.Secret, null)).Message);
        Assert.Equal(ParleyErrorKind.Validation, Assert.Throws<ParleyException>(() => auth.Issue("kiosk", "bad id", ClientHarnessExtensions.Secret, null)).Kind);
        Assert.Equal(ParleyErrorKind.Validation, Assert.Throws<ParleyException>(() => auth.Issue("kiosk", new string('a', 65), ClientHarnessExtensions.Secret, null)).Kind);
        Assert.Equal(ParleyErrorKind.Unauthorized, Assert.Throws<ParleyException>(() => auth.Issue("kiosk", "k-1", null, null)).Kind);

        // A client token is not a user token, and the other way round.
        Assert.Equal(TokenFailure.Invalid, (await tokens.ValidateAsync(issued.Token)).Failure);
        await h.UserAsync("alice");
        var login = await h.Get<AccountService>().LoginAsync("alice", "password123", default);
        Assert.Equal(TokenFailure.Invalid, (await tokens.ValidateClientAsync(login.Token)).Failure);
    }

    [Fact]
    public async Task A_token_names_a_user_only_where_the_kind_allows_it_and_follows_the_user_state()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var alice = await h.UserAsync("alice");
        var auth = h.Get<ClientAuthService>();
        Assert.Equal(ParleyErrorKind.Forbidden, Assert.Throws<ParleyException>(() => auth.Issue("kiosk", "k1", ClientHarnessExtensions.Secret, alice)).Kind);

        var issued = auth.Issue("screen", "s1", ClientHarnessExtensions.Secret + "-screen", alice);
        Assert.Equal(alice.Id, issued.UserId);
        var outcome = await h.Engine.AuthenticateAnyAsync(issued.Token, "ws", null, default);
        Assert.Equal(alice.Id, outcome.User!.Account.Id);
        Assert.Equal("s1", outcome.Client!.Identity.Id);

        await h.Get<AccountService>().SetDisabledAsync(alice.Id, true, default);
        Assert.Equal(TokenFailure.AccountDisabled, (await h.Get<TokenService>().ValidateClientAsync(issued.Token)).Failure);
    }

    [Fact]
    public async Task Logout_revokes_the_client_token_and_closes_its_connection()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var tokens = h.Get<TokenService>();
        var issued = h.Get<ClientAuthService>().Issue("kiosk", "k1", ClientHarnessExtensions.Secret, null);
        var (client, _) = await tokens.ValidateClientAsync(issued.Token);
        var connection = h.Engine.OpenClient(client!, "fake", null)!;

        await h.Get<ClientAuthService>().LogoutAsync(client!, default);
        Assert.Equal(DisconnectCode.LoggedOut, connection.CloseCode);
        Assert.Equal(TokenFailure.Revoked, (await tokens.ValidateClientAsync(issued.Token)).Failure);
        Assert.Contains(client!.TokenId, await h.Get<IAccountStore>().GetRevokedTokensAsync(DateTimeOffset.UtcNow, default));
    }

    [Fact]
    public async Task Rotating_a_kind_secret_invalidates_its_tokens()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var issued = h.Get<ClientAuthService>().Issue("kiosk", "k1", ClientHarnessExtensions.Secret, null);
        var options = h.Get<ParleyOptions>();
        var key = SigningKeyFile.LoadOrCreate(options.DataDirectory, out _, out _);

        var rotated = new ParleyOptions { DataDirectory = options.DataDirectory };
        ClientHarnessExtensions.WithKinds(rotated, k => k.Secret = "a-brand-new-secret-value");
        var after = new TokenService(key, options.Auth, h.Get<AccountDirectory>(), h.Get<IAccountStore>(), TimeProvider.System, new ClientKinds(rotated));
        Assert.Equal(TokenFailure.Revoked, (await after.ValidateClientAsync(issued.Token)).Failure);

        // The same secret given as its SHA-256 keeps the tokens valid.
        var hashed = new ParleyOptions { DataDirectory = options.DataDirectory };
        ClientHarnessExtensions.WithKinds(hashed, k => (k.Secret, k.SecretSha256) = (null,
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ClientHarnessExtensions.Secret)))));
        var same = new TokenService(key, options.Auth, h.Get<AccountDirectory>(), h.Get<IAccountStore>(), TimeProvider.System, new ClientKinds(hashed));
        Assert.Equal(TokenFailure.None, (await same.ValidateClientAsync(issued.Token)).Failure);
        Assert.True(new ClientKinds(hashed).Find("kiosk")!.VerifySecret(ClientHarnessExtensions.Secret));
    }

    [Fact]
    public async Task A_second_login_replaces_the_first_or_is_refused_by_kind()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var registry = h.Get<SessionRegistry>();
        var first = h.ConnectClient("kiosk", "k1");
        var second = h.ConnectClient("kiosk", "k1");
        Assert.Equal(DisconnectCode.Replaced, first.Connection.CloseCode);
        Assert.Same(second.Connection, registry.GetClient(new ClientIdentity("kiosk", "k1")));
        // The replaced connection's transport ends later: the newer registration stays.
        first.Disconnect();
        Assert.Same(second.Connection, registry.GetClient(new ClientIdentity("kiosk", "k1")));
        Assert.Equal(1, registry.Count);

        var screen = h.ConnectClient("screen", "s1");
        Assert.Null(h.Engine.OpenClient(h.ClientIdentity("screen", "s1"), "fake", null));
        Assert.False(screen.Connection.IsClosed);
        screen.Disconnect();
        Assert.NotNull(h.Engine.OpenClient(h.ClientIdentity("screen", "s1"), "fake", null));
    }

    [Fact]
    public async Task Client_connections_are_indexed_by_identity_and_users_by_user()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var registry = h.Get<SessionRegistry>();
        var alice = await h.UserAsync("alice");
        var device = h.ConnectClient("kiosk", "k1");
        var withUser = h.ConnectClient("screen", "s1", alice);
        var plain = h.Connect(alice);

        Assert.Equal(3, registry.Count);
        Assert.Equal(3, registry.All().Count);
        Assert.Equal([withUser.Connection, plain.Connection], registry.Get(alice.Id));
        Assert.Empty(registry.Get(0));
        Assert.False(device.Connection.HasUser);
        Assert.NotNull(ChatEngine.ChatRefusal(device.Connection, "r1"));
        Assert.Null(ChatEngine.ChatRefusal(withUser.Connection, "r1"));

        device.Disconnect();
        withUser.Disconnect();
        Assert.Equal([plain.Connection], registry.Get(alice.Id));
        Assert.Null(registry.GetClient(new ClientIdentity("screen", "s1")));
        Assert.Equal(1, registry.Count);
    }

    [Fact]
    public async Task Kinds_carry_their_own_limits()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o, k =>
        {
            k.RatePerSecond = 1;
            k.RateBurst = 2;
            k.FloodDropThreshold = 3;
            k.HeartbeatMs = 2000;
            k.IdleTimeoutMs = 4000;
        }));
        var kiosk = h.ConnectClient("kiosk", "k1").Connection;
        Assert.Equal(2000, kiosk.HeartbeatMs);
        Assert.Equal(TimeSpan.FromMilliseconds(4000), kiosk.IdleTimeout);
        Assert.True(kiosk.TryAdmit());
        Assert.True(kiosk.TryAdmit());
        Assert.False(kiosk.TryAdmit());
        Assert.Equal(FrameAdmission.RateLimited, kiosk.Reject());
        Assert.Equal(FrameAdmission.RateLimited, kiosk.Reject());
        Assert.Equal(FrameAdmission.RateLimited, kiosk.Reject());
        Assert.Equal(FrameAdmission.Flooding, kiosk.Reject());
        Assert.Equal(DisconnectCode.Flooding, kiosk.CloseCode);

        var alice = await h.UserAsync("alice");
        var user = h.Connect(alice).Connection;
        Assert.Null(user.IdleTimeout);
        Assert.Equal(h.Get<ParleyOptions>().Connections.HeartbeatMs, user.HeartbeatMs);
    }

    [Theory]
    [InlineData("kiosk", true)]
    [InlineData("queue-screen.v2", true)]
    [InlineData("Kiosk", false)]
    [InlineData("1kiosk", false)]
    [InlineData("user", false)]
    [InlineData("", false)]
    [InlineData("a23456789012345678901234567890123", false)]
    public void Kind_names_follow_the_rules(string name, bool valid) => Assert.Equal(valid, ClientKinds.IsValidKindName(name));
}
