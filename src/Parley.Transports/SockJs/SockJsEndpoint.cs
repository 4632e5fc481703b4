using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Parley.Abstractions;
using Parley.Protocol.SockJs;
using Parley.Transports.Native;
using Parley.Transports.Stomp;

using Parley.Transports.WebSockets;

namespace Parley.Transports.SockJs;

/// <summary>
/// The SockJS endpoint at <c>/stomp/sockjs</c> for sockjs-client 1.x: <c>/info</c>, the <c>websocket</c>,
/// <c>xhr_streaming</c> and <c>xhr</c> (polling) + <c>xhr_send</c> transports, with the <c>o</c>/<c>h</c>/
/// <c>a[...]</c>/<c>c[...]</c> framing. Each SockJS session carries one STOMP session.
/// </summary>
public sealed class SockJsEndpoint(StompServer server, StompWebSocketEndpoint webSocket, SockJsSessions sessions, StompOriginPolicy origins)
{
    public const string TransportName = "stomp-sockjs";
    private const string JavaScript = "application/javascript; charset=UTF-8";
    private static readonly byte[] StreamingPrelude = Encoding.ASCII.GetBytes(new string('h', 2048) + "\n");

    public async Task HandleAsync(HttpContext context, string path)
    {
        var request = SockJsPath.Parse(path);
        var method = context.Request.Method;
        if (request.Kind != SockJsRequestKind.Invalid && request.Kind != SockJsRequestKind.Greeting && !origins.IsAllowed(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        switch (request.Kind)
        {
            case SockJsRequestKind.Greeting when HttpMethods.IsGet(method):
                context.Response.ContentType = "text/plain; charset=UTF-8";
                await context.Response.WriteAsync("Welcome to SockJS!\n");
                return;
            case SockJsRequestKind.Info:
                await InfoAsync(context);
                return;
            case SockJsRequestKind.RawWebSocket:
                await webSocket.AcceptAsync(context, StompWebSocketEndpoint.TransportName, sockJs: false);
                return;
            case SockJsRequestKind.Transport when request.Transport == SockJsTransport.WebSocket:
                if (!HttpMethods.IsGet(method)) break;
                await webSocket.AcceptAsync(context, TransportName, sockJs: true);
                return;
            case SockJsRequestKind.Transport when request.Transport is SockJsTransport.Xhr or SockJsTransport.XhrStreaming or SockJsTransport.XhrSend:
                if (HttpMethods.IsOptions(method))
                {
                    Preflight(context, "OPTIONS, POST");
                    return;
                }
                if (!HttpMethods.IsPost(method)) break;
                StompOriginPolicy.ApplyCors(context);
                NoCache(context);
                if (request.Transport == SockJsTransport.XhrSend) await SendAsync(context, request.SessionId!);
                else await ReceiveAsync(context, request.SessionId!, streaming: request.Transport == SockJsTransport.XhrStreaming);
                return;
        }
        context.Response.StatusCode = request.Kind == SockJsRequestKind.Invalid || request.Kind == SockJsRequestKind.Transport
            ? StatusCodes.Status404NotFound
            : StatusCodes.Status405MethodNotAllowed;
    }

    private static async Task InfoAsync(HttpContext context)
    {
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            Preflight(context, "OPTIONS, GET");
            return;
        }
        StompOriginPolicy.ApplyCors(context);
        NoCache(context);
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(SockJsInfo.CreateJson((uint)RandomNumberGenerator.GetInt32(int.MaxValue)));
    }

    private static void Preflight(HttpContext context, string methods)
    {
        StompOriginPolicy.ApplyCors(context);
        var headers = context.Response.Headers;
        headers.AccessControlAllowMethods = methods;
        var requested = context.Request.Headers.AccessControlRequestHeaders.ToString();
        if (!string.IsNullOrEmpty(requested)) headers.AccessControlAllowHeaders = requested;
        headers.AccessControlMaxAge = "31536000";
        headers.CacheControl = "public, max-age=31536000";
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static void NoCache(HttpContext context) => context.Response.Headers.CacheControl = "no-store, no-cache, no-transform, must-revalidate, max-age=0";

    private async Task SendAsync(HttpContext context, string sessionId)
    {
        if (sessions.Get(sessionId) is not { } session)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var max = server.Options.MaxInboundMessageBytes * 6 + 64;
        using var body = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            body.Write(buffer, 0, read);
            if (body.Length > max) break;
        }
        var parsed = SockJsMessageParser.Parse(body.GetBuffer().AsSpan(0, (int)body.Length), max);
        if (!parsed.IsSuccess)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = "text/plain; charset=UTF-8";
            await context.Response.WriteAsync(parsed.ErrorMessage ?? "Broken JSON encoding.");
            return;
        }
        session.Touch();
        await session.FeedAsync(parsed.Messages, context.RequestAborted);
        context.Response.ContentType = "text/plain; charset=UTF-8";
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task ReceiveAsync(HttpContext context, string sessionId, bool streaming)
    {
        var session = sessions.GetOrCreate(sessionId,
            _ => server.CreateSession(TransportName, HttpUpgradeRequest.RemoteOf(context), HttpUpgradeRequest.TokenFrom(context.Request)),
            out var created);
        context.Response.ContentType = JavaScript;
        var output = context.Response.Body;
        var ct = context.RequestAborted;
        if (!session.TryAttachReceiver())
        {
            await WriteAsync(context, SockJsFrames.CloseFrame(SockJsFrames.AnotherConnectionStillOpenCode, "Another connection still open") + "\n");
            return;
        }
        try
        {
            if (streaming) await output.WriteAsync(StreamingPrelude, ct);
            if (created)
            {
                await WriteAsync(context, "o\n");
                if (!streaming) return;
            }
            var options = server.Options;
            var outbox = session.Stomp.Outbox;
            var written = 0L;
            while (!ct.IsCancellationRequested)
            {
                if (session.Finished)
                {
                    await WriteAsync(context, SockJsFrames.CloseFrame() + "\n");
                    return;
                }
                var items = outbox.TakeAvailable(64 * 1024);
                if (items.Count > 0)
                {
                    var frame = SockJsFrames.MessagesFrame(items.Select(i => Encoding.UTF8.GetString(i.Span))) + "\n";
                    written += await WriteAsync(context, frame, options.SendTimeLimitMs, session);
                    if (!streaming || written >= options.SockJsStreamBytesLimit) return;
                    continue;
                }
                if (outbox.IsDrained)
                {
                    var (code, reason) = StompWebSocketRunner.SockJsClose(outbox.CloseCode ?? DisconnectCode.Normal);
                    await WriteAsync(context, SockJsFrames.CloseFrame(code, reason) + "\n");
                    session.Finished = true;
                    return;
                }
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(options.SockJsHeartbeatMs);
                try { await outbox.WaitToReadAsync(wait.Token); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await WriteAsync(context, "h\n");
                    if (!streaming) return;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        finally
        {
            session.DetachReceiver();
            if (session.Finished) sessions.Remove(session);
        }
    }

    private static async Task<int> WriteAsync(HttpContext context, string text, int timeLimitMs = 0, SockJsSession? session = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (timeLimitMs > 0) timer.CancelAfter(timeLimitMs);
        try
        {
            await context.Response.Body.WriteAsync(bytes, timer.Token);
            await context.Response.Body.FlushAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested && session is not null)
        {
            session.Stomp.Connection?.Close(DisconnectCode.SlowConsumer);
            throw;
        }
        return bytes.Length;
    }
}
