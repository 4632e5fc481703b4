using System.IO.Pipelines;

namespace Parley.Transports.WebSockets.Direct;

/// <summary>
/// A Kestrel connection's pipes as one stream for a WebSocket. Reads of zero bytes wait for data without taking a
/// buffer, so an idle connection holds none. Disposing wakes a pending read or flush; the connection itself is closed
/// by Kestrel when the connection delegate returns.
/// </summary>
public sealed class DuplexPipeStream(IDuplexPipe transport) : AsyncOnlyStream
{
    private readonly Stream _input = transport.Input.AsStream(leaveOpen: true);
    private readonly Stream _output = transport.Output.AsStream(leaveOpen: true);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => _input.ReadAsync(buffer, ct);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => _input.ReadAsync(buffer, offset, count, ct);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => _output.WriteAsync(buffer, ct);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => _output.WriteAsync(buffer, offset, count, ct);

    public override Task FlushAsync(CancellationToken ct) => _output.FlushAsync(ct);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            transport.Input.CancelPendingRead();
            transport.Output.CancelPendingFlush();
        }
        base.Dispose(disposing);
    }
}
