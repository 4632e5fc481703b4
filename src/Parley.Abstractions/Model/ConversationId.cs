using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Parley.Abstractions.Model;

/// <summary>
/// Names a conversation: <c>d:{lowUserId}:{highUserId}</c> for a direct one, <c>g:{groupId}</c> for a group.
/// The string form is what clients and stores see.
/// </summary>
public readonly record struct ConversationId
{
    private ConversationId(string value, long groupId, long userA, long userB)
    {
        Value = value;
        GroupId = groupId;
        UserA = userA;
        UserB = userB;
    }

    /// <summary>The canonical string form.</summary>
    public string Value { get; }
    /// <summary>The group id for a group conversation, else 0.</summary>
    public long GroupId { get; }
    /// <summary>The lower user id of a direct conversation, else 0.</summary>
    public long UserA { get; }
    /// <summary>The higher user id of a direct conversation, else 0.</summary>
    public long UserB { get; }
    /// <summary>True for a group conversation.</summary>
    public bool IsGroup => GroupId != 0;

    /// <summary>The direct conversation of two users (order does not matter).</summary>
    public static ConversationId Direct(long a, long b)
    {
        var (lo, hi) = a <= b ? (a, b) : (b, a);
        return new ConversationId(string.Create(CultureInfo.InvariantCulture, $"d:{lo}:{hi}"), 0, lo, hi);
    }

    /// <summary>The conversation of a group.</summary>
    public static ConversationId Group(long groupId) =>
        new(string.Create(CultureInfo.InvariantCulture, $"g:{groupId}"), groupId, 0, 0);

    /// <summary>True if the user takes part in this direct conversation.</summary>
    public bool HasParticipant(long userId) => !IsGroup && (UserA == userId || UserB == userId);

    /// <summary>For a direct conversation, the participant who is not <paramref name="userId"/>.</summary>
    public long OtherParticipant(long userId) => UserA == userId ? UserB : UserA;

    /// <summary>Parses the canonical form; rejects anything else (including non-canonical order).</summary>
    public static bool TryParse(string? s, [NotNullWhen(true)] out ConversationId? id)
    {
        id = null;
        if (string.IsNullOrEmpty(s) || s.Length > 64) return false;
        if (s.StartsWith("g:", StringComparison.Ordinal))
        {
            if (long.TryParse(s.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var g) && g > 0)
            {
                id = Group(g);
                return id.Value.Value == s;
            }
            return false;
        }
        if (s.StartsWith("d:", StringComparison.Ordinal))
        {
            var rest = s.AsSpan(2);
            var colon = rest.IndexOf(':');
            if (colon <= 0) return false;
            if (long.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var a) &&
                long.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var b) &&
                a > 0 && b > 0 && a != b)
            {
                id = Direct(a, b);
                return id.Value.Value == s;
            }
        }
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Value;
}
