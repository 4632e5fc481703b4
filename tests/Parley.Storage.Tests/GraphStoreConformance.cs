using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Tests;

/// <summary>The contract of <see cref="IGraphStore"/>; every implementation runs these tests.</summary>
public abstract class GraphStoreConformance
{
    private IGraphStore? _store;

    /// <summary>A store over fresh, empty storage.</summary>
    protected abstract IGraphStore CreateStore();

    protected IGraphStore Store => _store ??= CreateStore();

    [Fact]
    public async Task CreateFriendRequest_creates_a_pending_request()
    {
        var r = await Store.CreateFriendRequestAsync(1, 2, "hello");
        Assert.True(r.Id > 0);
        Assert.Equal((1L, 2L, "hello", FriendRequestStatus.Pending), (r.FromUserId, r.ToUserId, r.Message, r.Status));
        Assert.Equal(r, await Store.GetFriendRequestAsync(r.Id));
        Assert.Null(await Store.GetFriendRequestAsync(r.Id + 1000));
    }

    [Fact]
    public async Task A_duplicate_pending_request_returns_the_existing_one()
    {
        var first = await Store.CreateFriendRequestAsync(1, 2, "first");
        var again = await Store.CreateFriendRequestAsync(1, 2, "second");
        Assert.Equal(first, again);

        var reverse = await Store.CreateFriendRequestAsync(2, 1, null);
        Assert.NotEqual(first.Id, reverse.Id);
    }

    [Fact]
    public async Task A_new_request_is_possible_once_the_old_one_is_resolved()
    {
        var first = await Store.CreateFriendRequestAsync(1, 2, null);
        Assert.True(await Store.ResolveFriendRequestAsync(first.Id, FriendRequestStatus.Declined));
        var second = await Store.CreateFriendRequestAsync(1, 2, null);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(FriendRequestStatus.Pending, second.Status);
    }

    [Fact]
    public async Task Pending_requests_to_or_by_the_user_newest_first()
    {
        var a = await Store.CreateFriendRequestAsync(1, 2, null);
        var b = await Store.CreateFriendRequestAsync(3, 1, null);
        var c = await Store.CreateFriendRequestAsync(1, 4, null);
        await Store.CreateFriendRequestAsync(5, 6, null);
        Assert.True(await Store.ResolveFriendRequestAsync(c.Id, FriendRequestStatus.Cancelled));

        Assert.Equal([b.Id, a.Id], (await Store.GetPendingFriendRequestsAsync(1)).Select(r => r.Id));
        Assert.Equal([a.Id], (await Store.GetPendingFriendRequestsAsync(2)).Select(r => r.Id));
        Assert.Empty(await Store.GetPendingFriendRequestsAsync(4));
    }

    [Fact]
    public async Task Accepting_creates_the_friendship_and_cannot_be_repeated()
    {
        var r = await Store.CreateFriendRequestAsync(1, 2, null);
        Assert.True(await Store.ResolveFriendRequestAsync(r.Id, FriendRequestStatus.Accepted));

        Assert.True(await Store.AreFriendsAsync(1, 2));
        Assert.True(await Store.AreFriendsAsync(2, 1));
        Assert.Equal(FriendRequestStatus.Accepted, (await Store.GetFriendRequestAsync(r.Id))?.Status);
        Assert.False(await Store.ResolveFriendRequestAsync(r.Id, FriendRequestStatus.Declined));
        Assert.False(await Store.ResolveFriendRequestAsync(r.Id, FriendRequestStatus.Accepted));
        Assert.Equal(FriendRequestStatus.Accepted, (await Store.GetFriendRequestAsync(r.Id))?.Status);
        Assert.Empty(await Store.GetPendingFriendRequestsAsync(1));
    }

    [Fact]
    public async Task Declining_does_not_create_a_friendship()
    {
        var r = await Store.CreateFriendRequestAsync(1, 2, null);
        Assert.True(await Store.ResolveFriendRequestAsync(r.Id, FriendRequestStatus.Declined));
        Assert.False(await Store.AreFriendsAsync(1, 2));
        Assert.False(await Store.ResolveFriendRequestAsync(r.Id, FriendRequestStatus.Accepted));
        Assert.False(await Store.AreFriendsAsync(1, 2));
    }

    [Fact]
    public async Task Resolving_an_unknown_request_returns_false()
    {
        Assert.False(await Store.ResolveFriendRequestAsync(987654, FriendRequestStatus.Accepted));
    }

    [Fact]
    public async Task Friendships_are_symmetric_idempotent_and_removable()
    {
        await Store.AddFriendshipAsync(5, 3);
        await Store.AddFriendshipAsync(3, 5);
        await Store.AddFriendshipAsync(5, 9);
        await Store.AddFriendshipAsync(5, 1);

        Assert.Equal([1L, 3L, 9L], await Store.GetFriendIdsAsync(5));
        Assert.Equal([5L], await Store.GetFriendIdsAsync(3));
        Assert.True(await Store.AreFriendsAsync(3, 5));

        Assert.True(await Store.RemoveFriendshipAsync(3, 5));
        Assert.False(await Store.AreFriendsAsync(5, 3));
        Assert.False(await Store.AreFriendsAsync(3, 5));
        Assert.False(await Store.RemoveFriendshipAsync(5, 3));
        Assert.Empty(await Store.GetFriendIdsAsync(3));
        Assert.Equal([1L, 9L], await Store.GetFriendIdsAsync(5));
    }

    [Fact]
    public async Task Blocks_are_directional_idempotent_and_liftable()
    {
        await Store.BlockAsync(1, 7);
        await Store.BlockAsync(1, 7);
        await Store.BlockAsync(1, 3);

        Assert.True(await Store.HasBlockedAsync(1, 7));
        Assert.False(await Store.HasBlockedAsync(7, 1));
        Assert.Equal([3L, 7L], await Store.GetBlockedIdsAsync(1));
        Assert.Empty(await Store.GetBlockedIdsAsync(7));

        Assert.True(await Store.UnblockAsync(1, 7));
        Assert.False(await Store.UnblockAsync(1, 7));
        Assert.False(await Store.UnblockAsync(3, 1));
        Assert.False(await Store.HasBlockedAsync(1, 7));
        Assert.Equal([3L], await Store.GetBlockedIdsAsync(1));
    }

    [Fact]
    public async Task A_block_made_after_earlier_checks_is_seen()
    {
        // Stores may answer "blocks nobody" from memory: a block made after that answer must still count.
        Assert.False(await Store.HasBlockedAsync(5, 6));
        await Store.BlockAsync(5, 6);
        Assert.True(await Store.HasBlockedAsync(5, 6));
        Assert.False(await Store.HasBlockedAsync(6, 5));
    }
}
