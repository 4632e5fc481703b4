namespace Parley.Core.Sessions;

/// <summary>
/// The transport under a <see cref="ClientConnection"/>, as <see cref="ConnectionSweeper"/> sees it. The sweep keeps
/// the per-connection deadlines (the close grace, a stalled write, the transport's keep-alive) in one pass over all
/// connections about once a second, so that an idle connection carries no timer and no cancellation source of its own.
/// </summary>
public interface IConnectionLink
{
    /// <summary>Tears the transport down now: its pending reads and writes end with an error. Must not block or throw.</summary>
    void Abort();

    /// <summary>Called on every sweep of an open connection (a <see cref="System.Diagnostics.Stopwatch"/> timestamp); may send a keep-alive. Must not block or throw.</summary>
    void KeepAliveTick(long timestamp);
}
