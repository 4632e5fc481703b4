using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Parley.Protocol;
using Parley.Protocol.MobileImSdk;

namespace Parley.Transports.MobileImSdk;

/// <summary>TCP on Kestrel: 4-byte big-endian body length + UTF-8 JSON; a too-large or zero length closes the connection.</summary>
public sealed class MobileImTcpConnectionHandler(MobileImGateway gateway, IOptions<MobileImGatewayOptions> options) : ConnectionHandler
{
    private static readonly TimeSpan FlushGrace = TimeSpan.FromSeconds(5);

    public override async Task OnConnectedAsync(ConnectionContext context)
    {
        var session = new TcpSession(context, options.Value.Tcp);
        gateway.Start(session);
        var input = context.Transport.Input;
        var max = session.Options.MaxPacketBytes;
        try
        {
            while (!session.IsClosing)
            {
                var result = await input.ReadAsync(session.TransportClosed);
                var buffer = result.Buffer;
                var stop = false;
                while (!session.IsClosing)
                {
                    if (!MobileImTcpFraming.TryReadFrame(ref buffer, max, out var frame))
                    {
                        if (frame.Status != ParseStatus.NeedMore)
                        {
                            await gateway.HandleAsync(session, new ProtocalDecodeResult(frame.Status, null, frame.Error));
                            stop = true;
                        }
                        break;
                    }
                    await gateway.HandleAsync(session, ProtocalCodec.Decode(frame.Body, max));
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (stop || result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException) { }
        finally
        {
            gateway.End(session);
            await Task.WhenAny(session.Completion, Task.Delay(FlushGrace));
        }
    }

    private sealed class TcpSession(ConnectionContext context, ListenerOptions options)
        : MobileImSession(MobileImGateway.TcpTransport, context.RemoteEndPoint?.ToString(), options, closesOnError: true)
    {
        protected override ValueTask WriteAsync(byte[] packet, CancellationToken ct)
        {
            MobileImTcpFraming.WriteFrame(context.Transport.Output, packet);
            return default;
        }

        protected override async ValueTask FlushAsync(CancellationToken ct) => await context.Transport.Output.FlushAsync(ct);

        protected override async ValueTask CloseTransportAsync()
        {
            await context.Transport.Output.CompleteAsync();
            context.Transport.Input.CancelPendingRead();
        }
    }
}
