using Microsoft.AspNetCore.SignalR;

// The relay a .NET developer writes first: ASP.NET Core defaults, a hub whose one method forwards a message to a
// user, users named by the query string. Nothing is stored, acknowledged or retried. The load generator drives it
// with the SignalR JSON hub protocol over a plain WebSocket (no negotiate).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSignalR();
builder.Services.AddSingleton<IUserIdProvider, QueryStringUserIdProvider>();
var app = builder.Build();
app.MapHub<RelayHub>("/hub");
app.MapGet("/health", () => "ok");
app.Run();

/// <summary>Forwards to a user (direct) or to the other members of a group (fan-out).</summary>
internal sealed class RelayHub : Hub
{
    public Task Send(string to, string text) => Clients.User(to).SendAsync("m", Context.UserIdentifier, text);

    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task SendGroup(string group, string text) => Clients.OthersInGroup(group).SendAsync("m", Context.UserIdentifier, text);
}

/// <summary><c>/hub?user=u7</c> is user "u7": the baseline has no accounts.</summary>
internal sealed class QueryStringUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.GetHttpContext()?.Request.Query["user"].ToString();
}
