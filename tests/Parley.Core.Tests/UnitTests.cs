using System.Diagnostics;
using Parley.Abstractions.Model;
using Parley.Core.Sessions;

namespace Parley.Core.Tests;

public sealed class ConversationIdTests
{
    [Theory]
    [InlineData("d:1:2", true)]
    [InlineData("g:7", true)]
    [InlineData("d:2:1", false)]
    [InlineData("d:1:1", false)]
    [InlineData("d:0:1", false)]
    [InlineData("d:1:2:3", false)]
    [InlineData("g:0", false)]
    [InlineData("g:-1", false)]
    [InlineData("g:007", false)]
    [InlineData("g: 7", false)]
    [InlineData("x:1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("d:99999999999999999999:1", false)]
    public void Only_canonical_ids_parse(string? text, bool valid)
    {
        Assert.Equal(valid, ConversationId.TryParse(text, out var id));
        if (valid) Assert.Equal(text, id!.Value.Value);
    }

    [Fact]
    public void Direct_ids_do_not_depend_on_order()
    {
        Assert.Equal(ConversationId.Direct(5, 3), ConversationId.Direct(3, 5));
        Assert.Equal(5, ConversationId.Direct(3, 5).OtherParticipant(3));
        Assert.False(ConversationId.Direct(3, 5).HasParticipant(4));
    }
}

public sealed class TokenBucketTests
{
    [Fact]
    public void Bursts_are_allowed_then_the_rate_applies_then_floods_are_detected()
    {
        long now = 0;
        var bucket = new TokenBucket(ratePerSecond: 10, burst: 5, floodThreshold: 3, floodWindowTicks: Stopwatch.Frequency, () => now);
        for (var i = 0; i < 5; i++) Assert.Equal(FrameAdmission.Accepted, bucket.Admit());
        Assert.Equal(FrameAdmission.RateLimited, bucket.Admit());
        now += Stopwatch.Frequency / 10;
        Assert.Equal(FrameAdmission.Accepted, bucket.Admit());
        Assert.Equal(FrameAdmission.RateLimited, bucket.Admit());
        Assert.Equal(FrameAdmission.RateLimited, bucket.Admit());
        Assert.Equal(FrameAdmission.Flooding, bucket.Admit());
        now += Stopwatch.Frequency * 10;
        for (var i = 0; i < 5; i++) Assert.Equal(FrameAdmission.Accepted, bucket.Admit());
    }
}
