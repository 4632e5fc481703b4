using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Parley.Abstractions.Events;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core;
using Parley.Core.Auth;
using Parley.Core.Messaging;
using Parley.Core.Options;
using Parley.Core.Services;
using Parley.Core.Sessions;
using Parley.Storage.Postgres;
using Parley.Storage.Sqlite;

namespace Parley.Core.Tests;

/// <summary>Reversible, cheap hashing: these tests are about the engine, not about PBKDF2.</summary>
internal sealed class PlainHashing : IPasswordHashing
{
    public string Hash(string password) => "plain:" + password;
    public bool Verify(string hash, string password, out bool rehash)
    {
        rehash = false;
        return hash == "plain:" + password;
    }
}

/// <summary>
/// The engine with its real services and a temporary SQLite store (or, given a connection string, a PostgreSQL
/// database that several harnesses — "nodes" — may share), no sockets: connections are opened directly and their
/// outbound queues drained by <see cref="FakeTransport"/>.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _hosted;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "parley-core-" + Guid.NewGuid().ToString("N"));

    private EngineHarness(Action<ParleyOptions>? configure, Action<IServiceCollection>? services, string? postgres)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddMetrics();
        collection.AddOptions<ParleyOptions>().Configure(o =>
        {
            o.DataDirectory = _dir;
            configure?.Invoke(o);
        });
        if (postgres is null)
        {
            collection.AddParleySqliteStorage(o =>
            {
                o.Path = Path.Combine(_dir, "parley.db");
                o.Synchronous = SqliteSynchronous.Normal;
            });
        }
        else
        {
            collection.AddParleyPostgresStorage(o => o.ConnectionString = postgres);
        }
        collection.AddSingleton<IPasswordHashing, PlainHashing>();
        collection.AddParleyCore();
        services?.Invoke(collection);
        _services = collection.BuildServiceProvider();
        _hosted = _services.GetServices<IHostedService>().Where(h => h is EngineLifetime).ToList();
    }

    public static async Task<EngineHarness> StartAsync(Action<ParleyOptions>? configure = null, Action<IServiceCollection>? services = null,
        string? postgres = null)
    {
        var harness = new EngineHarness(configure, services, postgres);
        foreach (var h in harness._hosted) await h.StartAsync(CancellationToken.None);
        return harness;
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();
    public ChatEngine Engine => Get<ChatEngine>();

    public async Task<Account> UserAsync(string name) =>
        await Get<AccountService>().RegisterAsync(name, "password123", name, CancellationToken.None);

    public FakeTransport Connect(Account account, string? tokenId = null) =>
        new(Engine, Engine.Open(new AuthenticatedUser(account, tokenId ?? Guid.NewGuid().ToString("N"), DateTimeOffset.MaxValue), "fake", "test"));

    public async Task<SendOutcome> SendAsync(Account from, MessageTarget to, string text, string? clientMsgId = null, FakeTransport? origin = null)
    {
        var committed = await Engine.SubmitAsync(from.Id, new SendRequest(to, clientMsgId, null, text, null), "fake", origin?.Connection, CancellationToken.None);
        return await committed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var h in _hosted) await h.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

/// <summary>A transport that only collects what the engine queues for its connection.</summary>
internal sealed class FakeTransport(ChatEngine engine, ClientConnection connection)
{
    private readonly List<ServerEvent> _received = [];
    public ClientConnection Connection { get; } = connection;

    /// <summary>Takes everything queued so far (a slow consumer is simply one that never calls this).</summary>
    public IReadOnlyList<ServerEvent> Drain()
    {
        while (Connection.TryDequeue(out var ev)) _received.Add(ev);
        return _received;
    }

    public List<ChatMessage> Messages() => Drain().OfType<MessageEvent>().Select(m => m.Message).ToList();

    public async Task<List<ChatMessage>> WaitForMessagesAsync(int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (Messages().Count < count) await Task.Delay(5, cts.Token);
        return Messages();
    }

    public async Task<T> WaitForAsync<T>(Func<T, bool>? where = null) where T : ServerEvent
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var found = Drain().OfType<T>().FirstOrDefault(e => where is null || where(e));
            if (found is not null) return found;
            await Task.Delay(5, cts.Token);
        }
    }

    public void Disconnect() => engine.Closed(Connection);
}

/// <summary>Fails the next N appends, to show a failed commit leaves no gap.</summary>
internal sealed class FlakyMessageStore(IMessageStore inner) : IMessageStore
{
    public int FailNext;

    public Task AppendAsync(IReadOnlyList<ChatMessage> messages, CancellationToken ct = default)
    {
        if (Interlocked.Decrement(ref FailNext) >= 0) throw new IOException("disk on fire");
        return inner.AppendAsync(messages, ct);
    }

    public Task<long> GetLastSeqAsync(string c, CancellationToken ct = default) => inner.GetLastSeqAsync(c, ct);
    public Task<ChatMessage?> FindByClientMsgIdAsync(long s, string id, CancellationToken ct = default) => inner.FindByClientMsgIdAsync(s, id, ct);
    public Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string c, long a, long b, int l, bool n, CancellationToken ct = default) => inner.GetMessagesAsync(c, a, b, l, n, ct);
    public Task<ChatMessage?> RemoveAsync(string c, long s, CancellationToken ct = default) => inner.RemoveAsync(c, s, ct);
    public Task AddParticipantAsync(string c, long u, long s, CancellationToken ct = default) => inner.AddParticipantAsync(c, u, s, ct);
    public Task RemoveParticipantAsync(string c, long u, CancellationToken ct = default) => inner.RemoveParticipantAsync(c, u, ct);
    public Task<bool> IsParticipantAsync(string c, long u, CancellationToken ct = default) => inner.IsParticipantAsync(c, u, ct);
    public Task<long> MarkDeliveredAsync(string c, long u, long s, CancellationToken ct = default) => inner.MarkDeliveredAsync(c, u, s, ct);
    public Task<long> MarkReadAsync(string c, long u, long s, CancellationToken ct = default) => inner.MarkReadAsync(c, u, s, ct);
    public Task<IReadOnlyList<ConversationCursor>> GetCursorsAsync(long u, CancellationToken ct = default) => inner.GetCursorsAsync(u, ct);
    public Task<IReadOnlyList<ConversationState>> GetConversationsAsync(long u, int l, CancellationToken ct = default) => inner.GetConversationsAsync(u, l, ct);
    public Task<ConversationState?> GetConversationAsync(long u, string c, CancellationToken ct = default) => inner.GetConversationAsync(u, c, ct);
}
