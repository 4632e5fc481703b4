using System.ComponentModel.DataAnnotations;

namespace Parley.Core.Cluster;

/// <summary>
/// <c>Parley:Cluster</c>: whether this node is one of several (and how it finds the others), and the timings of the
/// cluster machinery. The default, <c>none</c>, is one self-contained node with in-memory broker and presence.
/// </summary>
public sealed class ClusterOptions : IValidatableObject
{
    public const string NoneProvider = "none";
    public const string RabbitMqProvider = "rabbitmq";

    /// <summary><c>none</c> (single node, in-memory) or <c>rabbitmq</c> (broker and presence over RabbitMQ).</summary>
    public string Provider { get; set; } = NoneProvider;

    /// <summary>This node's id, unique in the cluster (letters, digits, '-', '_', '.'); empty = generated at start.</summary>
    [MaxLength(64)] public string? NodeId { get; set; }

    /// <summary>How long a node holds back a message that arrived ahead of a missing one before filling the gap from the store.</summary>
    [Range(1, 60_000)] public int ReorderWaitMs { get; set; } = 500;

    /// <summary>How often a node tells the others it is alive (replicated presence).</summary>
    [Range(50, 60_000)] public int HeartbeatMs { get; set; } = 1000;

    /// <summary>A node not heard from for this long is dead: its users go offline. At least twice <see cref="HeartbeatMs"/>.</summary>
    [Range(200, 600_000)] public int NodeTimeoutMs { get; set; } = 5000;

    /// <summary>How long a call routed to another node (push, server-to-client call) waits for its answer.</summary>
    [Range(100, 600_000)] public int RequestTimeoutMs { get; set; } = 5000;

    /// <summary>
    /// After the bus comes back, messages stamped up to this long before the outage began are re-delivered to this
    /// node's clients if they have no record of them (clock skew between nodes).
    /// </summary>
    [Range(0, 600_000)] public int CatchUpSlackMs { get; set; } = 5000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(Provider, NoneProvider, StringComparison.OrdinalIgnoreCase) &&
            !string.Equals(Provider, RabbitMqProvider, StringComparison.OrdinalIgnoreCase))
            yield return new ValidationResult($"must be '{NoneProvider}' or '{RabbitMqProvider}'", [nameof(Provider)]);
        if (NodeTimeoutMs < 2 * HeartbeatMs)
            yield return new ValidationResult("must be at least twice HeartbeatMs", [nameof(NodeTimeoutMs)]);
        if (!string.IsNullOrEmpty(NodeId) && !IsValidNodeId(NodeId))
            yield return new ValidationResult("1-64 characters of letters, digits, '-', '_' or '.'", [nameof(NodeId)]);
    }

    public static bool IsValidNodeId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The configured id, or a generated one (host name and a random suffix).</summary>
    public string ResolveNodeId()
    {
        if (!string.IsNullOrEmpty(NodeId)) return NodeId;
        var host = new string(Environment.MachineName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').Take(40).ToArray());
        return (host.Length == 0 ? "node" : host) + "-" + Guid.NewGuid().ToString("N")[..8];
    }
}
