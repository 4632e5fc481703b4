using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Parley.Abstractions;
using Parley.Abstractions.Events;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Model;
using Parley.Core.Messaging;
using Parley.Core.Sessions;
using Parley.Protocol.MobileImSdk;

namespace Parley.Transports.MobileImSdk;

/// <summary>How a server→client push ended.</summary>
public enum MobileImPushStatus
{
    /// <summary>The user has no MobileIMSDK session here; nothing was sent.</summary>
    Offline = 0,
    /// <summary>Written without QoS (no acknowledgement expected).</summary>
    Sent = 1,
    /// <summary>The client acknowledged the QoS packet.</summary>
    Received = 2,
    /// <summary>No acknowledgement within the resend window.</summary>
    Lost = 3,
    /// <summary>The packet exceeds what the user's transport may carry.</summary>
    TooLarge = 4,
}

public sealed partial class MobileImGateway
{
    private readonly ConcurrentDictionary<(string User, string Fp), PendingS2C> _pending = new();
    private readonly ConcurrentDictionary<(string User, string Fp), long> _seenC2S = new();

    private sealed class PendingS2C(Protocal packet, byte[] bytes, long userId, ChatMessage? message)
    {
        public Protocal Packet { get; } = packet;
        public byte[] Bytes { get; } = bytes;
        public long UserId { get; } = userId;
        public ChatMessage? Message { get; } = message;
        public long SentAt = Stopwatch.GetTimestamp();
        public int Retries;
        public TaskCompletionSource<MobileImPushStatus>? Completion;
    }

    private async ValueTask OnDataAsync(MobileImSession session, ClientConnection connection, Protocal packet)
    {
        if (_engine.Admit(connection) != FrameAdmission.Accepted) return; // dropped: a QoS client resends
        if (packet.To == MobileImIds.Server)
        {
            await OnC2SAsync(session, connection, packet);
            return;
        }
        if (string.IsNullOrEmpty(packet.To) || packet.To == MobileImIds.Unknown) return;

        var request = new SendRequest(MessageTarget.ToUser(packet.To), await StoredIdOfAsync(connection.UserId, packet.Fp), KindOf(packet.TypeU),
            packet.DataContent ?? "", null);
        var committed = await _engine.SubmitAsync(connection.UserId, request, session.Transport, connection, CancellationToken.None);
        _ = AckWhenDurableAsync(session, packet, committed);
    }

    private async Task AckWhenDurableAsync(MobileImSession session, Protocal packet, Task<SendOutcome> committed)
    {
        SendOutcome outcome;
        try { outcome = await committed; }
        catch (Exception ex)
        {
            Log.PacketFailed(_logger, ex, packet.Type, session.Transport, session.RemoteAddress);
            return;
        }
        if (!outcome.Succeeded)
        {
            // No ACK: the client's QoS reports the message lost, as with the real server's failed offline hook.
            Log.SendRefused(_logger, session.UserId ?? "?", packet.To, outcome.ErrorCode, outcome.Error);
            return;
        }
        // Stored: delivered live or kept for the receiver's next login. Either way the sender gets the ACK that
        // looks as if the receiver sent it (the real server's ACK or "fake ACK").
        if (packet.QoS && packet.Fp is { } fp)
            Send(session, ProtocalFactory.Ack(packet.To!, packet.From ?? session.LoginUserId ?? MobileImIds.Unknown, fp, packet.Bridge));
    }

    private async ValueTask OnC2SAsync(MobileImSession session, ClientConnection connection, Protocal packet)
    {
        if (packet.QoS && packet.Fp is { } fp)
        {
            Send(session, ProtocalFactory.Ack(MobileImIds.Server, packet.From ?? session.LoginUserId!, fp, packet.Bridge));
            var now = Stopwatch.GetTimestamp();
            if (!_seenC2S.TryAdd((session.UserId!, fp), now)) return; // a resend: acknowledged again, not handled again
        }
        MobileImReply? reply;
        try
        {
            reply = await _hooks.OnMobileImC2SDataAsync(new MobileImC2SData(session.UserId!, connection.UserId, packet.DataContent, packet.Fp,
                packet.QoS, packet.TypeU, session.Transport), connection.Closing);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HookFailed(_logger, ex, nameof(ParleyHooks.OnMobileImC2SDataAsync));
            return;
        }
        if (reply is not null) _ = PushToSessionAsync(session, reply.DataContent, reply.TypeU, reply.QoS, null);
    }

    private void SweepDuplicates()
    {
        var cutoff = Stopwatch.GetTimestamp() - (long)(_options.DuplicateWindowMs / 1000.0 * Stopwatch.Frequency);
        foreach (var (key, seen) in _seenC2S)
        {
            if (seen < cutoff) _seenC2S.TryRemove(new KeyValuePair<(string, string), long>(key, seen));
        }
    }

    private void OnAck(MobileImSession session, Protocal packet)
    {
        if (packet.DataContent is not { } fp) return;
        if (_pending.TryRemove((session.UserId!, fp), out var pending))
        {
            pending.Completion?.TrySetResult(MobileImPushStatus.Received);
            Acknowledged(session.UserId!, pending);
        }
        else
        {
            // Like the Java server, an ACK for an unknown fp still fires "received".
            Observe(_hooks.OnMobileImS2CReceivedAsync(new MobileImS2CPacket(session.UserId!, packet.To ?? MobileImIds.Server, fp, null, -1, null)),
                nameof(ParleyHooks.OnMobileImS2CReceivedAsync));
        }
    }

    private async ValueTask OnEngineEventAsync(MobileImSession session, ClientConnection connection, ServerEvent ev)
    {
        switch (ev)
        {
            case MessageEvent { Message: var message }:
                // MobileIMSDK has neither groups nor multi-device echo of one's own messages.
                if (message.GroupId is not null || message.SenderId == connection.UserId) return;
                Deliver(session, connection, message);
                break;
            case SyncedEvent { More: true } synced:
                try { await _engine.SyncAsync(connection, null, synced.Cursors, null, connection.Closing); }
                catch (OperationCanceledException) { }
                break;
        }
    }

    private void Deliver(MobileImSession session, ClientConnection connection, ChatMessage message)
    {
        var user = session.UserId;
        if (user is null) return;
        var fp = FpOf(message);
        var tracker = _cursors.GetOrAdd(connection.UserId, _ => new CursorTracker());
        if (_pending.ContainsKey((user, fp)))
        {
            tracker.Sent(message); // already in flight (a replay overlapping a live delivery): QoS resends it
            return;
        }
        var packet = ProtocalFactory.CommonData(message.SenderName, session.LoginUserId ?? user, message.Text ?? message.Payload, qos: true, fp,
            TypeUOf(message.Kind));
        if (_options.ServerTimestamp) packet = packet with { Sm = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
        var bytes = ProtocalCodec.Encode(packet);
        if (!session.Fits(bytes.Length))
        {
            Log.TooLargeForClient(_logger, user, bytes.Length);
            return;
        }
        tracker.Sent(message);
        _pending[(user, fp)] = new PendingS2C(packet, bytes, connection.UserId, message);
        session.SendEncoded(bytes);
    }

    /// <summary>Sends a server-originated packet (from "0") to the user's current session, on whichever node it is.</summary>
    internal Task<MobileImPushStatus> PushAsync(string userId, string dataContent, int typeU, bool qos, string? fp)
    {
        var session = OnlineSession(userId);
        if (session is not null) return PushToSessionAsync(session, dataContent, typeU, qos, fp);
        return _bus.IsClustered ? PushRemoteAsync(userId, dataContent, typeU, qos, fp) : Task.FromResult(MobileImPushStatus.Offline);
    }

    private Task<MobileImPushStatus> PushToSessionAsync(MobileImSession session, string dataContent, int typeU, bool qos, string? fp)
    {
        var user = session.UserId;
        if (user is null) return Task.FromResult(MobileImPushStatus.Offline);
        var packet = ProtocalFactory.CommonData(MobileImIds.Server, session.LoginUserId ?? user, dataContent, qos, fp, typeU);
        if (_options.ServerTimestamp) packet = packet with { Sm = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
        var bytes = ProtocalCodec.Encode(packet);
        if (!session.Fits(bytes.Length)) return Task.FromResult(MobileImPushStatus.TooLarge);
        if (!qos) return Task.FromResult(session.SendEncoded(bytes) ? MobileImPushStatus.Sent : MobileImPushStatus.Offline);
        var pending = new PendingS2C(packet, bytes, session.Connection?.UserId ?? 0, null)
        {
            Completion = new TaskCompletionSource<MobileImPushStatus>(TaskCreationOptions.RunContinuationsAsynchronously),
        };
        _pending[(user, packet.Fp!)] = pending;
        session.SendEncoded(bytes);
        return pending.Completion.Task;
    }

    /// <summary>The periodic S2C QoS check: resend what is old enough, report lost what was resent enough.</summary>
    private void CheckQos()
    {
        List<MobileImS2CPacket>? lost = null;
        var now = Stopwatch.GetTimestamp();
        foreach (var (key, pending) in _pending)
        {
            if (pending.Retries >= _options.QosMaxResends)
            {
                if (!_pending.TryRemove(new KeyValuePair<(string, string), PendingS2C>(key, pending))) continue;
                pending.Completion?.TrySetResult(MobileImPushStatus.Lost);
                (lost ??= []).Add(ToHookPacket(key.User, pending));
                continue;
            }
            if (Stopwatch.GetElapsedTime(pending.SentAt, now).TotalMilliseconds < _options.QosResendAfterMs) continue;
            pending.Retries++;
            OnlineSession(key.User)?.SendEncoded(pending.Bytes);
        }
        if (lost is not null) Observe(_hooks.OnMobileImS2CLostAsync(lost), nameof(ParleyHooks.OnMobileImS2CLostAsync));
    }

    private static MobileImS2CPacket ToHookPacket(string user, PendingS2C pending) =>
        new(user, pending.Packet.From ?? MobileImIds.Server, pending.Packet.Fp!, pending.Packet.DataContent, pending.Packet.TypeU, pending.Message?.Id);

    private void Observe(ValueTask pending, string hook)
    {
        if (pending.IsCompletedSuccessfully) return;
        _ = ObserveSlowAsync(pending, hook);
    }

    private async Task ObserveSlowAsync(ValueTask pending, string hook)
    {
        try { await pending; }
        catch (Exception ex) { Log.HookFailed(_logger, ex, hook); }
    }

    /// <summary>The fp of a chat message on this wire: the sender's fp when it was a UUID, else the message id.</summary>
    internal static string FpOf(ChatMessage message) =>
        message.ClientMsgId is { } stored && FingerprintWindow.FpOf(stored) is { Length: 36 } fp && Guid.TryParse(fp, out _) ? fp : message.Id;

    /// <summary>A client fp as a Parley client message id (1–64 characters).</summary>
    internal static string? ClientMsgIdOf(string? fp)
    {
        if (string.IsNullOrEmpty(fp)) return null;
        if (fp.Length <= 64) return fp;
        return "h:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fp)))[..60];
    }

    /// <summary>typeu ↔ message kind: -1 is "text", n ≥ 0 is "typeu.n"; other kinds go out as -1.</summary>
    internal static string KindOf(int typeU) => typeU < 0 ? "text" : "typeu." + typeU.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static int TypeUOf(string kind) =>
        kind.StartsWith("typeu.", StringComparison.Ordinal) && int.TryParse(kind.AsSpan(6), out var n) && n >= 0 ? n : -1;
}
