using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Parley.Protocol.MobileImSdk;

namespace Parley.Client.MobileImSdk;

/// <summary>
/// A MobileIMSDK v6 client over UDP or TCP. Log in with <see cref="LoginAsync"/>, send with <see cref="SendAsync(string, string, bool, int, string?)"/>
/// and listen to the events. While logged in it sends keep-alives, resends unacknowledged QoS packets, acknowledges and
/// de-duplicates received QoS packets, and after a link loss logs in again by itself.
/// </summary>
public sealed class MobileImClient : IAsyncDisposable
{
    private readonly MobileImClientOptions _options;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, PendingPacket> _qos = new();
    private readonly ConcurrentDictionary<string, long> _seen = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly Task _timers;
    private MobileImLink? _link;
    private TaskCompletionSource<int>? _loginWaiter;
    private string? _userId;
    private string? _token;
    private string? _extra;
    private bool _loggedIn;
    private bool _relogin;
    // A login went out on the current link and has not been answered (since _loginSentAt): the answer to a resent
    // login after the first answer is not a new login.
    private bool _loginPending;
    private long _loginSentAt;
    private long _lastKeepAliveSent;
    private long _lastKeepAliveResponse;
    private long _lastReloginAttempt;
    private long _lastQosCheck;
    private long _lastSweep;

    private sealed class PendingPacket(Protocal packet, byte[] bytes)
    {
        public Protocal Packet { get; } = packet;
        public byte[] Bytes { get; } = bytes;
        public long SentAt = Stopwatch.GetTimestamp();
        public int Retries;
    }

    /// <summary>Creates a client; nothing is sent before <see cref="LoginAsync"/>.</summary>
    public MobileImClient(MobileImClientOptions options)
    {
        _options = options;
        _timers = Task.Run(TimerLoopAsync);
    }

    /// <summary>A login response arrived: 0 = success, else the server's refusal code.</summary>
    public event Action<int>? LoginCompleted;

    /// <summary>The link was lost (code -1, as in the Java SDK); an automatic re-login follows unless it is off.</summary>
    public event Action<int>? LinkClosed;

    /// <summary>The server kicked this client out (code 1: logged in elsewhere, 2: by the administrator). The client stops.</summary>
    public event Action<PKickoutInfo>? KickedOut;

    /// <summary>A data packet (type 2) arrived; resent duplicates of a QoS packet are not raised again.</summary>
    public event Action<MobileImMessage>? DataReceived;

    /// <summary>An error response (type 52) arrived, e.g. 301 "not logged in".</summary>
    public event Action<int, string?>? ErrorResponse;

    /// <summary>QoS packets that were not acknowledged after the resends.</summary>
    public event Action<IReadOnlyList<Protocal>>? MessagesLost;

    /// <summary>The server acknowledged the QoS packet with this fingerprint.</summary>
    public event Action<string>? MessageReceived;

    /// <summary>Every packet received, before any handling (diagnostics and tests).</summary>
    public event Action<Protocal>? PacketReceived;

    /// <summary>Logged in now.</summary>
    public bool IsLoggedIn { get { lock (_gate) return _loggedIn; } }

    /// <summary>The user id of the last login.</summary>
    public string? UserId => _userId;

    /// <summary>The firstLoginTime the server returned at the first successful login (0 before).</summary>
    public long FirstLoginTime { get; private set; }

    /// <summary>The current socket's local endpoint.</summary>
    public EndPoint? LocalEndPoint => _link?.LocalEndPoint;

    /// <summary>QoS packets waiting for an acknowledgement.</summary>
    public int PendingQosCount => _qos.Count;

    /// <summary>
    /// Opens a link and logs in; returns the login response code (0 = success). Later automatic re-logins reuse the
    /// credentials and the saved firstLoginTime.
    /// </summary>
    /// <exception cref="TimeoutException">No login response within <see cref="MobileImClientOptions.LoginTimeout"/>.</exception>
    public async Task<int> LoginAsync(string userId, string token, string? extra = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        _userId = userId;
        _token = token;
        _extra = extra;
        var waiter = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _loginWaiter = waiter;
            _relogin = false;
        }
        await OpenAndSendLoginAsync(ct);
        try
        {
            return await waiter.Task.WaitAsync(_options.LoginTimeout, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no login response from {_options.Host}:{_options.Port} within {_options.LoginTimeout}");
        }
    }

    private async Task OpenAndSendLoginAsync(CancellationToken ct)
    {
        MobileImLink link;
        try
        {
            link = await MobileImLink.ConnectAsync(_options, OnPacket, OnLinkClosed, ct);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
        {
            return; // TCP: server unreachable; the re-login timer (or the caller's timeout) takes over
        }
        MobileImLink? old;
        lock (_gate)
        {
            old = _link;
            _link = link;
            _loginPending = false;
        }
        old?.Close(quiet: true);
        await SendLoginAsync(link);
    }

    private async Task SendLoginAsync(MobileImLink link)
    {
        var login = new Protocal
        {
            Type = ProtocalType.Login, From = _userId, To = MobileImIds.Server,
            DataContent = new PLoginInfo(_userId, _token, _extra, FirstLoginTime).ToJson(),
        };
        lock (_gate)
        {
            if (!_loginPending) _loginSentAt = Stopwatch.GetTimestamp();
            _loginPending = true;
        }
        await link.SendAsync(ProtocalCodec.Encode(login));
    }

    /// <summary>
    /// An automatic re-login attempt: a new link, unless the current one is open and its login, sent less than the
    /// login timeout ago, is still unanswered; then the login is sent again on it (a datagram may be lost) and the
    /// first answer counts. Replacing the link at every attempt dropped the answer to the previous one: a server
    /// slower to answer a login than the re-login interval (a loaded machine, a slow password check) was never
    /// logged into.
    /// </summary>
    private Task ReloginAsync(MobileImLink? link, long now)
    {
        bool waiting;
        lock (_gate) waiting = _loginPending && Stopwatch.GetElapsedTime(_loginSentAt, now) < _options.LoginTimeout;
        return waiting && link is { IsClosed: false } ? SendLoginAsync(link) : OpenAndSendLoginAsync(_disposed.Token);
    }

    /// <summary>Sends a logout (if logged in) and stops: no re-login, QoS queues cleared.</summary>
    public async Task LogoutAsync()
    {
        MobileImLink? link;
        bool wasLoggedIn;
        lock (_gate)
        {
            link = _link;
            _link = null;
            wasLoggedIn = _loggedIn;
            _loggedIn = false;
            _relogin = false;
        }
        if (link is not null && wasLoggedIn)
            await link.SendAsync(ProtocalCodec.Encode(new Protocal { Type = ProtocalType.Logout, From = _userId, To = MobileImIds.Server }));
        link?.Close(quiet: true);
        _qos.Clear();
    }

    /// <summary>
    /// Sends a data packet (type 2) to <paramref name="to"/> ("0" = the server). With QoS it is resent until the
    /// server acknowledges it (<see cref="MessageReceived"/>) or reported in <see cref="MessagesLost"/>.
    /// Returns the fingerprint (null without QoS and fp), or throws when not logged in.
    /// </summary>
    public async Task<string?> SendAsync(string to, string dataContent, bool qos = true, int typeU = -1, string? fp = null)
    {
        var packet = ProtocalFactory.CommonData(_userId ?? MobileImIds.Unknown, to, dataContent, qos, fp, typeU);
        var code = await SendAsync(packet);
        if (code != MobileImErrorCode.Ok) throw new InvalidOperationException($"send failed with code {code}");
        return packet.Fp;
    }

    /// <summary>Sends a packet as is; a QoS packet enters the resend queue. Returns 0, or 1 (not logged in) / 3 (send failed).</summary>
    public async Task<int> SendAsync(Protocal packet)
    {
        MobileImLink? link;
        lock (_gate) link = _link;
        if (link is null) return MobileImErrorCode.NoLogin;
        var bytes = ProtocalCodec.Encode(packet);
        if (packet.QoS && packet.Fp is { } fp) _qos.TryAdd(fp, new PendingPacket(packet, bytes));
        return await link.SendAsync(bytes) ? MobileImErrorCode.Ok : MobileImErrorCode.DataSendFailed;
    }

    /// <summary>Writes raw bytes on the current link (UDP: one datagram; TCP: framed). For tests and diagnostics.</summary>
    public async Task<bool> SendRawAsync(byte[] body)
    {
        MobileImLink? link;
        lock (_gate) link = _link;
        return link is not null && await link.SendAsync(body);
    }

    private void OnPacket(MobileImLink link, Protocal packet)
    {
        lock (_gate)
        {
            if (link != _link) return;
        }
        PacketReceived?.Invoke(packet);
        switch (packet.Type)
        {
            case ProtocalType.ResponseLogin:
                OnLoginResponse(link, packet);
                break;
            case ProtocalType.ResponseKeepAlive:
                Interlocked.Exchange(ref _lastKeepAliveResponse, Stopwatch.GetTimestamp());
                break;
            case ProtocalType.CommonData:
                OnData(link, packet);
                break;
            case ProtocalType.Received:
                if (packet.DataContent is { } ackedFp)
                {
                    _qos.TryRemove(ackedFp, out _);
                    MessageReceived?.Invoke(ackedFp);
                }
                break;
            case ProtocalType.ResponseForError:
                PErrorResponse.TryParse(packet.DataContent, out var error);
                if (error?.ErrorCode == MobileImErrorCode.ResponseNoLogin)
                {
                    lock (_gate)
                    {
                        _loggedIn = false;
                        _relogin = _options.AutoRelogin;
                        _lastReloginAttempt = Stopwatch.GetTimestamp();
                    }
                }
                ErrorResponse?.Invoke(error?.ErrorCode ?? -1, error?.ErrorMsg);
                break;
            case ProtocalType.Kickout:
                PKickoutInfo.TryParse(packet.DataContent, out var kick);
                lock (_gate)
                {
                    _loggedIn = false;
                    _relogin = false;
                    _link = null;
                }
                link.Close(quiet: true);
                _qos.Clear();
                KickedOut?.Invoke(kick ?? new PKickoutInfo(-1));
                LinkClosed?.Invoke(MobileImErrorCode.None);
                break;
        }
    }

    private void OnLoginResponse(MobileImLink link, Protocal packet)
    {
        PLoginInfoResponse.TryParse(packet.DataContent, out var response);
        var code = response?.Code ?? MobileImErrorCode.UnknownError;
        TaskCompletionSource<int>? waiter;
        lock (_gate)
        {
            if (!_loginPending) return; // the answer to a login resent on this link: the first one was handled
            _loginPending = false;
            waiter = _loginWaiter;
            _loginWaiter = null;
            if (code == MobileImErrorCode.Ok)
            {
                if (!_loggedIn && FirstLoginTime <= 0) FirstLoginTime = response!.FirstLoginTime;
                _loggedIn = true;
                _relogin = false;
                var now = Stopwatch.GetTimestamp();
                _lastKeepAliveSent = now;
                _lastKeepAliveResponse = now;
            }
            else
            {
                _loggedIn = false;
                _relogin = false;
                if (_link == link) _link = null;
            }
        }
        if (code != MobileImErrorCode.Ok) link.Close(quiet: true);
        LoginCompleted?.Invoke(code);
        waiter?.TrySetResult(code);
    }

    private void OnData(MobileImLink link, Protocal packet)
    {
        if (packet.QoS && packet.Fp is { } fp)
        {
            var ack = ProtocalFactory.Ack(_userId ?? MobileImIds.Unknown, packet.From ?? MobileImIds.Server, fp, packet.Bridge);
            _ = link.SendAsync(ProtocalCodec.Encode(ack)).AsTask();
            if (!_seen.TryAdd(fp, Stopwatch.GetTimestamp())) return;
        }
        DataReceived?.Invoke(new MobileImMessage(packet.Fp, packet.From ?? MobileImIds.Unknown, packet.DataContent, packet.TypeU));
    }

    private void OnLinkClosed(MobileImLink link)
    {
        bool wasCurrent;
        lock (_gate)
        {
            wasCurrent = link == _link;
            if (!wasCurrent) return;
            _link = null;
            var wasLoggedIn = _loggedIn;
            _loggedIn = false;
            _relogin = _options.AutoRelogin && (wasLoggedIn || _relogin);
            _lastReloginAttempt = 0;
        }
        LinkClosed?.Invoke(MobileImErrorCode.None);
    }

    private async Task TimerLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.TimerResolution);
        try
        {
            while (await timer.WaitForNextTickAsync(_disposed.Token))
            {
                try { await TickAsync(); }
                catch (Exception ex) when (ex is not OperationCanceledException) { }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task TickAsync()
    {
        var now = Stopwatch.GetTimestamp();
        MobileImLink? link;
        bool loggedIn, relogin;
        lock (_gate)
        {
            link = _link;
            loggedIn = _loggedIn;
            relogin = _relogin;
        }
        if (loggedIn && link is not null)
        {
            if (Stopwatch.GetElapsedTime(_lastKeepAliveResponse, now) > _options.KeepAliveTimeout)
            {
                // Link lost: no keep-alive response in time.
                link.Close(); // raises OnLinkClosed: LinkClosed(-1), then the re-login timer
            }
            else if (Stopwatch.GetElapsedTime(_lastKeepAliveSent, now) >= _options.KeepAliveInterval)
            {
                _lastKeepAliveSent = now;
                await link.SendAsync(ProtocalCodec.Encode(new Protocal
                {
                    Type = ProtocalType.KeepAlive, DataContent = PKeepAlive.Json, From = _userId, To = MobileImIds.Server,
                }));
            }
        }
        else if (relogin && Stopwatch.GetElapsedTime(_lastReloginAttempt, now) >= _options.ReloginInterval)
        {
            _lastReloginAttempt = now;
            await ReloginAsync(link, now);
        }

        if (Stopwatch.GetElapsedTime(_lastQosCheck, now) >= _options.QosCheckInterval)
        {
            _lastQosCheck = now;
            await CheckQosAsync(now);
        }
        if (Stopwatch.GetElapsedTime(_lastSweep, now) >= TimeSpan.FromTicks(Math.Max(_options.DuplicateWindow.Ticks / 2, TimeSpan.TicksPerSecond)))
        {
            _lastSweep = now;
            foreach (var (fp, at) in _seen)
            {
                if (Stopwatch.GetElapsedTime(at, now) > _options.DuplicateWindow) _seen.TryRemove(new KeyValuePair<string, long>(fp, at));
            }
        }
    }

    private async Task CheckQosAsync(long now)
    {
        List<Protocal>? lost = null;
        MobileImLink? link;
        lock (_gate) link = _link;
        foreach (var (fp, pending) in _qos)
        {
            if (pending.Retries >= _options.QosMaxResends)
            {
                if (_qos.TryRemove(new KeyValuePair<string, PendingPacket>(fp, pending))) (lost ??= []).Add(pending.Packet);
                continue;
            }
            if (Stopwatch.GetElapsedTime(pending.SentAt, now) < _options.QosResendAfter) continue;
            // Like the Java SDK, a resend counts only when the write succeeded.
            if (link is not null && await link.SendAsync(pending.Bytes)) pending.Retries++;
            else if (link is null) pending.Retries++;
        }
        if (lost is not null) MessagesLost?.Invoke(lost);
    }

    /// <summary>Stops the timers and closes the socket without a logout.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        MobileImLink? link;
        lock (_gate)
        {
            link = _link;
            _link = null;
            _loggedIn = false;
            _relogin = false;
        }
        link?.Close(quiet: true);
        try { await _timers; } catch (OperationCanceledException) { }
        _disposed.Dispose();
    }
}
