using System.Text.Json;

namespace Parley.Abstractions.Calls;

/// <summary>
/// A device or program connected as a client kind (a queue-calling screen, a kiosk, an information-system client)
/// with its id within that kind. At most one live connection per identity (see docs/protocol.md, "Client kinds").
/// </summary>
/// <param name="Kind">Configured client kind (<c>Parley:Clients:Kinds:{kind}</c>).</param>
/// <param name="Id">The client's id within its kind.</param>
public readonly record struct ClientIdentity(string Kind, string Id)
{
    /// <inheritdoc />
    public override string ToString() => Kind + "/" + Id;
}

/// <summary>Whom a server → client call goes to: one user's newest native connection, or one client identity.</summary>
public readonly record struct ClientTarget
{
    private ClientTarget(long userId, ClientIdentity? client)
    {
        UserId = userId;
        Client = client;
    }

    /// <summary>The user, when the target is a user (0 otherwise).</summary>
    public long UserId { get; }

    /// <summary>The client identity, when the target is a client.</summary>
    public ClientIdentity? Client { get; }

    /// <summary>The user's most recently opened connection that can answer calls.</summary>
    /// <param name="userId">User id.</param>
    /// <returns>The target.</returns>
    public static ClientTarget User(long userId) =>
        userId > 0 ? new(userId, null) : throw new ArgumentOutOfRangeException(nameof(userId), "user ids are positive");

    /// <summary>The connection of one client identity.</summary>
    /// <param name="kind">Client kind.</param>
    /// <param name="id">Client id.</param>
    /// <returns>The target.</returns>
    public static ClientTarget ClientOf(string kind, string id) => new(0, new ClientIdentity(
        string.IsNullOrEmpty(kind) ? throw new ArgumentException("kind is required", nameof(kind)) : kind,
        string.IsNullOrEmpty(id) ? throw new ArgumentException("id is required", nameof(id)) : id));

    /// <inheritdoc />
    public override string ToString() => Client is { } c ? "client " + c : "user " + UserId;
}

/// <summary>How a server → client call ended.</summary>
public enum ClientCallStatus
{
    /// <summary>The client answered; <see cref="ClientCallResult.Data"/> holds its answer.</summary>
    Ok = 0,
    /// <summary>The target has no live connection that can answer calls.</summary>
    NotConnected = 1,
    /// <summary>No answer within the timeout; a later answer is dropped.</summary>
    TimedOut = 2,
    /// <summary>The client answered with an error (<see cref="ClientCallResult.ErrorCode"/>, <see cref="ClientCallResult.ErrorMessage"/>).</summary>
    ClientError = 3,
    /// <summary>The connection closed while the call was waiting for its answer.</summary>
    ConnectionLost = 4,
    /// <summary>The target connection already has the most calls in flight it may have.</summary>
    TooManyCalls = 5,
    /// <summary>The request itself was invalid (method name, timeout); <see cref="ClientCallResult.ErrorMessage"/> says why.</summary>
    Invalid = 6,
}

/// <summary>The outcome of one server → client call.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Data">The client's answer (Ok only; null when it answered without data).</param>
/// <param name="ErrorCode">The client's error code (ClientError only).</param>
/// <param name="ErrorMessage">The client's error message, or why the call failed.</param>
public sealed record ClientCallResult(ClientCallStatus Status, JsonElement? Data = null, int ErrorCode = 0, string? ErrorMessage = null)
{
    /// <summary>True when the client answered successfully.</summary>
    public bool Succeeded => Status == ClientCallStatus.Ok;

    /// <summary>A failure without client data.</summary>
    /// <param name="status">Why.</param>
    /// <param name="message">Description.</param>
    /// <returns>The result.</returns>
    public static ClientCallResult Fail(ClientCallStatus status, string message) => new(status, null, 0, message);

    /// <summary>The answer, or a <see cref="ClientCallException"/> for any failure.</summary>
    /// <returns>The client's data.</returns>
    public JsonElement? EnsureSuccess() => Succeeded ? Data : throw new ClientCallException(this);
}

/// <summary>A server → client call did not succeed.</summary>
/// <param name="result">The failed result.</param>
public sealed class ClientCallException(ClientCallResult result)
    : Exception($"client call failed: {result.Status}" + (result.ErrorMessage is null ? "" : ": " + result.ErrorMessage))
{
    /// <summary>The failed result.</summary>
    public ClientCallResult Result { get; } = result;
}

/// <summary>One call on its way to a client connection.</summary>
/// <param name="Target">Who answers.</param>
/// <param name="Method">Method name (1–128 characters).</param>
/// <param name="Payload">Arguments (any JSON value), or null.</param>
/// <param name="Timeout">How long to wait for the answer.</param>
public sealed record ClientCallRequest(ClientTarget Target, string Method, JsonElement? Payload, TimeSpan Timeout);

/// <summary>
/// Calls a connected client and waits for its answer: the API for application code (also behind
/// <c>POST /api/admin/calls</c>). Failures are results, not exceptions, except cancellation by the caller.
/// </summary>
public interface IClientCalls
{
    /// <summary>Sends <paramref name="method"/> to the target's connection and waits for its answer.</summary>
    /// <param name="target">A user or a client identity.</param>
    /// <param name="method">Method name the client registered a handler for.</param>
    /// <param name="payload">Arguments, or null.</param>
    /// <param name="timeout">How long to wait; null = <c>Parley:Clients:DefaultCallTimeoutMs</c>.</param>
    /// <param name="ct">Cancels waiting (throws <see cref="OperationCanceledException"/>; a later answer is dropped).</param>
    /// <returns>The outcome.</returns>
    Task<ClientCallResult> CallAsync(ClientTarget target, string method, JsonElement? payload = null, TimeSpan? timeout = null, CancellationToken ct = default);
}

/// <summary>
/// The seam between "call this client" and "where that client is connected": delivers one validated call to the
/// target's connection and returns its answer. The default implementation serves connections of this node; a
/// cluster implementation routes to the node holding the target (and runs the local one there).
/// </summary>
public interface IClientCallDispatcher
{
    /// <summary>Delivers the call and waits at most <see cref="ClientCallRequest.Timeout"/> for the answer.</summary>
    /// <param name="request">A validated call.</param>
    /// <param name="ct">Cancels waiting.</param>
    /// <returns>The outcome.</returns>
    Task<ClientCallResult> DispatchAsync(ClientCallRequest request, CancellationToken ct);
}
