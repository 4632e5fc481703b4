using System.Text;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>WebSocket handshakes written by hand on a raw connection, for tests that need to see the wire.</summary>
public static class RawUpgrade
{
    /// <summary>Reads up to the blank line, one byte at a time, so that nothing after the head is taken.</summary>
    public static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TestSocket.Timeout);
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, timeout.Token) == 0) throw new EndOfStreamException($"closed after: {head}");
            head.Append((char)one[0]);
        }
        return head.ToString();
    }
}
