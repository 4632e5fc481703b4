using Microsoft.Extensions.Logging;
using Parley.Abstractions.Stores;

namespace Parley.Transports.MobileImSdk;

public sealed partial class MobileImGateway
{
    private const int MaxReloadedFingerprints = 4_000_000;
    // Null: fps are stored as they are (a cluster, the window off, or a store that cannot list stored ids).
    private FingerprintWindow? _fingerprints;
    private readonly Task _fingerprintsLoaded = Task.CompletedTask;

    /// <summary>The client message id a sender's fp is stored under (see <see cref="FingerprintWindow"/>).</summary>
    private async ValueTask<string?> StoredIdOfAsync(long userId, string? fp)
    {
        if (string.IsNullOrEmpty(fp)) return null;
        if (!_fingerprintsLoaded.IsCompleted) await _fingerprintsLoaded;
        return _fingerprints is { } window
            ? window.ClientMsgIdOf(userId, fp, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
            : ClientMsgIdOf(fp);
    }

    /// <summary>
    /// After a restart, the fps stored within the resend window: a client that resends to the new process must get
    /// the id its first copy was stored under. A store that cannot list them keeps fps as they are.
    /// </summary>
    private async Task LoadFingerprintsAsync(IMessageStore messages)
    {
        await Task.Yield();
        var window = _fingerprints!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var (from, to) = window.LoadRange(now);
        try
        {
            var stored = await messages.ListClientMsgIdsAsync(from, to, MaxReloadedFingerprints);
            if (stored is null) _fingerprints = null;
            else window.Load(stored, now);
        }
        catch (Exception ex)
        {
            // Without them a resend of a message stored just before the restart could be stored twice; fps as they
            // are stay exact, at the cost of the random index pages.
            Log.FingerprintsUnavailable(_logger, ex);
            _fingerprints = null;
        }
    }
}
