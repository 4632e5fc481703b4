namespace Parley.Core.Cluster;

/// <summary>This node's id in the cluster (<c>Parley:Cluster:NodeId</c>, or generated once per process).</summary>
public sealed record NodeIdentity(string Id);
