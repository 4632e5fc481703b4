using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Events;
using Parley.Core.Diagnostics;
using Parley.Core.Sessions;

namespace Parley.Core.Clients;

/// <summary>
/// What transports call for the request/response traffic between server and clients: answers to server calls, and
/// client queries dispatched to the handlers registered for the caller's kind and the method. Queries run off the
/// connection's receive loop (a handler may itself call the same client and wait for its answer), at most
/// <c>MaxQueriesInFlight</c> at once per connection.
/// </summary>
public sealed partial class ClientRpc
{
    private readonly FrozenDictionary<(string Kind, string Method), IClientQueryHandler> _handlers;
    private readonly ParleyMetrics _metrics;
    private readonly ILogger _logger;
    private readonly bool _exposeErrors;

    public ClientRpc(IEnumerable<IClientQueryHandler> handlers, ParleyMetrics metrics, ILogger<ClientRpc> logger, IHostEnvironment? environment = null)
    {
        var map = new Dictionary<(string, string), IClientQueryHandler>();
        foreach (var handler in handlers)
        {
            if (handler.Kind != ClientQueryKinds.Any && handler.Kind != ClientQueryKinds.Users && !ClientKinds.IsValidKindName(handler.Kind))
                throw new InvalidOperationException($"query handler kind '{handler.Kind}' is not a valid client kind name, '{ClientQueryKinds.Users}' or '{ClientQueryKinds.Any}'");
            if (!IsValidMethod(handler.Method)) throw new InvalidOperationException($"query handler method '{handler.Method}' is not a valid method name");
            if (!map.TryAdd((handler.Kind, handler.Method), handler))
                throw new InvalidOperationException($"two query handlers for kind '{handler.Kind}' and method '{handler.Method}'");
        }
        _handlers = map.ToFrozenDictionary();
        _metrics = metrics;
        _logger = logger;
        _exposeErrors = environment?.IsDevelopment() ?? false;
    }

    /// <summary>1–128 of <c>A-Z a-z 0-9 _ . : / -</c>.</summary>
    public static bool IsValidMethod(string? method) => method is not null && MethodPattern().IsMatch(method);

    [GeneratedRegex("^[A-Za-z0-9_.:/-]{1,128}$")]
    private static partial Regex MethodPattern();

    /// <summary>Whether an answer with this call id would complete a waiting call.</summary>
    public static bool IsAwaitingAnswer(ClientConnection connection, long callId) => connection.ExistingCalls?.IsPending(callId) == true;

    /// <summary>Completes a waiting call with the client's answer; an answer to an ended or unknown call is dropped.</summary>
    public bool Answer(ClientConnection connection, long callId, ClientCallResult result)
    {
        if (connection.ExistingCalls?.Complete(callId, result) == true) return true;
        CoreLog.LateCallAnswer(_logger, callId, connection.Id);
        _metrics.ClientCallLateAnswers.Add(1);
        return false;
    }

    /// <summary>Starts handling a query; the reply (<c>result</c> or <c>error</c> with the request id) is queued when it ends.</summary>
    public void StartQuery(ClientConnection connection, string? requestId, string? method, JsonElement? payload)
    {
        if (!IsValidMethod(method))
        {
            Reply(connection, new ErrorEvent(requestId, ErrorCodes.InvalidField, "method must be 1-128 of A-Z a-z 0-9 _ . : / -"), "invalid");
            return;
        }
        var kind = connection.ClientKind ?? ClientQueryKinds.Users;
        if (!_handlers.TryGetValue((kind, method!), out var handler) && !_handlers.TryGetValue((ClientQueryKinds.Any, method!), out handler))
        {
            Reply(connection, new ErrorEvent(requestId, ErrorCodes.UnknownMethod, "unknown method"), "unknown_method");
            return;
        }
        if (!connection.TryBeginQuery())
        {
            Reply(connection, new ErrorEvent(requestId, ErrorCodes.TooManyInFlight, "too many queries in flight; wait for answers"), "too_many");
            return;
        }
        _ = Task.Run(() => RunAsync(connection, requestId, handler, new ClientQueryContext(connection, method!, payload)));
    }

    private async Task RunAsync(ClientConnection connection, string? requestId, IClientQueryHandler handler, ClientQueryContext context)
    {
        try
        {
            var data = await handler.HandleAsync(context, connection.Closing);
            Reply(connection, new ResultEvent(requestId, data), "ok");
        }
        catch (ClientQueryException ex)
        {
            Reply(connection, new ErrorEvent(requestId, ex.Code, ex.Message), "refused");
        }
        catch (OperationCanceledException) when (connection.Closing.IsCancellationRequested)
        {
            // The caller is gone; nobody to answer.
        }
        catch (Exception ex)
        {
            CoreLog.QueryFailed(_logger, ex, context.Method, connection.Id);
            Reply(connection, new ErrorEvent(requestId, ErrorCodes.Internal, _exposeErrors ? ex.ToString() : "internal error"), "failed");
        }
        finally
        {
            connection.EndQuery();
        }
    }

    private void Reply(ClientConnection connection, ServerEvent reply, string outcome)
    {
        _metrics.ClientQueries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        connection.EnqueueReply(reply);
    }
}

/// <summary>A query handler from a delegate (<c>AddParleyClientMethod</c>).</summary>
internal sealed class DelegateClientQueryHandler(string kind, string method,
    Func<ClientQueryContext, CancellationToken, ValueTask<JsonElement?>> handle) : IClientQueryHandler
{
    public string Kind => kind;
    public string Method => method;
    public ValueTask<JsonElement?> HandleAsync(ClientQueryContext context, CancellationToken ct) => handle(context, ct);
}
