using Parley.Abstractions;
using Parley.Core.Auth;
using Parley.Core.Services;

namespace Parley.Core.Tests;

public sealed class AuthTests
{
    [Fact]
    public async Task Tokens_are_refused_after_logout_disable_or_tampering()
    {
        await using var h = await EngineHarness.StartAsync();
        var accounts = h.Get<AccountService>();
        var tokens = h.Get<TokenService>();
        await h.UserAsync("alice");
        var login = await accounts.LoginAsync("ALICE", "password123", default);
        var (user, failure) = await tokens.ValidateAsync(login.Token);
        Assert.Equal(TokenFailure.None, failure);
        Assert.Equal("alice", user!.Account.Name);

        Assert.Equal(TokenFailure.Invalid, (await tokens.ValidateAsync(login.Token[..^2] + "xx")).Failure);
        Assert.Equal(TokenFailure.Missing, (await tokens.ValidateAsync(null)).Failure);

        var connection = h.Connect(user.Account, user.TokenId);
        await accounts.LogoutAsync(user.Account.Id, user.TokenId, user.ExpiresAt, everywhere: false, default);
        Assert.Equal(TokenFailure.Revoked, (await tokens.ValidateAsync(login.Token)).Failure);
        Assert.Equal(DisconnectCode.LoggedOut, connection.Connection.CloseCode);

        var second = await accounts.LoginAsync("alice", "password123", default);
        await accounts.SetDisabledAsync(user.Account.Id, true, default);
        Assert.Equal(TokenFailure.AccountDisabled, (await tokens.ValidateAsync(second.Token)).Failure);
        await Assert.ThrowsAsync<ParleyException>(() => accounts.LoginAsync("alice", "password123", default));
        await accounts.SetDisabledAsync(user.Account.Id, false, default);
        // Disabling revoked every token issued before it.
        Assert.Equal(TokenFailure.Revoked, (await tokens.ValidateAsync(second.Token)).Failure);
        Assert.Equal(TokenFailure.None, (await tokens.ValidateAsync((await accounts.LoginAsync("alice", "password123", default)).Token)).Failure);
    }

    [Fact]
    public async Task Credentials_may_be_a_password_or_a_token_of_that_account()
    {
        await using var h = await EngineHarness.StartAsync();
        await h.UserAsync("alice");
        await h.UserAsync("bob");
        var token = (await h.Get<AccountService>().LoginAsync("alice", "password123", default)).Token;
        Assert.True((await h.Engine.AuthenticateCredentialAsync("alice", "password123", "t", null, default)).Succeeded);
        Assert.True((await h.Engine.AuthenticateCredentialAsync("alice", token, "t", null, default)).Succeeded);
        Assert.False((await h.Engine.AuthenticateCredentialAsync("bob", token, "t", null, default)).Succeeded);
        Assert.False((await h.Engine.AuthenticateCredentialAsync("alice", "wrong-password", "t", null, default)).Succeeded);
        Assert.False((await h.Engine.AuthenticateCredentialAsync("ghost", "password123", "t", null, default)).Succeeded);
    }

    private sealed class FrozenTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task Revoking_all_tokens_cuts_within_the_same_millisecond_and_later_logins_still_work()
    {
        await using var h = await EngineHarness.StartAsync(services: s =>
            Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<TimeProvider>(s, new FrozenTime(DateTimeOffset.UtcNow)));
        var accounts = h.Get<AccountService>();
        var tokens = h.Get<TokenService>();
        var alice = await h.UserAsync("alice");
        var before = await accounts.LoginAsync("alice", "password123", default);
        var (user, _) = await tokens.ValidateAsync(before.Token);
        await accounts.LogoutAsync(alice.Id, user!.TokenId, user.ExpiresAt, everywhere: true, default);
        var concurrent = await accounts.LoginAsync("alice", "password123", default);
        Assert.Equal(TokenFailure.Revoked, (await tokens.ValidateAsync(before.Token)).Failure);
        Assert.Equal(TokenFailure.None, (await tokens.ValidateAsync(concurrent.Token)).Failure);

        var changed = await accounts.ChangePasswordAsync(alice.Id, "password123", "new-password-1", default);
        Assert.Equal(TokenFailure.Revoked, (await tokens.ValidateAsync(concurrent.Token)).Failure);
        Assert.Equal(TokenFailure.None, (await tokens.ValidateAsync(changed.Token)).Failure);
    }
}
