using System.ComponentModel.DataAnnotations;

namespace Parley.Cluster.RabbitMq;

/// <summary><c>Parley:Cluster:RabbitMq</c>: where the broker is and how this node talks to it.</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "Parley:Cluster:RabbitMq";

    [Required] public string Host { get; set; } = "127.0.0.1";
    [Range(1, 65535)] public int Port { get; set; } = 5672;
    [Required] public string UserName { get; set; } = "guest";
    [Required] public string Password { get; set; } = "guest";
    [Required] public string VirtualHost { get; set; } = "/";

    /// <summary>The direct exchange the nodes share (one per Parley service on a broker).</summary>
    [Required, RegularExpression("^[A-Za-z0-9_.:-]{1,200}$")] public string Exchange { get; set; } = "parley";

    /// <summary>First wait before reconnecting; doubles on every failed attempt up to <see cref="ReconnectMaxMs"/>.</summary>
    [Range(10, 60_000)] public int ReconnectMinMs { get; set; } = 200;
    [Range(10, 600_000)] public int ReconnectMaxMs { get; set; } = 5000;

    /// <summary>AMQP heart-beat: a dead broker connection is noticed within about twice this.</summary>
    [Range(1, 600)] public int HeartbeatSeconds { get; set; } = 5;

    /// <summary>Messages waiting to be published before new ones are dropped (other nodes repair from the store).</summary>
    [Range(16, 10_000_000)] public int PublishQueueCapacity { get; set; } = 100_000;

    /// <summary>Messages a node's queue holds before the oldest are dropped (a stalled node must not exhaust the broker).</summary>
    [Range(1000, 100_000_000)] public int MaxQueueLength { get; set; } = 1_000_000;
}
