using System.Collections.Concurrent;
using Parley.Client.Realtime;

namespace Parley.Client;

/// <summary>
/// Realtime Parley client over the native WebSocket protocol (<c>/ws</c>): sends with acknowledgements and
/// idempotent resends, receives messages gap-free, duplicate-free and in order per conversation, and reconnects
/// automatically with exponential back-off.
/// </summary>
/// <remarks>
/// All events are raised on the single receive loop, in frame order: handlers must return quickly and must not
/// block on the client's own requests (start them without awaiting, or hand work to another thread).
/// Methods are safe to call from any thread.
/// </remarks>
public sealed partial class ParleyClient : IAsyncDisposable
{
    private readonly Uri _serverBaseUri;
    private readonly Func<CancellationToken, ValueTask<string>> _tokenProvider;
    private readonly ParleyClientOptions _options;
    private readonly ConversationSequencer _sequencer;
    private readonly Lock _sequencerLock = new();
    private readonly Lock _stateLock = new();
    private readonly ConcurrentDictionary<string, PendingRequest> _pending = new(StringComparer.Ordinal);
    private volatile Connection? _current;
    private CancellationTokenSource? _stopCts;
    private Task? _runTask;
    private long _nextId;
    private bool _disposed;
    private ClientTokenSource? _clientTokens;

    /// <summary>Creates a client that asks <paramref name="tokenProvider"/> for a token before every (re)connect.</summary>
    /// <param name="serverBaseUri">Server base address (<c>http(s)://</c> or <c>ws(s)://</c>); <c>/ws</c> is appended.</param>
    /// <param name="tokenProvider">Returns a valid access token (JWT).</param>
    /// <param name="options">Settings; defaults when null.</param>
    public ParleyClient(Uri serverBaseUri, Func<CancellationToken, ValueTask<string>> tokenProvider, ParleyClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(serverBaseUri);
        ArgumentNullException.ThrowIfNull(tokenProvider);
        _serverBaseUri = serverBaseUri;
        _tokenProvider = tokenProvider;
        _options = options ?? new ParleyClientOptions();
        _sequencer = new ConversationSequencer(_options.InitialCursors);
    }

    /// <summary>Creates a client with a fixed access token.</summary>
    /// <param name="serverBaseUri">Server base address; <c>/ws</c> is appended.</param>
    /// <param name="accessToken">Access token (JWT) from <see cref="ParleyApiClient.LoginAsync"/>.</param>
    /// <param name="options">Settings; defaults when null.</param>
    public ParleyClient(Uri serverBaseUri, string accessToken, ParleyClientOptions? options = null)
        : this(serverBaseUri, _ => ValueTask.FromResult(accessToken ?? throw new ArgumentNullException(nameof(accessToken))), options)
    {
    }

    /// <summary>
    /// Creates a client that connects as a device or program of a client kind: it gets its tokens from
    /// <c>POST /api/clients/token</c> with the kind's secret (again when one expires or is refused). Such a connection
    /// has no user: it answers server calls (<see cref="RegisterCallHandler"/>) and sends queries (<see cref="QueryAsync"/>),
    /// but cannot chat.
    /// </summary>
    /// <param name="serverBaseUri">Server base address (<c>http(s)://</c>).</param>
    /// <param name="kind">Client kind configured on the server.</param>
    /// <param name="clientId">This client's id within its kind (one live connection per id).</param>
    /// <param name="secret">The kind's secret.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <returns>The client (not yet connected).</returns>
    public static ParleyClient ForClientKind(Uri serverBaseUri, string kind, string clientId, string secret, ParleyClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(serverBaseUri);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var http = new UriBuilder(serverBaseUri);
        http.Scheme = http.Scheme switch
        {
            "ws" => "http",
            "wss" => "https",
            _ => http.Scheme,
        };
        var source = new ClientTokenSource(new ParleyApiClient(http.Uri), kind, clientId, secret);
        return new ParleyClient(serverBaseUri, source.GetAsync, options) { _clientTokens = source };
    }

    /// <summary>A message from another user or device, in order and exactly once per (conversation, seq).</summary>
    public event EventHandler<ChatMessage>? MessageReceived;

    /// <summary>Another participant's delivered or read cursor moved.</summary>
    public event EventHandler<ReceiptInfo>? ReceiptReceived;

    /// <summary>A friend or fellow group member came online or went offline.</summary>
    public event EventHandler<PresenceInfo>? PresenceChanged;

    /// <summary>Someone is typing.</summary>
    public event EventHandler<TypingInfo>? TypingReceived;

    /// <summary>A message in one of the user's conversations was removed (also when this user removed it on another device).</summary>
    public event EventHandler<RemovalInfo>? MessageRemoved;

    /// <summary>Someone else changed this user's friends or groups: a friend request, its answer, a group invitation, a member joining …</summary>
    public event EventHandler<NoticeInfo>? NoticeReceived;

    /// <summary>An <c>error</c> frame that answered no pending request (for example a rate-limit error for an <c>ack</c>).</summary>
    public event EventHandler<ServerError>? ErrorReceived;

    /// <summary>The connection state changed; <see cref="ConnectionStateChange.CloseCode"/> tells why it was lost.</summary>
    public event EventHandler<ConnectionStateChange>? ConnectionStateChanged;

    /// <summary>The current connection state.</summary>
    public ConnectionState State { get; private set; } = ConnectionState.Disconnected;

    /// <summary>The <c>welcome</c> data of the current (or last) connection.</summary>
    public WelcomeInfo? Welcome { get; private set; }

    /// <summary>The last seq delivered to the app per conversation (persist it and pass it back as <see cref="ParleyClientOptions.InitialCursors"/>).</summary>
    /// <returns>A snapshot of the cursors.</returns>
    public IReadOnlyDictionary<string, long> GetCursors()
    {
        lock (_sequencerLock)
        {
            return _sequencer.GetCursors();
        }
    }

    /// <summary>Opens the connection and waits for <c>welcome</c>; then syncs in the background and reconnects on loss.</summary>
    /// <param name="cancellationToken">Cancels the first connection attempt.</param>
    /// <returns>A task that completes when connected.</returns>
    /// <exception cref="ParleyConnectionException">The server refused or could not be reached.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CancellationTokenSource stop;
        lock (_stateLock)
        {
            if (_runTask is { IsCompleted: false } || State != ConnectionState.Disconnected)
            {
                throw new InvalidOperationException("The client is already connected or connecting.");
            }

            stop = _stopCts = new CancellationTokenSource();
        }

        SetState(ConnectionState.Connecting, null, null);
        Connection connection;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop.Token);
            connection = await OpenWithAuthRetryAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SetState(ConnectionState.Disconnected, (ex as ParleyConnectionException)?.CloseCode, ex.Message);
            throw;
        }

        Activate(connection);
        _runTask = Task.Run(() => RunAsync(connection, stop.Token), CancellationToken.None);
    }

    /// <summary>Closes the connection normally and stops reconnecting; pending requests fail.</summary>
    /// <returns>A task that completes when the client is disconnected.</returns>
    public async Task DisconnectAsync()
    {
        CancellationTokenSource? stop;
        Task? run;
        lock (_stateLock)
        {
            stop = _stopCts;
            run = _runTask;
        }

        if (stop is null)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        if (_current is { } connection)
        {
            await connection.CloseAsync(ParleyCloseCodes.Normal, "bye", TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }

        if (run is not null)
        {
            await run.ConfigureAwait(false);
        }
        else
        {
            FailAllPending(new ParleyConnectionException("The client was disconnected."), includeSends: true);
        }
    }

    /// <summary>Disconnects and releases resources.</summary>
    /// <returns>A task that completes when disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await DisconnectAsync().ConfigureAwait(false);
        _disposed = true;
        _stopCts?.Dispose();
        _clientTokens?.Dispose();
    }

    internal Uri BuildWebSocketUri(string token)
    {
        var builder = new UriBuilder(_serverBaseUri);
        builder.Scheme = builder.Scheme switch
        {
            "http" => "ws",
            "https" => "wss",
            _ => builder.Scheme,
        };
        var path = builder.Path.TrimEnd('/');
        builder.Path = path.EndsWith("/ws", StringComparison.Ordinal) ? path : path + "/ws";
        builder.Query = "access_token=" + Uri.EscapeDataString(token);
        return builder.Uri;
    }

    private void SetState(ConnectionState state, int? closeCode, string? reason)
    {
        State = state;
        Diag($"state {state} code={closeCode} reason={reason}");
        Raise(ConnectionStateChanged, new ConnectionStateChange(state, closeCode, reason));
    }

    private void Raise<T>(EventHandler<T>? handler, T args)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, args);
        }
        catch (Exception ex)
        {
            Diag($"event handler threw: {ex}");
        }
    }

    private void Diag(string text) => _options.Diagnostics?.Invoke(text);

    private string NextId(string prefix) => prefix + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
