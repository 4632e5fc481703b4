using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Events;
using Parley.Core.Clients;

namespace Parley.Core.Tests;

/// <summary>Client → server queries: dispatch by kind and method, error replies, bounded concurrency.</summary>
public sealed class ClientQueryTests
{
    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    private static Task<EngineHarness> StartAsync(Action<IServiceCollection> handlers, Action<Options.ClientKindOptions>? kiosk = null) =>
        EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o, kiosk), handlers);

    [Fact]
    public async Task Queries_go_to_the_handler_of_the_callers_kind_with_its_identity()
    {
        await using var h = await StartAsync(s => s
            .AddParleyClientMethod("kiosk", "whoami", (c, _) => ValueTask.FromResult<JsonElement?>(Json(new { kind = c.Client!.Value.Kind, id = c.Client.Value.Id, arg = c.Payload!.Value.GetInt32() })))
            .AddParleyClientMethod(ClientQueryKinds.Any, "whoami", (_, _) => ValueTask.FromResult<JsonElement?>(Json("any")))
            .AddParleyClientMethod(ClientQueryKinds.Users, "whoami", (c, _) => ValueTask.FromResult<JsonElement?>(Json(new { user = c.UserId }))));
        var rpc = h.Get<ClientRpc>();
        var kiosk = h.ConnectClient("kiosk", "k7");
        var screen = h.ConnectClient("screen", "s1");
        var alice = await h.UserAsync("alice");
        var user = h.Connect(alice);

        rpc.StartQuery(kiosk.Connection, "q1", "whoami", Json(5));
        rpc.StartQuery(screen.Connection, "q2", "whoami", null);
        rpc.StartQuery(user.Connection, "q3", "whoami", null);

        var k = (JsonElement)(await kiosk.WaitForAsync<ResultEvent>(r => r.RequestId == "q1")).Data!;
        Assert.Equal(("kiosk", "k7", 5), (k.GetProperty("kind").GetString(), k.GetProperty("id").GetString(), k.GetProperty("arg").GetInt32()));
        Assert.Equal("any", ((JsonElement)(await screen.WaitForAsync<ResultEvent>(r => r.RequestId == "q2")).Data!).GetString());
        Assert.Equal(alice.Id, ((JsonElement)(await user.WaitForAsync<ResultEvent>(r => r.RequestId == "q3")).Data!).GetProperty("user").GetInt64());
    }

    [Fact]
    public async Task Unknown_methods_and_failing_handlers_get_error_replies()
    {
        await using var h = await StartAsync(s => s
            .AddParleyClientMethod("kiosk", "refuse", (_, _) => throw new ClientQueryException(1042, "ticket printer empty"))
            .AddParleyClientMethod("kiosk", "crash", (_, _) => throw new InvalidOperationException("secret internals"))
            .AddParleyClientMethod("kiosk", "nothing", (_, _) => ValueTask.FromResult<JsonElement?>(null)));
        var rpc = h.Get<ClientRpc>();
        var kiosk = h.ConnectClient("kiosk", "k1");

        rpc.StartQuery(kiosk.Connection, "a", "missing", null);
        rpc.StartQuery(kiosk.Connection, "b", "refuse", null);
        rpc.StartQuery(kiosk.Connection, "c", "crash", null);
        rpc.StartQuery(kiosk.Connection, "d", "bad method!", null);
        rpc.StartQuery(kiosk.Connection, "e", "nothing", null);
        rpc.StartQuery(kiosk.Connection, "f", null, null);

        Assert.Equal(ErrorCodes.UnknownMethod, (await kiosk.WaitForAsync<ErrorEvent>(e => e.RequestId == "a")).Code);
        var refused = await kiosk.WaitForAsync<ErrorEvent>(e => e.RequestId == "b");
        Assert.Equal((1042, "ticket printer empty"), (refused.Code, refused.Message));
        var crashed = await kiosk.WaitForAsync<ErrorEvent>(e => e.RequestId == "c");
        Assert.Equal((ErrorCodes.Internal, "internal error"), (crashed.Code, crashed.Message));
        Assert.Equal(ErrorCodes.InvalidField, (await kiosk.WaitForAsync<ErrorEvent>(e => e.RequestId == "d")).Code);
        Assert.Null((await kiosk.WaitForAsync<ResultEvent>(r => r.RequestId == "e")).Data);
        Assert.Equal(ErrorCodes.InvalidField, (await kiosk.WaitForAsync<ErrorEvent>(e => e.RequestId == "f")).Code);
        Assert.False(kiosk.Connection.IsClosed);
    }

    [Fact]
    public async Task Queries_in_flight_per_connection_are_bounded_and_handlers_see_the_connection_close()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var h = await StartAsync(s => s.AddParleyClientMethod("kiosk", "wait", async (_, ct) =>
        {
            using var registration = ct.Register(() => cancelled.TrySetResult());
            await release.Task.WaitAsync(ct);
            return null;
        }), k => k.MaxQueriesInFlight = 2);
        var rpc = h.Get<ClientRpc>();
        var kiosk = h.ConnectClient("kiosk", "k1");
        rpc.StartQuery(kiosk.Connection, "1", "wait", null);
        rpc.StartQuery(kiosk.Connection, "2", "wait", null);
        rpc.StartQuery(kiosk.Connection, "3", "wait", null);
        Assert.Equal(ErrorCodes.TooManyInFlight, (await kiosk.WaitForAsync<ErrorEvent>(e => e.RequestId == "3")).Code);

        release.SetResult();
        await kiosk.WaitForAsync<ResultEvent>(r => r.RequestId == "1");
        await kiosk.WaitForAsync<ResultEvent>(r => r.RequestId == "2");
        rpc.StartQuery(kiosk.Connection, "4", "wait", null);
        await kiosk.WaitForAsync<ResultEvent>(r => r.RequestId == "4");

        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        release = blocked;
        rpc.StartQuery(kiosk.Connection, "5", "wait", null);
        kiosk.Connection.Close(DisconnectCode.Normal);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Two_handlers_for_one_kind_and_method_or_a_bad_kind_are_refused()
    {
        await using var h = await StartAsync(_ => { });
        var metrics = h.Get<Diagnostics.ParleyMetrics>();
        var logger = Microsoft.Extensions.Logging.Abstractions.NullLogger<ClientRpc>.Instance;
        IClientQueryHandler Handler(string kind, string method) =>
            new ServiceCollection().AddParleyClientMethod(kind, method, (_, _) => ValueTask.FromResult<JsonElement?>(null))
                .BuildServiceProvider().GetRequiredService<IClientQueryHandler>();

        var error = Assert.Throws<InvalidOperationException>(() => new ClientRpc([Handler("kiosk", "m"), Handler("kiosk", "m")], metrics, logger));
        Assert.Contains("two query handlers", error.Message);
        Assert.Throws<InvalidOperationException>(() => new ClientRpc([Handler("Bad Kind", "m")], metrics, logger));
        Assert.Throws<InvalidOperationException>(() => new ClientRpc([Handler("kiosk", "bad method")], metrics, logger));
        _ = new ClientRpc([Handler("kiosk", "m"), Handler(ClientQueryKinds.Any, "m"), Handler(ClientQueryKinds.Users, "m")], metrics, logger);
    }
}
