using Microsoft.Extensions.Logging;
using Parley.Abstractions;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Model;
using Parley.Core.Diagnostics;

namespace Parley.Core.Messaging;

/// <summary>
/// Calls the application's hooks. Notifications that cannot refuse are fire-and-forget (a slow hook never
/// stalls fan-out), and hooks the application did not override are skipped without allocating.
/// </summary>
public sealed class HookRunner
{
    private readonly ParleyHooks _hooks;
    private readonly ILogger _logger;
    private readonly bool _afterDelivered;
    private readonly bool _deliveryFailed;
    private readonly bool _online;
    private readonly bool _offline;

    public HookRunner(ParleyHooks hooks, ILogger<HookRunner> logger)
    {
        _hooks = hooks;
        _logger = logger;
        _afterDelivered = Overrides(nameof(ParleyHooks.AfterDeliveredAsync));
        _deliveryFailed = Overrides(nameof(ParleyHooks.OnDeliveryFailedAsync));
        _online = Overrides(nameof(ParleyHooks.OnOnlineAsync));
        _offline = Overrides(nameof(ParleyHooks.OnOfflineAsync));
    }

    public ParleyHooks Hooks => _hooks;

    private bool Overrides(string method) => _hooks.GetType().GetMethod(method)!.DeclaringType != typeof(ParleyHooks);

    public async ValueTask<HookDecision> VerifyLoginAsync(LoginContext context, CancellationToken ct)
    {
        try { return await _hooks.VerifyLoginAsync(context, ct); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CoreLog.HookFailed(_logger, ex, nameof(ParleyHooks.VerifyLoginAsync));
            return HookDecision.Reject("login check failed");
        }
    }

    public async ValueTask<HookDecision> VerifyClientLoginAsync(ClientLoginContext context, CancellationToken ct)
    {
        try { return await _hooks.VerifyClientLoginAsync(context, ct); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CoreLog.HookFailed(_logger, ex, nameof(ParleyHooks.VerifyClientLoginAsync));
            return HookDecision.Reject("login check failed");
        }
    }

    public async ValueTask<HookDecision> BeforeSendAsync(MessageDraft draft, CancellationToken ct)
    {
        try { return await _hooks.BeforeSendAsync(draft, ct); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CoreLog.HookFailed(_logger, ex, nameof(ParleyHooks.BeforeSendAsync));
            return HookDecision.Reject("message check failed");
        }
    }

    public void Online(IConnectionInfo connection, bool first)
    {
        if (_online) Observe(_hooks.OnOnlineAsync(connection, first), nameof(ParleyHooks.OnOnlineAsync));
    }

    public void Offline(IConnectionInfo connection, DisconnectCode code, bool last)
    {
        if (_offline) Observe(_hooks.OnOfflineAsync(connection, code, last), nameof(ParleyHooks.OnOfflineAsync));
    }

    public void Delivered(ChatMessage message, long recipientId, int connections)
    {
        if (_afterDelivered) Observe(_hooks.AfterDeliveredAsync(message, recipientId, connections), nameof(ParleyHooks.AfterDeliveredAsync));
    }

    public void DeliveryFailed(ChatMessage message, long recipientId, DeliveryFailure failure)
    {
        if (_deliveryFailed) Observe(_hooks.OnDeliveryFailedAsync(message, recipientId, failure), nameof(ParleyHooks.OnDeliveryFailedAsync));
    }

    /// <summary>Runs a hook call to completion in the background, logging failures.</summary>
    public void Observe(ValueTask pending, string hook)
    {
        if (pending.IsCompletedSuccessfully) return;
        _ = ObserveSlow(pending, hook);
    }

    private async Task ObserveSlow(ValueTask pending, string hook)
    {
        try { await pending; }
        catch (Exception ex) { CoreLog.HookFailed(_logger, ex, hook); }
    }
}
