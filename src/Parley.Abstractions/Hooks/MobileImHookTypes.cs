namespace Parley.Abstractions.Hooks;

/// <summary>A MobileIMSDK login whose credentials (password or JWT) were already verified.</summary>
/// <param name="Account">The account that logs in (its name is the MobileIMSDK user id).</param>
/// <param name="LoginUserId">The <c>loginUserId</c> exactly as the client sent it.</param>
/// <param name="Extra">The login packet's optional <c>extra</c> text.</param>
/// <param name="Transport">"mobileimsdk-udp", "mobileimsdk-tcp" or "mobileimsdk-ws".</param>
/// <param name="RemoteAddress">Peer address.</param>
public sealed record MobileImLoginContext(Model.Account Account, string LoginUserId, string? Extra, string Transport, string? RemoteAddress);

/// <summary>A client-to-server data packet (type 2 with <c>to</c> = "0").</summary>
/// <param name="From">Sender's user id (account name).</param>
/// <param name="SenderId">Sender's Parley user id.</param>
/// <param name="DataContent">The application text.</param>
/// <param name="Fp">Fingerprint, when the packet asked for QoS.</param>
/// <param name="QoS">Whether the client asked for an acknowledgement (already sent when the hook runs).</param>
/// <param name="TypeU">Application sub-type (-1 = unused).</param>
/// <param name="Transport">The gateway transport it arrived on.</param>
public sealed record MobileImC2SData(string From, long SenderId, string? DataContent, string? Fp, bool QoS, int TypeU, string Transport);

/// <summary>An answer to a client-to-server packet: sent back to the sender as a type-2 packet from "0".</summary>
/// <param name="DataContent">The text to send.</param>
/// <param name="TypeU">Application sub-type (-1 = unused).</param>
/// <param name="QoS">Send with QoS (resent until acknowledged, then reported through the S2C hooks).</param>
public sealed record MobileImReply(string DataContent, int TypeU = -1, bool QoS = true);

/// <summary>A server-to-client QoS packet that was acknowledged or given up on.</summary>
/// <param name="To">Receiver's user id (account name).</param>
/// <param name="From">The packet's sender ("0" for server pushes, else the account name of a forwarded message's sender).</param>
/// <param name="Fp">Fingerprint.</param>
/// <param name="DataContent">The packet's text.</param>
/// <param name="TypeU">Application sub-type.</param>
/// <param name="MessageId">The Parley message id when the packet carried a stored chat message (it stays undelivered and is replayed at the next login), else null.</param>
public sealed record MobileImS2CPacket(string To, string From, string Fp, string? DataContent, int TypeU, string? MessageId);
