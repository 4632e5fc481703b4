using Parley.Abstractions.Files;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Tests;

/// <summary>The contract of <see cref="IFileStore"/>; every implementation runs these tests.</summary>
public abstract class FileStoreConformance
{
    protected static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000);
    private IFileStore? _store;

    /// <summary>A store over fresh, empty storage.</summary>
    protected abstract IFileStore CreateStore();

    protected IFileStore Store => _store ??= CreateStore();

    private static int _counter;

    public static StoredFile NewFile(long owner = 1, string? sha256 = null, DateTimeOffset? createdAt = null, string kind = "image") => new()
    {
        Id = Guid.CreateVersion7().ToString("N"),
        OwnerId = owner,
        Kind = kind,
        Name = $"photo {Interlocked.Increment(ref _counter)} – é.png",
        ContentType = "image/png",
        Size = 1234,
        Sha256 = sha256 ?? Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
        CreatedAt = createdAt ?? T0,
    };

    private async Task<StoredFile> CreateAsync(StoredFile file)
    {
        await Store.CreateAsync(file);
        return file;
    }

    [Fact]
    public async Task Create_and_get_round_trip_every_field()
    {
        var file = await CreateAsync(NewFile(owner: 7, kind: "file") with { ContentType = "application/pdf", Size = 5_000_000_000 });
        Assert.Equal(file, await Store.GetAsync(file.Id));
        Assert.Null(await Store.GetAsync(Guid.NewGuid().ToString("N")));
    }

    [Fact]
    public async Task References_need_an_existing_file_and_are_idempotent()
    {
        Assert.False(await Store.AddReferenceAsync(Guid.NewGuid().ToString("N"), "m1", "d:1:2"));
        var file = await CreateAsync(NewFile());
        Assert.True(await Store.AddReferenceAsync(file.Id, "m1", "d:1:2"));
        Assert.True(await Store.AddReferenceAsync(file.Id, "m1", "d:1:2"));
        Assert.True(await Store.AddReferenceAsync(file.Id, "m2", "g:5"));
        Assert.True(await Store.AddReferenceAsync(file.Id, "m3", "d:1:2"));
        Assert.Equal(["d:1:2", "g:5"], await Store.GetReferencingConversationsAsync(file.Id, 10));
        Assert.Single(await Store.GetReferencingConversationsAsync(file.Id, 1));
        Assert.Empty(await Store.GetReferencingConversationsAsync(NewFile().Id, 10));
    }

    [Fact]
    public async Task References_are_removed_by_message_and_by_conversation()
    {
        var a = await CreateAsync(NewFile());
        var b = await CreateAsync(NewFile());
        await Store.AddReferenceAsync(a.Id, "m1", "d:1:2");
        await Store.AddReferenceAsync(b.Id, "m1", "d:1:2");
        await Store.AddReferenceAsync(a.Id, "m2", "g:5");
        await Store.AddReferenceAsync(b.Id, "m3", "g:5");

        Assert.Equal(2, await Store.RemoveMessageReferencesAsync("m1"));
        Assert.Equal(0, await Store.RemoveMessageReferencesAsync("m1"));
        Assert.Equal(["g:5"], await Store.GetReferencingConversationsAsync(a.Id, 10));
        Assert.Equal(2, await Store.RemoveConversationReferencesAsync("g:5"));
        Assert.Empty(await Store.GetReferencingConversationsAsync(a.Id, 10));
        Assert.Empty(await Store.GetReferencingConversationsAsync(b.Id, 10));
    }

    [Fact]
    public async Task Avatars_are_set_replaced_and_cleared()
    {
        Assert.Null(await Store.GetAvatarAsync(1));
        Assert.False(await Store.SetAvatarAsync(1, Guid.NewGuid().ToString("N")));
        var first = await CreateAsync(NewFile());
        var second = await CreateAsync(NewFile());
        Assert.True(await Store.SetAvatarAsync(1, first.Id));
        Assert.Equal(first, await Store.GetAvatarAsync(1));
        Assert.True(await Store.SetAvatarAsync(1, second.Id));
        Assert.Equal(second, await Store.GetAvatarAsync(1));
        Assert.Null(await Store.GetAvatarAsync(2));
        Assert.True(await Store.SetAvatarAsync(1, null));
        Assert.Null(await Store.GetAvatarAsync(1));
        Assert.True(await Store.SetAvatarAsync(1, null));
    }

    [Fact]
    public async Task Orphans_are_old_unreferenced_files_that_are_nobodys_avatar_oldest_first()
    {
        var old1 = await CreateAsync(NewFile(createdAt: T0));
        var old2 = await CreateAsync(NewFile(createdAt: T0.AddSeconds(1)));
        var referenced = await CreateAsync(NewFile(createdAt: T0));
        var avatar = await CreateAsync(NewFile(createdAt: T0));
        var fresh = await CreateAsync(NewFile(createdAt: T0.AddHours(2)));
        await Store.AddReferenceAsync(referenced.Id, "m1", "d:1:2");
        await Store.SetAvatarAsync(9, avatar.Id);

        var cutoff = T0.AddHours(1);
        Assert.Equal([old1.Id, old2.Id], (await Store.GetOrphansAsync(cutoff, 10)).Select(f => f.Id));
        Assert.Equal([old1.Id], (await Store.GetOrphansAsync(cutoff, 1)).Select(f => f.Id));
        Assert.Equal(old1, (await Store.GetOrphansAsync(cutoff, 1))[0]);

        await Store.RemoveMessageReferencesAsync("m1");
        await Store.SetAvatarAsync(9, null);
        Assert.Equal(4, (await Store.GetOrphansAsync(cutoff, 10)).Count);
        Assert.DoesNotContain(fresh.Id, (await Store.GetOrphansAsync(cutoff, 10)).Select(f => f.Id));
    }

    [Fact]
    public async Task DeleteIfOrphan_deletes_only_what_is_still_an_orphan()
    {
        var file = await CreateAsync(NewFile(createdAt: T0));
        var cutoff = T0.AddHours(1);
        Assert.False(await Store.DeleteIfOrphanAsync(file.Id, T0));
        await Store.AddReferenceAsync(file.Id, "m1", "d:1:2");
        Assert.False(await Store.DeleteIfOrphanAsync(file.Id, cutoff));
        await Store.RemoveMessageReferencesAsync("m1");
        await Store.SetAvatarAsync(3, file.Id);
        Assert.False(await Store.DeleteIfOrphanAsync(file.Id, cutoff));
        await Store.SetAvatarAsync(3, null);

        Assert.True(await Store.DeleteIfOrphanAsync(file.Id, cutoff));
        Assert.Null(await Store.GetAsync(file.Id));
        Assert.False(await Store.DeleteIfOrphanAsync(file.Id, cutoff));
        Assert.False(await Store.AddReferenceAsync(file.Id, "m2", "d:1:2"));
    }

    [Fact]
    public async Task A_blob_is_referenced_while_any_record_points_at_it()
    {
        var sha = new string('a', 64);
        Assert.False(await Store.IsBlobReferencedAsync(sha));
        var one = await CreateAsync(NewFile(sha256: sha, createdAt: T0));
        var two = await CreateAsync(NewFile(sha256: sha, createdAt: T0));
        Assert.True(await Store.IsBlobReferencedAsync(sha));
        Assert.True(await Store.DeleteIfOrphanAsync(one.Id, T0.AddSeconds(1)));
        Assert.True(await Store.IsBlobReferencedAsync(sha));
        Assert.True(await Store.DeleteIfOrphanAsync(two.Id, T0.AddSeconds(1)));
        Assert.False(await Store.IsBlobReferencedAsync(sha));
    }
}
