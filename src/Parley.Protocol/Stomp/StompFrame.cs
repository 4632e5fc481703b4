namespace Parley.Protocol.Stomp;

/// <summary>
/// One STOMP frame. Headers keep wire order; a repeated header keeps every occurrence and
/// <see cref="GetHeader"/> returns the first, as STOMP 1.2 requires.
/// </summary>
public sealed class StompFrame
{
    public StompFrame(StompCommand command, IReadOnlyList<KeyValuePair<string, string>>? headers = null, ReadOnlyMemory<byte> body = default)
    {
        Command = command;
        Headers = headers ?? [];
        Body = body;
    }

    public StompCommand Command { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The first value of header <paramref name="name"/> (case-sensitive), or null.</summary>
    public string? GetHeader(string name)
    {
        foreach (var header in Headers)
        {
            if (header.Key == name)
            {
                return header.Value;
            }
        }

        return null;
    }

    public override string ToString() => $"{Command.ToWireName()} ({Headers.Count} headers, {Body.Length} body bytes)";
}
