namespace Parley.Transports.WebSockets;

/// <summary>
/// The base of the streams under a server WebSocket: duplex, not seekable, asynchronous only (a synchronous call
/// would block a thread-pool thread on the network). Subclasses supply the asynchronous reads, writes and flush.
/// </summary>
public abstract class AsyncOnlyStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => throw new NotSupportedException("synchronous I/O on a WebSocket");
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous I/O on a WebSocket");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous I/O on a WebSocket");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
