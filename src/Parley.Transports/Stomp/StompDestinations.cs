using System.Globalization;
using Parley.Core.Messaging;

namespace Parley.Transports.Stomp;

/// <summary>What a subscription receives.</summary>
internal enum SubscriptionKind
{
    /// <summary><c>/user/queue/messages</c>: every message addressed to the user.</summary>
    Messages,
    /// <summary><c>/user/queue/receipts</c>: acknowledgements of the user's sends.</summary>
    Receipts,
    /// <summary><c>/user/queue/errors</c>: per-message errors.</summary>
    Errors,
    /// <summary><c>/user/queue/removals</c>: messages removed in the user's conversations.</summary>
    Removals,
    /// <summary><c>/user/queue/notices</c>: changes to the user's friends and groups made by others.</summary>
    Notices,
    /// <summary><c>/user/queue/calls</c>: server → client calls and their cancellations (subscribing lets the server call).</summary>
    Calls,
    /// <summary><c>/user/queue/replies</c>: answers to the client's queries.</summary>
    Replies,
    /// <summary><c>/topic/groups/{id}</c>.</summary>
    Group,
    /// <summary><c>/topic/presence</c>.</summary>
    Presence,
    /// <summary>A free pub/sub destination.</summary>
    Free,
}

/// <summary>The Spring-style destination names Parley understands (documented in docs/protocol.md, "STOMP 1.2").</summary>
internal static class StompDestinations
{
    public const string Messages = "/user/queue/messages";
    public const string Receipts = "/user/queue/receipts";
    public const string Errors = "/user/queue/errors";
    public const string Removals = "/user/queue/removals";
    public const string Notices = "/user/queue/notices";
    public const string Calls = "/user/queue/calls";
    public const string Replies = "/user/queue/replies";
    public const string AppCalls = "/app/calls";
    public const string AppQuery = "/app/query";
    public const string Presence = "/topic/presence";
    public const string GroupPrefix = "/topic/groups/";
    public const int MaxLength = 256;

    /// <summary><c>/app/chat/{recipient}</c> and <c>/app/groups/{id}</c>.</summary>
    public static MessageTarget? AppTarget(string destination)
    {
        if (destination.StartsWith("/app/chat/", StringComparison.Ordinal))
        {
            var recipient = Uri.UnescapeDataString(destination["/app/chat/".Length..]);
            return recipient.Length is > 0 and <= 128 && !recipient.Contains('/') ? MessageTarget.ToUser(recipient) : null;
        }
        if (destination.StartsWith("/app/groups/", StringComparison.Ordinal)
            && long.TryParse(destination.AsSpan("/app/groups/".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var group))
            return MessageTarget.ToGroup(group);
        return null;
    }

    /// <summary>
    /// The destinations whose body is <c>{"conversation","seq"}</c>: <c>/app/ack</c> (delivered), <c>/app/read</c>
    /// and <c>/app/remove</c> (remove a message): "ack" / "read" / "remove", else null.
    /// </summary>
    public static string? Cursor(string destination) => destination switch
    {
        "/app/ack" => "ack",
        "/app/read" => "read",
        "/app/remove" => "remove",
        _ => null,
    };

    /// <summary>A free pub/sub destination: under /topic/ or /queue/, not reserved, bounded and printable.</summary>
    public static bool IsFree(string destination)
    {
        if (destination.Length > MaxLength) return false;
        if (!destination.StartsWith("/topic/", StringComparison.Ordinal) && !destination.StartsWith("/queue/", StringComparison.Ordinal)) return false;
        if (IsReserved(destination)) return false;
        var name = destination.AsSpan(destination.IndexOf('/', 1) + 1);
        if (name.IsEmpty) return false;
        foreach (var c in name)
        {
            if (char.IsControl(c) || c is '*' or '#' or ' ') return false;
        }
        return true;
    }

    private static bool IsReserved(string destination) =>
        destination == "/topic/groups" || destination.StartsWith(GroupPrefix, StringComparison.Ordinal)
        || destination == Presence || destination.StartsWith(Presence + "/", StringComparison.Ordinal);

    /// <summary>
    /// Resolves <c>/user/queue/x</c> (or Spring's explicit <c>/user/{me}/queue/x</c>) for the connected user.
    /// Returns the kind, or an error: another user's destination or an unknown one.
    /// </summary>
    public static (SubscriptionKind? Kind, string? Error) ResolveUser(string destination, long userId, string userName)
    {
        var rest = destination["/user/".Length..];
        if (!rest.StartsWith("queue/", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/');
            var owner = slash < 0 ? rest : rest[..slash];
            if (!string.Equals(owner, userName, StringComparison.OrdinalIgnoreCase) && owner != userId.ToString(CultureInfo.InvariantCulture))
                return (null, "cannot subscribe to another user's destination");
            rest = slash < 0 ? "" : rest[(slash + 1)..];
        }
        return ("/user/" + rest) switch
        {
            Messages => (SubscriptionKind.Messages, null),
            Receipts => (SubscriptionKind.Receipts, null),
            Errors => (SubscriptionKind.Errors, null),
            Removals => (SubscriptionKind.Removals, null),
            Notices => (SubscriptionKind.Notices, null),
            Calls => (SubscriptionKind.Calls, null),
            Replies => (SubscriptionKind.Replies, null),
            _ => (null, "unknown user destination (use /user/queue/messages, /user/queue/receipts, /user/queue/errors, /user/queue/removals, /user/queue/notices, /user/queue/calls or /user/queue/replies)"),
        };
    }

    public static long? GroupOf(string destination) =>
        destination.StartsWith(GroupPrefix, StringComparison.Ordinal)
        && long.TryParse(destination.AsSpan(GroupPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
