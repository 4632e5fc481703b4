using System.Collections.Concurrent;
using System.Text.Json;
using Parley.Client.Realtime;

namespace Parley.Client;

/// <summary>Request/response with the server: handlers for server calls, and queries to the server's handlers.</summary>
public sealed partial class ParleyClient
{
    private const int MaxErrorMessageChars = 1024;
    private readonly ConcurrentDictionary<string, ServerCallHandler> _callHandlers = new(StringComparer.Ordinal);
    // Handlers at work, by call id, so that a callCancel from the server can stop them.
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _runningCalls = new(StringComparer.Ordinal);

    /// <summary>
    /// Answers server calls of <paramref name="method"/> with <paramref name="handler"/>. Handlers run on the thread
    /// pool, many at once; a call for a method without a handler is answered with error 104 (unknown method).
    /// </summary>
    /// <param name="method">Method name.</param>
    /// <param name="handler">Returns the answer data, or throws <see cref="ParleyCallException"/> for an error answer
    /// (any other exception answers error 500 without its text).</param>
    /// <returns>Disposing it removes the handler.</returns>
    /// <exception cref="InvalidOperationException">A handler for the method is already registered.</exception>
    public IDisposable RegisterCallHandler(string method, ServerCallHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_callHandlers.TryAdd(method, handler))
        {
            throw new InvalidOperationException($"A handler for '{method}' is already registered.");
        }

        return new Registration(() => _callHandlers.TryRemove(new KeyValuePair<string, ServerCallHandler>(method, handler)));
    }

    /// <summary>
    /// Sends a query to the server's handler for <paramref name="method"/> (registered there for this connection's
    /// client kind, or for users) and waits for its answer.
    /// </summary>
    /// <param name="method">Method name (1–128 of <c>A-Z a-z 0-9 _ . : / -</c>).</param>
    /// <param name="payload">Arguments, or null.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The answer data (null when the handler returned none).</returns>
    /// <exception cref="ParleyRequestException">The server answered with an error: 104 unknown method, 300 rate limited,
    /// 302 too many queries in flight, 500 the handler failed, or the handler's own code.</exception>
    /// <exception cref="ParleyConnectionException">Not connected, or the connection was lost before the answer.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ParleyClientOptions.RequestTimeout"/>.</exception>
    public async Task<JsonElement?> QueryAsync(string method, JsonElement? payload = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var reply = await RequestAsync(new ClientFrame { Type = "query", Method = method, Payload = payload }, false, cancellationToken).ConfigureAwait(false);
        return reply.Data is { ValueKind: not JsonValueKind.Null } data ? data : null;
    }

    private void OnCall(ServerFrame frame)
    {
        var connection = _current;
        if (connection is null || frame.CallId is not { } callId)
        {
            return;
        }

        var call = new ServerCall(callId, frame.Method ?? "", frame.Payload, TimeSpan.FromMilliseconds(Math.Max(1, frame.TimeoutMs ?? 10_000)));
        _ = Task.Run(() => AnswerCallAsync(connection, call));
    }

    private void OnCallCancel(ServerFrame frame)
    {
        if (frame.CallId is { } callId && _runningCalls.TryGetValue(callId, out var running))
        {
            try { running.Cancel(); }
            catch (ObjectDisposedException) { } // the handler just finished
        }
    }

    private async Task AnswerCallAsync(Connection connection, ServerCall call)
    {
        ClientFrame answer;
        if (!_callHandlers.TryGetValue(call.Method, out var handler))
        {
            answer = new ClientFrame { Type = "callError", CallId = call.CallId, Code = ParleyErrorCodes.UnknownMethod, Message = "unknown method" };
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.Lifetime.Token);
            timeout.CancelAfter(call.Timeout);
            // A repeated id (a server bug or a hostile peer) is not tracked twice: only the first can be cancelled early.
            var tracked = _runningCalls.TryAdd(call.CallId, timeout);
            try
            {
                var data = await handler(call, timeout.Token).ConfigureAwait(false);
                answer = new ClientFrame { Type = "callResult", CallId = call.CallId, Data = data };
            }
            catch (ParleyCallException ex)
            {
                var message = ex.Message.Length > MaxErrorMessageChars ? ex.Message[..MaxErrorMessageChars] : ex.Message;
                answer = new ClientFrame { Type = "callError", CallId = call.CallId, Code = ex.Code, Message = message };
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return; // the server stopped waiting, or the connection is gone
            }
            catch (Exception ex)
            {
                Diag($"handler for {call.Method} threw: {ex}");
                answer = new ClientFrame { Type = "callError", CallId = call.CallId, Code = ParleyErrorCodes.Internal, Message = "handler failed" };
            }
            finally
            {
                if (tracked) _runningCalls.TryRemove(new KeyValuePair<string, CancellationTokenSource>(call.CallId, timeout));
            }
        }

        try
        {
            await connection.WriteAsync(answer, connection.Lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ParleyConnectionException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is gone; the server already ended the call as lost.
            Diag($"could not answer call {call.CallId}: {ex.Message}");
        }
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
