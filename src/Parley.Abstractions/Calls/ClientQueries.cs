using System.Text.Json;
using Parley.Abstractions.Hooks;

namespace Parley.Abstractions.Calls;

/// <summary>A client → server query as its handler sees it.</summary>
/// <param name="Connection">The caller's connection (user, client kind and id, transport).</param>
/// <param name="Method">The method name.</param>
/// <param name="Payload">The arguments, or null.</param>
public sealed record ClientQueryContext(IConnectionInfo Connection, string Method, JsonElement? Payload)
{
    /// <summary>The caller's client identity, or null for a plain user connection.</summary>
    public ClientIdentity? Client => Connection.ClientKind is { } kind ? new ClientIdentity(kind, Connection.ClientId!) : null;

    /// <summary>The caller's user, or null for a client connection without a user.</summary>
    public long? UserId => Connection.UserId > 0 ? Connection.UserId : null;
}

/// <summary>
/// Answers one method for one client kind (or <see cref="ClientQueryKinds.Users"/>, or <see cref="ClientQueryKinds.Any"/>).
/// Register with <c>services.AddParleyClientMethod(kind, method, handler)</c> or as a singleton of this interface.
/// </summary>
public interface IClientQueryHandler
{
    /// <summary>The client kind served, <see cref="ClientQueryKinds.Users"/> or <see cref="ClientQueryKinds.Any"/>.</summary>
    string Kind { get; }

    /// <summary>The method name (1–128 characters).</summary>
    string Method { get; }

    /// <summary>
    /// Answers the query. Return the reply data (null = no data). Throw <see cref="ClientQueryException"/> to answer
    /// with an error code and message; any other exception becomes error 500 (its text only in Development).
    /// </summary>
    /// <param name="context">Caller and arguments.</param>
    /// <param name="ct">Cancelled when the caller's connection closes or the server stops.</param>
    /// <returns>The reply data.</returns>
    ValueTask<JsonElement?> HandleAsync(ClientQueryContext context, CancellationToken ct);
}

/// <summary>Special kind names for query handlers.</summary>
public static class ClientQueryKinds
{
    /// <summary>Plain user connections (no client kind).</summary>
    public const string Users = "user";

    /// <summary>Every connection, whatever its kind; an exact kind's handler wins.</summary>
    public const string Any = "*";
}

/// <summary>Thrown by a query handler to answer with an error the client may act on.</summary>
/// <param name="code">Error code for the client (application codes: 1000 and above; or one of <see cref="ErrorCodes"/>).</param>
/// <param name="message">Message shown to the client.</param>
public sealed class ClientQueryException(int code, string message) : Exception(message)
{
    /// <summary>Error code for the client.</summary>
    public int Code { get; } = code;
}
