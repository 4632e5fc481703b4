using System.Text;
using Parley.Abstractions.Model;

namespace Parley.Benchmarks;

/// <summary>Representative inputs shared by the codec benchmarks.</summary>
public static class Samples
{
    public const string Text = "Hello from the benchmark! This line is about as long as a typical chat message, give or take.";

    public static ChatMessage Message(long seq = 42) => new()
    {
        Id = "0193a5e2c0d87c3b9f1e2d3c4b5a6978",
        ConversationId = "g:17",
        Seq = seq,
        SenderId = 1001,
        SenderName = "alice",
        GroupId = 17,
        Kind = "text",
        Text = Text,
        ClientMsgId = "0193a5e2-c0d8-7c3b-9f1e-2d3c4b5a6978",
        Timestamp = 1_763_800_000_000,
    };

    /// <summary>A native "send" frame as the C# SDK writes it.</summary>
    public static readonly byte[] NativeSendFrame = Encoding.UTF8.GetBytes(
        "{\"type\":\"send\",\"id\":\"r-17\",\"group\":17,\"clientMsgId\":\"0193a5e2-c0d8-7c3b-9f1e-2d3c4b5a6978\",\"kind\":\"text\",\"text\":\"" + Text + "\"}");

    public static readonly string JsonBody =
        "{\"to\":\"bob\",\"clientMsgId\":\"0193a5e2-c0d8-7c3b-9f1e-2d3c4b5a6978\",\"text\":\"" + Text + "\"}";
}
