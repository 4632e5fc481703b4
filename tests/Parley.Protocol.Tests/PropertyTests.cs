using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Parley.Protocol.MobileImSdk;
using Parley.Protocol.SockJs;
using Parley.Protocol.Stomp;

namespace Parley.Protocol.Tests;

/// <summary>FsCheck properties: round trips for random values, and no parser ever throws on random bytes.</summary>
public class PropertyTests
{
    private static readonly Config Fast = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static Gen<string> Text =>
        Gen.Elements("", "a", ":", "\\", "\r", "\n", "\0", "é", "你", "<=>&'", "\"", "\u2028", "😀", "x y", "\\c")
            .ArrayOf().Select(parts => string.Concat(parts));

    private static Gen<string> HeaderName => Text.Where(s => s.Length > 0 && s != StompHeaders.ContentLength);

    private static Gen<StompFrame> Frames =>
        from command in Gen.Elements(StompCommand.Send, StompCommand.Message, StompCommand.Subscribe, StompCommand.Error)
        from headers in Gen.Zip(HeaderName, Text).ArrayOf()
        from body in ArbMap.Default.GeneratorFor<byte[]>()
        select new StompFrame(command, headers.Select(h => KeyValuePair.Create(h.Item1, h.Item2)).ToList(), body);

    [Fact]
    public void Random_stomp_frames_round_trip()
    {
        Prop.ForAll(Frames.ToArbitrary(), frame =>
        {
            var buffer = new ReadOnlySequence<byte>(StompWriter.ToArray(frame));
            var ok = StompParser.TryParse(ref buffer, new StompLimits { MaxHeaderCount = 1000 }, out var result);
            var parsed = result.Frame!;
            return ok && buffer.Length == 0 && parsed.Command == frame.Command
                && parsed.Headers.Where(h => h.Key != StompHeaders.ContentLength).SequenceEqual(frame.Headers)
                && parsed.Body.Span.SequenceEqual(frame.Body.Span);
        }).Check(Fast);
    }

    [Fact]
    public void Random_bytes_never_throw_in_any_parser()
    {
        var stompish = Gen.Elements("SEND", "CONNECT", "\n", "\r", "\r\n", ":", "\\", "\\t", "\0", "content-length:", "3", "-1", "x")
            .ArrayOf().Select(p => Encoding.UTF8.GetBytes(string.Concat(p)));
        var bytes = Gen.OneOf(ArbMap.Default.GeneratorFor<byte[]>(), stompish);
        Prop.ForAll(bytes.ToArbitrary(), data =>
        {
            var limits = new StompLimits { MaxFrameSize = 64, MaxHeaderLineLength = 16, MaxHeaderCount = 4 };
            var buffer = new ReadOnlySequence<byte>(data);
            var steps = 0;
            while (StompParser.TryParse(ref buffer, limits, out _))
            {
                steps++;
            }

            var tcp = new ReadOnlySequence<byte>(data);
            while (MobileImTcpFraming.TryReadPacket(ref tcp, 6144, out _))
            {
            }

            _ = ProtocalCodec.Decode(data, 6144);
            _ = SockJsMessageParser.Parse(data, 6144);
            _ = SockJsPath.Parse(Encoding.UTF8.GetString(data));
            _ = PLoginInfo.TryParse(Encoding.UTF8.GetString(data), out _);
            return steps <= data.Length;
        }).Check(Fast);
    }

    [Fact]
    public void Random_envelopes_round_trip_byte_exactly()
    {
        var nullable = Gen.OneOf(Gen.Constant<string?>(null), Text.Select(s => (string?)s));
        var envelopes =
            from bridge in ArbMap.Default.GeneratorFor<bool>()
            from type in ArbMap.Default.GeneratorFor<int>()
            from data in nullable
            from from_ in nullable
            from to in nullable
            from fp in nullable
            from qos in ArbMap.Default.GeneratorFor<bool>()
            from typeu in ArbMap.Default.GeneratorFor<int>()
            from sm in ArbMap.Default.GeneratorFor<long>()
            select new Protocal { Bridge = bridge, Type = type, DataContent = data, From = from_, To = to, Fp = fp, QoS = qos, TypeU = typeu, Sm = sm };
        Prop.ForAll(envelopes.ToArbitrary(), packet =>
        {
            var bytes = ProtocalCodec.Encode(packet);
            var decoded = ProtocalCodec.Decode(bytes, int.MaxValue);
            // The UTF-8 writer and the text writer agree byte for byte (lone surrogates become U+FFFD in both).
            return decoded.Packet == packet && ProtocalCodec.Encode(decoded.Packet).AsSpan().SequenceEqual(bytes)
                && Encoding.UTF8.GetBytes(ProtocalCodec.EncodeToString(packet)).AsSpan().SequenceEqual(bytes);
        }).Check(Fast);
    }

    [Fact]
    public void The_utf8_writer_matches_the_text_writer_on_any_string()
    {
        // Any char, lone surrogates and every control included; the round trip above cannot carry lone surrogates.
        var odd = Gen.Elements("\uD800", "\uDC00", "\uDBFF\uDFFF", "\u001f", "\u007f", "\u0085", "\u00a0", "\uFEFF", "\uFFFF")
            .Select(s => System.Text.RegularExpressions.Regex.Unescape(s));
        var any = Gen.OneOf(Text, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""), odd).ArrayOf().Select(parts => string.Concat(parts));
        var envelopes =
            from data in any
            from fp in any
            from type in ArbMap.Default.GeneratorFor<int>()
            select new Protocal { Type = type, DataContent = data, Fp = fp, From = null };
        Prop.ForAll(envelopes.ToArbitrary(), packet =>
            Encoding.UTF8.GetBytes(ProtocalCodec.EncodeToString(packet)).AsSpan().SequenceEqual(ProtocalCodec.Encode(packet))).Check(Fast);
    }

    [Fact]
    public void A_packet_larger_than_the_kept_buffer_encodes_whole_and_the_next_one_too()
    {
        var big = new Protocal { DataContent = new string('\u00e9', 40_000) + "<end>" };
        Assert.Equal(Encoding.UTF8.GetBytes(ProtocalCodec.EncodeToString(big)), ProtocalCodec.Encode(big));
        var small = new Protocal { DataContent = "x" };
        Assert.Equal(Encoding.UTF8.GetBytes(ProtocalCodec.EncodeToString(small)), ProtocalCodec.Encode(small));
    }

    [Fact]
    public void Random_sockjs_messages_round_trip()
    {
        Prop.ForAll(Text.ArrayOf().ToArbitrary(), messages =>
        {
            var frame = SockJsFrames.MessagesFrame(messages);
            var result = SockJsMessageParser.Parse(Encoding.UTF8.GetBytes(frame[1..]), int.MaxValue);
            return result.IsSuccess && result.Messages.SequenceEqual(messages);
        }).Check(Fast);
    }
}
