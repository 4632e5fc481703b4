using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>Terse REST calls for tests: status and parsed JSON body.</summary>
public static class Http
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendJsonAsync(this HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(request).WaitAsync(TestSocket.Timeout);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, json);
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(this HttpClient http, string path) => http.SendJsonAsync(HttpMethod.Get, path);
    public static Task<(HttpStatusCode Status, JsonElement Body)> PostJsonAsync(this HttpClient http, string path, object? body = null) =>
        http.SendJsonAsync(HttpMethod.Post, path, body ?? new { });
    public static Task<(HttpStatusCode Status, JsonElement Body)> PatchJsonAsync(this HttpClient http, string path, object body) => http.SendJsonAsync(HttpMethod.Patch, path, body);
    public static Task<(HttpStatusCode Status, JsonElement Body)> PutJsonAsync(this HttpClient http, string path, object? body = null) => http.SendJsonAsync(HttpMethod.Put, path, body);
    public static Task<(HttpStatusCode Status, JsonElement Body)> DeleteJsonAsync(this HttpClient http, string path) => http.SendJsonAsync(HttpMethod.Delete, path);

    /// <summary>Asserts a status and returns the body.</summary>
    public static async Task<JsonElement> Expect(this Task<(HttpStatusCode Status, JsonElement Body)> call, HttpStatusCode status)
    {
        var (actual, body) = await call;
        Assert.True(actual == status, $"expected {(int)status}, got {(int)actual}: {body}");
        return body;
    }

    /// <summary>Makes two users friends through the REST API.</summary>
    public static async Task BefriendAsync(ParleyTestServer server, TestUser a, TestUser b)
    {
        using var ha = server.CreateHttpClient(a.Token);
        using var hb = server.CreateHttpClient(b.Token);
        var request = await ha.PostJsonAsync("api/friends/requests", new { user = b.Account }).Expect(HttpStatusCode.Created);
        await hb.PostJsonAsync($"api/friends/requests/{request.GetProperty("id").GetInt64()}/accept").Expect(HttpStatusCode.OK);
    }

    /// <summary>Creates a group owned by <paramref name="owner"/> and has the others join it; returns its id.</summary>
    public static async Task<long> GroupAsync(ParleyTestServer server, TestUser owner, params TestUser[] members)
    {
        using var ho = server.CreateHttpClient(owner.Token);
        var group = await ho.PostJsonAsync("api/groups", new { name = "team" }).Expect(HttpStatusCode.Created);
        var id = group.GetProperty("id").GetInt64();
        foreach (var m in members)
        {
            using var hm = server.CreateHttpClient(m.Token);
            await hm.PostJsonAsync($"api/groups/{id}/join").Expect(HttpStatusCode.OK);
        }
        return id;
    }
}
