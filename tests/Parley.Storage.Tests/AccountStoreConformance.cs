using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Tests;

/// <summary>The contract of <see cref="IAccountStore"/>; every implementation runs these tests.</summary>
public abstract class AccountStoreConformance
{
    private IAccountStore? _store;

    /// <summary>A store over fresh, empty storage.</summary>
    protected abstract IAccountStore CreateStore();

    protected IAccountStore Store => _store ??= CreateStore();

    public static Account NewAccount(string name) => new()
    {
        Name = name,
        DisplayName = name.ToUpperInvariant(),
        PasswordHash = "hash-" + name,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123),
    };

    [Fact]
    public async Task TryCreate_assigns_ids_and_round_trips_every_field()
    {
        var full = NewAccount("alice") with
        {
            AvatarUrl = "https://a.example/a.png", Bio = "hi", Disabled = true,
            DirectMessages = DirectMessagePolicy.FriendsOnly, TokensNotBefore = 1234,
        };
        var alice = await Store.TryCreateAsync(full);
        var bob = await Store.TryCreateAsync(NewAccount("bob"));

        Assert.NotNull(alice);
        Assert.NotNull(bob);
        Assert.True(alice.Id > 0);
        Assert.NotEqual(alice.Id, bob.Id);
        Assert.Equal(full with { Id = alice.Id }, alice);
        Assert.Equal(alice, await Store.GetAsync(alice.Id));
        Assert.Equal(alice, await Store.GetByNameAsync("alice"));
    }

    [Fact]
    public async Task TryCreate_returns_null_for_a_taken_name_in_any_case()
    {
        Assert.NotNull(await Store.TryCreateAsync(NewAccount("carol")));
        Assert.Null(await Store.TryCreateAsync(NewAccount("carol")));
        Assert.Null(await Store.TryCreateAsync(NewAccount("CaRoL")));
        Assert.Equal("carol", (await Store.GetByNameAsync("CAROL"))?.Name);
    }

    [Fact]
    public async Task TryCreate_sets_creation_time_when_missing()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var created = await Store.TryCreateAsync(NewAccount("dave") with { CreatedAt = default });
        Assert.NotNull(created);
        Assert.True(created.CreatedAt >= before);
        Assert.Equal(created.CreatedAt, (await Store.GetAsync(created.Id))?.CreatedAt);
    }

    [Fact]
    public async Task Get_returns_null_for_unknown()
    {
        Assert.Null(await Store.GetAsync(424242));
        Assert.Null(await Store.GetByNameAsync("nobody"));
    }

    [Fact]
    public async Task GetMany_skips_unknown_ids()
    {
        var a = await Store.TryCreateAsync(NewAccount("a1"));
        var b = await Store.TryCreateAsync(NewAccount("b1"));
        var many = await Store.GetManyAsync([b!.Id, 999_999, a!.Id, a.Id]);
        Assert.Equal(new[] { a.Id, b.Id }, many.Select(x => x.Id).Order());
        Assert.Empty(await Store.GetManyAsync([]));
        Assert.Empty(await Store.GetManyAsync([5555]));
    }

    [Fact]
    public async Task Update_writes_mutable_fields_but_not_name_or_creation()
    {
        var created = (await Store.TryCreateAsync(NewAccount("erin")))!;
        var changed = created with
        {
            Name = "mallory", CreatedAt = DateTimeOffset.UnixEpoch,
            DisplayName = "Erin E.", AvatarUrl = "x", Bio = "bio", PasswordHash = "new", Disabled = true,
            DirectMessages = DirectMessagePolicy.FriendsOnly, TokensNotBefore = 99,
        };
        Assert.True(await Store.UpdateAsync(changed));

        var read = await Store.GetAsync(created.Id);
        Assert.Equal(changed with { Name = "erin", CreatedAt = created.CreatedAt }, read);
        Assert.Null(await Store.GetByNameAsync("mallory"));
    }

    [Fact]
    public async Task Update_returns_false_for_unknown()
    {
        Assert.False(await Store.UpdateAsync(NewAccount("ghost") with { Id = 31337 }));
    }

    [Fact]
    public async Task Revoked_tokens_are_listed_until_they_expire()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        await Store.RevokeTokenAsync("t-old", now.AddMinutes(-1));
        await Store.RevokeTokenAsync("t-now", now);
        await Store.RevokeTokenAsync("t-live", now.AddHours(1));
        await Store.RevokeTokenAsync("t-live", now.AddHours(1)); // idempotent

        Assert.Equal(["t-live"], await Store.GetRevokedTokensAsync(now));
        Assert.Empty(await Store.GetRevokedTokensAsync(now.AddHours(2)));
    }

    [Fact]
    public async Task Revoking_again_keeps_the_later_expiry()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        await Store.RevokeTokenAsync("t", now.AddHours(2));
        await Store.RevokeTokenAsync("t", now.AddHours(1));
        Assert.Equal(["t"], await Store.GetRevokedTokensAsync(now.AddMinutes(90)));
    }

    [Fact]
    public async Task Search_matches_name_prefix_or_display_name_part_exact_name_first()
    {
        var al = await Store.TryCreateAsync(NewAccount("al") with { DisplayName = "Someone" });
        var alice = await Store.TryCreateAsync(NewAccount("alice") with { DisplayName = "Alice Liddell" });
        var zed = await Store.TryCreateAsync(NewAccount("zed") with { DisplayName = "Zed, friend of Al" });
        await Store.TryCreateAsync(NewAccount("malcolm") with { DisplayName = "Mick" });
        await Store.TryCreateAsync(NewAccount("alfred") with { Disabled = true });

        Assert.Equal(["al", "alice", "zed"], (await Store.SearchAsync("Al", 10)).Select(a => a.Name));
        Assert.Equal(["alice"], (await Store.SearchAsync("liddell", 10)).Select(a => a.Name));
        Assert.Equal(["al", "alice"], (await Store.SearchAsync("al", 2)).Select(a => a.Name));
        Assert.Equal(alice, (await Store.SearchAsync("alice", 10)).Single());
        Assert.NotNull(al);
        Assert.NotNull(zed);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("\\")]
    [InlineData("a%")]
    public async Task Search_treats_wildcards_literally(string text)
    {
        await Store.TryCreateAsync(NewAccount("anna") with { DisplayName = "Anna" });
        await Store.TryCreateAsync(NewAccount("bert") with { DisplayName = "100% b_e\\rt" });
        var found = (await Store.SearchAsync(text, 10)).Select(a => a.Name).ToList();
        Assert.DoesNotContain("anna", found);
        Assert.Equal(text == "a%" ? [] : ["bert"], found);
    }

    [Fact]
    public async Task Search_with_empty_text_or_no_limit_finds_nothing()
    {
        await Store.TryCreateAsync(NewAccount("erin"));
        Assert.Empty(await Store.SearchAsync("", 10));
        Assert.Empty(await Store.SearchAsync("erin", 0));
    }
}
