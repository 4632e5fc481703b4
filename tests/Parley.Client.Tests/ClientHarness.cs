using System.Threading.Channels;

namespace Parley.Client.Tests;

/// <summary>A <see cref="ParleyClient"/> wired to a fake server, with its events queued for assertions.</summary>
public sealed class ClientHarness : IAsyncDisposable
{
    private readonly Channel<ChatMessage> _messages = Channel.CreateUnbounded<ChatMessage>();
    private readonly Channel<ConnectionStateChange> _states = Channel.CreateUnbounded<ConnectionStateChange>();

    public ClientHarness(FakeParleyServer server, ParleyClientOptions? options = null, Func<CancellationToken, ValueTask<string>>? tokens = null)
    {
        Options = options ?? new ParleyClientOptions();
        Options.ReconnectInitialDelay = TimeSpan.FromMilliseconds(10);
        Options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(50);
        Options.AckDelay = TimeSpan.FromMilliseconds(20);
        Client = new ParleyClient(server.BaseUri, tokens ?? (_ => ValueTask.FromResult("tok")), Options);
        Client.MessageReceived += (_, m) => _messages.Writer.TryWrite(m);
        Client.ConnectionStateChanged += (_, s) => { lock (States) { States.Add(s); } _states.Writer.TryWrite(s); };
    }

    public ParleyClientOptions Options { get; }

    public ParleyClient Client { get; }

    public List<ConnectionStateChange> States { get; } = [];

    public async Task<ChatMessage> NextMessageAsync() => await _messages.Reader.ReadAsync().AsTask().WaitAsync(FakeParleyServer.Timeout);

    public async Task<List<ChatMessage>> MessagesAsync(int count)
    {
        var list = new List<ChatMessage>();
        for (var i = 0; i < count; i++)
        {
            list.Add(await NextMessageAsync());
        }

        return list;
    }

    public bool HasMoreMessages => _messages.Reader.TryPeek(out _);

    public async Task<ConnectionStateChange> WaitForStateAsync(ConnectionState state)
    {
        using var cts = new CancellationTokenSource(FakeParleyServer.Timeout);
        while (true)
        {
            var change = await _states.Reader.ReadAsync(cts.Token);
            if (change.State == state)
            {
                return change;
            }
        }
    }

    public async ValueTask DisposeAsync() => await Client.DisposeAsync().AsTask().WaitAsync(FakeParleyServer.Timeout);
}
