using Parley.Transports.MobileImSdk;

namespace Parley.IntegrationTests.MobileImSdk;

public sealed class FingerprintWindowTests
{
    private const long T0 = 1_790_000_000_000;
    private const string Fp = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    [Fact]
    public void A_fp_keeps_its_first_id_within_the_window_and_per_sender()
    {
        var window = new FingerprintWindow(10_000);
        var first = window.ClientMsgIdOf(1, Fp, T0);
        Assert.Equal("~" + T0.ToString("x11") + Fp, first);
        Assert.Equal(first, window.ClientMsgIdOf(1, Fp, T0 + 9_000));
        Assert.NotEqual(first, window.ClientMsgIdOf(2, Fp, T0 + 1));
        Assert.Equal(Fp, FingerprintWindow.FpOf(first));
    }

    [Fact]
    public void Ids_sort_by_first_sight_whatever_the_fps()
    {
        var window = new FingerprintWindow(10_000);
        var a = window.ClientMsgIdOf(1, "ffffffff-ffff-4fff-bfff-ffffffffffff", T0);
        var b = window.ClientMsgIdOf(1, "00000000-0000-4000-8000-000000000000", T0 + 1);
        Assert.True(string.CompareOrdinal(a, b) < 0);
    }

    [Fact]
    public void An_entry_lives_between_one_and_two_windows()
    {
        var window = new FingerprintWindow(10_000);
        var first = window.ClientMsgIdOf(1, Fp, T0);
        window.ClientMsgIdOf(9, "other", T0 + 10_000); // swaps the generations: the entry is now in the older one
        Assert.Equal(first, window.ClientMsgIdOf(1, Fp, T0 + 15_000));
        window.ClientMsgIdOf(9, "other", T0 + 20_001); // swaps again: the entry is gone
        Assert.NotEqual(first, window.ClientMsgIdOf(1, Fp, T0 + 20_002));
        // A long silence clears both generations at once.
        var later = window.ClientMsgIdOf(3, Fp, T0 + 30_000);
        Assert.NotEqual(later, window.ClientMsgIdOf(3, Fp, T0 + 60_001));
    }

    [Fact]
    public void Stored_ids_are_reloaded_when_still_in_the_window_and_other_forms_ignored()
    {
        var window = new FingerprintWindow(10_000);
        var recent = "~" + (T0 - 5_000).ToString("x11") + Fp;
        var old = "~" + (T0 - 50_000).ToString("x11") + "old-fp";
        window.Load([(7, recent), (7, old), (7, "plain-client-id"), (7, "~zz"), (7, "~nothexdigit-x")], T0);
        Assert.Equal(1, window.Count);
        Assert.Equal(recent, window.ClientMsgIdOf(7, Fp, T0 + 1));
        Assert.NotEqual(old, window.ClientMsgIdOf(7, "old-fp", T0 + 1));
        var (from, to) = window.LoadRange(T0);
        Assert.True(string.CompareOrdinal(from, recent) <= 0 && string.CompareOrdinal(recent, to) < 0);
        Assert.True(string.CompareOrdinal(old, from) < 0);
    }

    [Fact]
    public void Long_fps_are_digested_to_fit_64_characters()
    {
        var window = new FingerprintWindow(10_000);
        var fp = new string('x', 200);
        var id = window.ClientMsgIdOf(1, fp, T0);
        Assert.Equal(64, id.Length);
        Assert.Equal(id, window.ClientMsgIdOf(1, fp, T0 + 1));
        Assert.NotEqual(id, window.ClientMsgIdOf(1, fp + "y", T0 + 1));
        Assert.Equal(id, new FingerprintWindow(10_000).ClientMsgIdOf(1, fp, T0));
        // Reloaded after a restart, a digested id is found again too.
        var restarted = new FingerprintWindow(10_000);
        restarted.Load([(1, id)], T0 + 5);
        Assert.Equal(id, restarted.ClientMsgIdOf(1, fp, T0 + 6));
        var edge = new string('e', 52);
        Assert.Equal("~" + T0.ToString("x11") + edge, window.ClientMsgIdOf(1, edge, T0));
    }

    [Fact]
    public void Fps_of_the_old_form_and_odd_ids_pass_through()
    {
        Assert.Equal(Fp, FingerprintWindow.FpOf(Fp));
        Assert.Equal("~short", FingerprintWindow.FpOf("~short"));
        Assert.Equal("~0123456789g-x", FingerprintWindow.FpOf("~0123456789g-x"));
    }
}
