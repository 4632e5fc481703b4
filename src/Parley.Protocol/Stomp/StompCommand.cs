using System.Text;

namespace Parley.Protocol.Stomp;

/// <summary>The STOMP 1.2 commands (client and server).</summary>
public enum StompCommand
{
    Connect,
    Stomp,
    Connected,
    Send,
    Subscribe,
    Unsubscribe,
    Ack,
    Nack,
    Begin,
    Commit,
    Abort,
    Disconnect,
    Message,
    Receipt,
    Error,
}

/// <summary>Wire names of <see cref="StompCommand"/>.</summary>
public static class StompCommands
{
    private static readonly byte[][] Names =
        Enum.GetValues<StompCommand>().Select(c => Encoding.ASCII.GetBytes(c.ToString().ToUpperInvariant())).ToArray();

    /// <summary>The upper-case wire name, e.g. <c>SEND</c>.</summary>
    public static ReadOnlySpan<byte> ToUtf8(this StompCommand command) => Names[(int)command];

    /// <summary>The upper-case wire name, e.g. <c>SEND</c>.</summary>
    public static string ToWireName(this StompCommand command) => Encoding.ASCII.GetString(Names[(int)command]);

    /// <summary>Matches a command line (without EOL) case-sensitively, as the spec requires.</summary>
    public static bool TryParse(ReadOnlySpan<byte> name, out StompCommand command)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (name.SequenceEqual(Names[i]))
            {
                command = (StompCommand)i;
                return true;
            }
        }

        command = default;
        return false;
    }

    /// <summary>CONNECT, STOMP and CONNECTED headers are neither escaped nor unescaped (STOMP 1.2 §Value Encoding).</summary>
    public static bool UsesHeaderEscaping(this StompCommand command) =>
        command is not (StompCommand.Connect or StompCommand.Stomp or StompCommand.Connected);
}
