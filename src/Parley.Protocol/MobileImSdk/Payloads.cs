using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Parley.Protocol.MobileImSdk;

/// <summary>Type 0 payload. <see cref="FirstLoginTime"/> is 0 on a fresh login.</summary>
public sealed record PLoginInfo(string? LoginUserId, string? LoginToken, string? Extra = null, long FirstLoginTime = 0)
{
    public string ToJson() => new GsonWriter()
        .String("loginUserId", LoginUserId).String("loginToken", LoginToken).String("extra", Extra)
        .Number("firstLoginTime", FirstLoginTime).Finish();

    /// <summary>Gson-tolerant decode of a dataContent string; false when it is not a usable JSON object.</summary>
    public static bool TryParse(string? json, [NotNullWhen(true)] out PLoginInfo? value)
    {
        string? user = null, token = null, extra = null;
        long first = 0;
        value = PayloadReader.Read(json, (string n, ref Utf8JsonReader r) => n switch
        {
            "loginUserId" => GsonReader.TryString(ref r, out user),
            "loginToken" => GsonReader.TryString(ref r, out token),
            "extra" => GsonReader.TryString(ref r, out extra),
            "firstLoginTime" => GsonReader.TryLong(ref r, ref first),
            _ => GsonReader.Skip(ref r),
        }) ? new PLoginInfo(user, token, extra, first) : null;
        return value is not null;
    }
}

/// <summary>Type 50 payload: code 0 = success; a refusal carries firstLoginTime -1.</summary>
public sealed record PLoginInfoResponse(int Code, long FirstLoginTime)
{
    public string ToJson() => new GsonWriter().Number("code", Code).Number("firstLoginTime", FirstLoginTime).Finish();

    public static bool TryParse(string? json, [NotNullWhen(true)] out PLoginInfoResponse? value)
    {
        int code = 0;
        long first = 0;
        value = PayloadReader.Read(json, (string n, ref Utf8JsonReader r) => n switch
        {
            "code" => GsonReader.TryInt(ref r, ref code),
            "firstLoginTime" => GsonReader.TryLong(ref r, ref first),
            _ => GsonReader.Skip(ref r),
        }) ? new PLoginInfoResponse(code, first) : null;
        return value is not null;
    }
}

/// <summary>Type 52 payload; <see cref="ErrorMsg"/> holds the whole offending envelope as JSON text.</summary>
public sealed record PErrorResponse(int ErrorCode, string? ErrorMsg)
{
    public string ToJson() => new GsonWriter().Number("errorCode", ErrorCode).String("errorMsg", ErrorMsg).Finish();

    public static bool TryParse(string? json, [NotNullWhen(true)] out PErrorResponse? value)
    {
        int code = 0;
        string? message = null;
        value = PayloadReader.Read(json, (string n, ref Utf8JsonReader r) => n switch
        {
            "errorCode" => GsonReader.TryInt(ref r, ref code),
            "errorMsg" => GsonReader.TryString(ref r, out message),
            _ => GsonReader.Skip(ref r),
        }) ? new PErrorResponse(code, message) : null;
        return value is not null;
    }
}

/// <summary>Type 54 payload: code 1 = duplicate login, 2 = administrator; reason omitted when null.</summary>
public sealed record PKickoutInfo(int Code, string? Reason = null)
{
    public string ToJson() => new GsonWriter().Number("code", Code).String("reason", Reason).Finish();

    public static bool TryParse(string? json, [NotNullWhen(true)] out PKickoutInfo? value)
    {
        int code = 0;
        string? reason = null;
        value = PayloadReader.Read(json, (string n, ref Utf8JsonReader r) => n switch
        {
            "code" => GsonReader.TryInt(ref r, ref code),
            "reason" => GsonReader.TryString(ref r, out reason),
            _ => GsonReader.Skip(ref r),
        }) ? new PKickoutInfo(code, reason) : null;
        return value is not null;
    }
}

/// <summary>Types 1 and 51 carry an empty object.</summary>
public static class PKeepAlive
{
    public const string Json = "{}";
}

internal static class PayloadReader
{
    public static bool Read(string? json, GsonFieldHandler handler) =>
        json is not null && GsonReader.ReadObject(Encoding.UTF8.GetBytes(json), handler) is null;
}
