using System.Net.WebSockets;

namespace Parley.IntegrationTests.Infrastructure;

public static class WebSocketClose
{
    /// <summary>Closes politely if still open (bounded wait), then disposes; test clients never throw on teardown.</summary>
    public static async ValueTask CloseQuietlyAsync(this ClientWebSocket socket)
    {
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is WebSocketException or TimeoutException or OperationCanceledException) { }
        socket.Dispose();
    }
}
