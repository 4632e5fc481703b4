using System.Text.Json;
using Parley.Abstractions.Calls;
using Parley.Core.Diagnostics;
using Parley.Core.Options;
using Parley.Core.Sessions;

namespace Parley.Core.Clients;

/// <summary>
/// <see cref="IClientCalls"/>: checks the request (method name, timeout), hands it to the
/// <see cref="IClientCallDispatcher"/> and counts outcomes.
/// </summary>
public sealed class ClientCalls(IClientCallDispatcher dispatcher, ParleyOptions options, ParleyMetrics metrics) : IClientCalls
{
    public async Task<ClientCallResult> CallAsync(ClientTarget target, string method, JsonElement? payload = null, TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var result = Validate(target, method, timeout, out var wait) ?? await dispatcher.DispatchAsync(new ClientCallRequest(target, method, payload, wait), ct);
        metrics.ClientCalls.Add(1, new KeyValuePair<string, object?>("status", result.Status.ToString()));
        return result;
    }

    private ClientCallResult? Validate(ClientTarget target, string method, TimeSpan? timeout, out TimeSpan wait)
    {
        var clients = options.Clients;
        wait = timeout ?? TimeSpan.FromMilliseconds(clients.DefaultCallTimeoutMs);
        if (target.UserId <= 0 && target.Client is null) return ClientCallResult.Fail(ClientCallStatus.Invalid, "a target user or client is required");
        if (!ClientRpc.IsValidMethod(method))
            return ClientCallResult.Fail(ClientCallStatus.Invalid, "method must be 1-128 of A-Z a-z 0-9 _ . : / -");
        if (wait <= TimeSpan.Zero || wait > TimeSpan.FromMilliseconds(clients.MaxCallTimeoutMs))
            return ClientCallResult.Fail(ClientCallStatus.Invalid, $"timeout must be between 1 and {clients.MaxCallTimeoutMs} ms");
        return null;
    }
}

/// <summary>
/// Delivers calls to connections of this node: a client identity's connection, or a user's newest connection whose
/// transport carries calls. The cluster seam: a routing dispatcher replaces this registration and calls it on the
/// node that holds the target.
/// </summary>
public sealed class LocalClientCallDispatcher(SessionRegistry registry) : IClientCallDispatcher
{
    public Task<ClientCallResult> DispatchAsync(ClientCallRequest request, CancellationToken ct)
    {
        var calls = Find(request.Target)?.Calls;
        return calls is null
            ? Task.FromResult(ClientCallResult.Fail(ClientCallStatus.NotConnected, $"{request.Target} is not connected"))
            : calls.CallAsync(request.Method, request.Payload, request.Timeout, ct);
    }

    /// <summary>Whether the target has a connection on this node that can answer calls.</summary>
    public bool IsLocal(ClientTarget target) => Find(target)?.AcceptsCalls == true;

    private ClientConnection? Find(ClientTarget target)
    {
        if (target.Client is { } client)
        {
            var connection = registry.GetClient(client);
            return connection is { IsClosed: false, Calls: not null } ? connection : null;
        }
        var connections = registry.Get(target.UserId);
        // Registration order: the last is the newest.
        for (var i = connections.Length - 1; i >= 0; i--)
        {
            if (connections[i] is { IsClosed: false, Calls: not null } c) return c;
        }
        return null;
    }
}
