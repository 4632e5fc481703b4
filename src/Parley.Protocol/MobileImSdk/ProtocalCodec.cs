using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Parley.Protocol.MobileImSdk;

/// <summary>Result of decoding one envelope; <see cref="Packet"/> is set only when <see cref="Status"/> is Complete.</summary>
public readonly record struct ProtocalDecodeResult(ParseStatus Status, Protocal? Packet, string? Error)
{
    public bool IsSuccess => Status == ParseStatus.Complete;

    internal static ProtocalDecodeResult Bad(string error) => new(ParseStatus.Malformed, null, error);
}

/// <summary>Encodes envelopes byte-identically to the Java (Gson) SDK and decodes them as leniently as Gson.</summary>
public static class ProtocalCodec
{
    /// <summary>The envelope as JSON text.</summary>
    public static string EncodeToString(Protocal packet) =>
        new GsonWriter()
            .Bool("bridge", packet.Bridge)
            .Number("type", packet.Type)
            .String("dataContent", packet.DataContent)
            .String("from", packet.From)
            .String("to", packet.To)
            .String("fp", packet.Fp)
            .Bool("QoS", packet.QoS)
            .Number("typeu", packet.TypeU)
            .Number("sm", packet.Sm)
            .Finish();

    /// <summary>The envelope as UTF-8 bytes (lone surrogates become U+FFFD).</summary>
    public static byte[] Encode(Protocal packet) => GsonUtf8Writer.Encode(packet);

    /// <summary>Decodes one envelope of at most <paramref name="maxBytes"/> bytes. Never throws.</summary>
    public static ProtocalDecodeResult Decode(ReadOnlySpan<byte> json, int maxBytes)
    {
        if (json.Length > maxBytes)
        {
            return new ProtocalDecodeResult(ParseStatus.TooLarge, null, $"packet exceeds {maxBytes} bytes");
        }

        if (json.IsEmpty)
        {
            return ProtocalDecodeResult.Bad("empty packet");
        }

        bool bridge = false, qos = false;
        int type = 0, typeu = 0;
        long sm = 0;
        string? dataContent = null, from = null, to = null, fp = null;
        var error = GsonReader.ReadObject(json, (string name, ref Utf8JsonReader r) => name switch
        {
            "bridge" => GsonReader.TryBool(ref r, ref bridge),
            "type" => GsonReader.TryInt(ref r, ref type),
            "dataContent" => GsonReader.TryString(ref r, out dataContent),
            "from" => GsonReader.TryString(ref r, out from),
            "to" => GsonReader.TryString(ref r, out to),
            "fp" => GsonReader.TryString(ref r, out fp),
            "QoS" => GsonReader.TryBool(ref r, ref qos),
            "typeu" => GsonReader.TryInt(ref r, ref typeu),
            "sm" => GsonReader.TryLong(ref r, ref sm),
            _ => GsonReader.Skip(ref r),
        });
        if (error is not null)
        {
            return ProtocalDecodeResult.Bad(error);
        }

        return new ProtocalDecodeResult(
            ParseStatus.Complete,
            new Protocal
            {
                Bridge = bridge, Type = type, DataContent = dataContent, From = from, To = to,
                Fp = fp, QoS = qos, TypeU = typeu, Sm = sm,
            },
            null);
    }

    /// <inheritdoc cref="Decode(ReadOnlySpan{byte}, int)"/>
    public static ProtocalDecodeResult Decode(ReadOnlySequence<byte> json, int maxBytes)
    {
        if (json.Length > maxBytes)
        {
            return new ProtocalDecodeResult(ParseStatus.TooLarge, null, $"packet exceeds {maxBytes} bytes");
        }

        return Decode(json.IsSingleSegment ? json.FirstSpan : json.ToArray(), maxBytes);
    }
}
