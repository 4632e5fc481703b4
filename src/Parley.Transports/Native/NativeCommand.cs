using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Core.Clients;
using Parley.Core.Sessions;

namespace Parley.Transports.Native;

/// <summary>A parsed client frame of the native protocol; which fields matter depends on <see cref="Type"/>.</summary>
public sealed class NativeCommand
{
    public required string Type { get; init; }
    public string? Id { get; init; }
    public string? To { get; init; }
    public long? Group { get; init; }
    public string? Conversation { get; init; }
    public string? ClientMsgId { get; init; }
    public string? Kind { get; init; }
    public string? Text { get; init; }
    /// <summary>Raw JSON of the payload value.</summary>
    public string? Payload { get; init; }
    public long? Seq { get; init; }
    public long? Before { get; init; }
    public long? After { get; init; }
    public int? Limit { get; init; }
    public Dictionary<string, long>? Cursors { get; init; }
    /// <summary>Method of a <c>query</c>.</summary>
    public string? Method { get; init; }
    /// <summary>Arguments of a <c>query</c> (a detached copy).</summary>
    public System.Text.Json.JsonElement? Arguments { get; init; }
    /// <summary>The server call a <c>callResult</c> or <c>callError</c> answers.</summary>
    public long? CallId { get; init; }
    /// <summary>Answer data of a <c>callResult</c> (a detached copy).</summary>
    public System.Text.Json.JsonElement? Data { get; init; }
    /// <summary>Error code of a <c>callError</c>.</summary>
    public int? Code { get; init; }
    /// <summary>Error message of a <c>callError</c>.</summary>
    public string? Message { get; init; }

    /// <summary>A <c>callResult</c> or <c>callError</c> for a call still waiting on <paramref name="connection"/> (such answers skip the rate limit).</summary>
    internal bool AnswersPendingCall(ClientConnection connection) =>
        Type is "callResult" or "callError" && CallId is { } id && ClientRpc.IsAwaitingAnswer(connection, id);

    /// <summary>What a <c>callResult</c> or <c>callError</c> reports to the waiting caller.</summary>
    internal ClientCallResult CallAnswer() => Type == "callResult"
        ? new ClientCallResult(ClientCallStatus.Ok, Data)
        : new ClientCallResult(ClientCallStatus.ClientError, null, Code ?? ErrorCodes.Internal, Message ?? "the client reported a failure");
}

/// <summary>Either a command or why the frame was refused.</summary>
public readonly record struct NativeParseResult(NativeCommand? Command, int ErrorCode, string? Error, string? RequestId);
