using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Tests;

/// <summary>The contract of <see cref="IGroupStore"/>; every implementation runs these tests.</summary>
public abstract class GroupStoreConformance
{
    private IGroupStore? _store;

    /// <summary>A store over fresh, empty storage.</summary>
    protected abstract IGroupStore CreateStore();

    protected IGroupStore Store => _store ??= CreateStore();

    [Fact]
    public async Task Create_makes_the_owner_the_first_member()
    {
        var g = await Store.CreateAsync("team", 10, inviteOnly: true);
        Assert.True(g.Id > 0);
        Assert.Equal(("team", 10L, true, false), (g.Name, g.OwnerId, g.InviteOnly, g.Dissolved));
        Assert.Equal(g, await Store.GetAsync(g.Id));

        var owner = await Store.GetMemberAsync(g.Id, 10);
        Assert.NotNull(owner);
        Assert.Equal(GroupRole.Owner, owner.Role);
        Assert.Equal([10L], (await Store.GetMembersAsync(g.Id)).Select(m => m.UserId));
        Assert.NotEqual(g.Id, (await Store.CreateAsync("other", 10, false)).Id);
    }

    [Fact]
    public async Task Get_and_update_unknown_groups()
    {
        Assert.Null(await Store.GetAsync(5000));
        Assert.False(await Store.UpdateAsync(new Group { Id = 5000, Name = "x" }));
    }

    [Fact]
    public async Task Update_writes_name_invite_only_and_owner()
    {
        var g = await Store.CreateAsync("old", 1, false);
        Assert.True(await Store.UpdateAsync(g with { Name = "new", InviteOnly = true, OwnerId = 2, Dissolved = true }));
        Assert.Equal(g with { Name = "new", InviteOnly = true, OwnerId = 2 }, await Store.GetAsync(g.Id));
    }

    [Fact]
    public async Task Members_are_added_once_listed_by_join_order_and_removed()
    {
        var g = await Store.CreateAsync("g", 1, false);
        Assert.True(await Store.AddMemberAsync(g.Id, 3, GroupRole.Member));
        Assert.True(await Store.AddMemberAsync(g.Id, 2, GroupRole.Member));
        Assert.False(await Store.AddMemberAsync(g.Id, 2, GroupRole.Owner));

        var members = await Store.GetMembersAsync(g.Id);
        Assert.Equal([1L, 3L, 2L], members.Select(m => m.UserId));
        Assert.Equal(GroupRole.Member, (await Store.GetMemberAsync(g.Id, 2))?.Role);
        Assert.All(members, m => Assert.Equal(g.Id, m.GroupId));

        Assert.True(await Store.RemoveMemberAsync(g.Id, 3));
        Assert.False(await Store.RemoveMemberAsync(g.Id, 3));
        Assert.Null(await Store.GetMemberAsync(g.Id, 3));
        Assert.Equal([1L, 2L], (await Store.GetMembersAsync(g.Id)).Select(m => m.UserId));
    }

    [Fact]
    public async Task Invites_are_idempotent_and_consumed_by_joining()
    {
        var g = await Store.CreateAsync("g", 1, inviteOnly: true);
        Assert.False(await Store.HasInviteAsync(g.Id, 4));
        await Store.AddInviteAsync(g.Id, 4, 1);
        await Store.AddInviteAsync(g.Id, 4, 1);
        await Store.AddInviteAsync(g.Id, 5, 1);
        Assert.True(await Store.HasInviteAsync(g.Id, 4));

        Assert.True(await Store.AddMemberAsync(g.Id, 4, GroupRole.Member));
        Assert.False(await Store.HasInviteAsync(g.Id, 4));
        Assert.True(await Store.HasInviteAsync(g.Id, 5));
    }

    [Fact]
    public async Task Dissolve_removes_members_and_invites_and_keeps_the_row()
    {
        var g = await Store.CreateAsync("g", 1, false);
        await Store.AddMemberAsync(g.Id, 2, GroupRole.Member);
        await Store.AddInviteAsync(g.Id, 3, 1);

        Assert.True(await Store.DissolveAsync(g.Id));
        Assert.False(await Store.DissolveAsync(g.Id));
        Assert.False(await Store.DissolveAsync(777));

        Assert.True((await Store.GetAsync(g.Id))?.Dissolved);
        Assert.Empty(await Store.GetMembersAsync(g.Id));
        Assert.Null(await Store.GetMemberAsync(g.Id, 1));
        Assert.False(await Store.HasInviteAsync(g.Id, 3));
    }

    [Fact]
    public async Task Groups_of_user_exclude_dissolved_and_other_groups()
    {
        var a = await Store.CreateAsync("a", 1, false);
        var b = await Store.CreateAsync("b", 2, false);
        var c = await Store.CreateAsync("c", 1, false);
        var d = await Store.CreateAsync("d", 3, false);
        await Store.AddMemberAsync(b.Id, 1, GroupRole.Member);
        await Store.AddMemberAsync(d.Id, 1, GroupRole.Member);
        await Store.DissolveAsync(c.Id);
        await Store.RemoveMemberAsync(d.Id, 1);

        Assert.Equal([a.Id, b.Id], (await Store.GetGroupsOfUserAsync(1)).Select(g => g.Id));
        Assert.Equal([b.Id], (await Store.GetGroupsOfUserAsync(2)).Select(g => g.Id));
        Assert.Empty(await Store.GetGroupsOfUserAsync(99));
    }

    [Fact]
    public async Task SearchOpen_finds_open_live_groups_by_name_part_newest_first()
    {
        var rust = await Store.CreateAsync("Rust fans", 1, inviteOnly: false);
        var trust = await Store.CreateAsync("trusted", 1, inviteOnly: false);
        await Store.CreateAsync("rust core", 1, inviteOnly: true);
        var gone = await Store.CreateAsync("rusty", 1, inviteOnly: false);
        await Store.DissolveAsync(gone.Id);
        await Store.CreateAsync("100%_real", 1, inviteOnly: false);

        Assert.Equal([trust.Id, rust.Id], (await Store.SearchOpenAsync("RUST", 10)).Select(g => g.Id));
        Assert.Equal([trust.Id], (await Store.SearchOpenAsync("rust", 1)).Select(g => g.Id));
        Assert.Equal(["100%_real"], (await Store.SearchOpenAsync("%_", 10)).Select(g => g.Name));
        Assert.Empty(await Store.SearchOpenAsync("_x", 10));
        Assert.Empty(await Store.SearchOpenAsync("", 10));
    }
}
