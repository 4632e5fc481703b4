using System.Text.Json;
using Parley.Abstractions.Events;
using Parley.Core.Messaging;
using Parley.Core.Services;
using Parley.Server.Auth;

namespace Parley.Server.Api;

public static class MessageEndpoints
{
    public static IEndpointRouteBuilder MapMessageEndpoints(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/api/conversations").WithTags("Messages").RequireAuthorization();
        conversations.MapGet("/", async (HttpContext http, int? limit, ConversationService service, CancellationToken ct) =>
            (await service.ListAsync(http.User.UserId(), limit ?? 50, ct)).Select(Dto.Conversation));
        conversations.MapGet("/{conversation}/messages", async (HttpContext http, string conversation, long? before, long? after, int? limit,
            ChatEngine engine, CancellationToken ct) =>
        {
            var page = await engine.HistoryAsync(http.User.UserId(), conversation, before, after, limit, ct);
            return page.Ok ? Results.Ok(new HistoryDto(page.Value!.Messages, page.Value.HasMore)) : ProblemMapping.FromCode(page.ErrorCode, page.Error!);
        }).Produces<HistoryDto>().ProducesProblem(403).ProducesProblem(404);
        conversations.MapPost("/{conversation}/read", async (HttpContext http, string conversation, ReadRequest body, ChatEngine engine, CancellationToken ct) =>
        {
            if (body.Seq is not { } seq) return ProblemMapping.FromCode(Abstractions.ErrorCodes.InvalidField, "seq is required");
            var error = await engine.MoveCursorAsync(http.User.UserId(), http.User.Identity!.Name!, conversation, seq, ReceiptKind.Read, 0, ct);
            return error is null ? Results.NoContent() : ProblemMapping.FromCode(error.Code, error.Message);
        }).ProducesProblem(400).ProducesProblem(403);
        conversations.MapDelete("/{conversation}/messages/{seq:long}", async (HttpContext http, string conversation, long seq, ChatEngine engine, CancellationToken ct) =>
        {
            var error = await engine.RemoveMessageAsync(http.User.UserId(), http.User.Identity!.Name!, conversation, seq, 0, ct);
            return error is null ? Results.NoContent() : ProblemMapping.FromCode(error.Code, error.Message);
        }).Produces(204).ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        app.MapPost("/api/messages", async (HttpContext http, MessageCreate body, ChatEngine engine, CancellationToken ct) =>
        {
            string? to = body.To switch
            {
                { ValueKind: JsonValueKind.String } s => s.GetString(),
                { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
                null or { ValueKind: JsonValueKind.Null } => null,
                _ => "",
            };
            var payload = body.Payload is { ValueKind: not JsonValueKind.Null } p ? p.GetRawText() : null;
            var outcome = await engine.SendAsync(http.User.UserId(),
                new SendRequest(new MessageTarget(to, body.Group, body.Conversation), body.ClientMsgId, body.Kind, body.Text, payload), "rest", ct);
            if (!outcome.Succeeded) return ProblemMapping.FromCode(outcome.ErrorCode, outcome.Error!);
            var m = outcome.Message!;
            return Results.Created($"/api/conversations/{m.ConversationId}/messages?after={m.Seq - 1}&limit=1",
                new SendResultDto(m.ConversationId, m.Seq, m.Id, m.Timestamp, outcome.Duplicate));
        }).WithTags("Messages").RequireAuthorization().Produces<SendResultDto>(201).ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(413);
        return app;
    }
}
