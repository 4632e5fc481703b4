using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Stores;
using Parley.Core.Auth;
using Parley.Core.Diagnostics;
using Parley.Core.Messaging;
using Parley.Core.Options;
using Parley.Core.Services;
using Parley.Core.Sessions;

namespace Parley.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine and services. Expects <see cref="ParleyOptions"/> configured, the stores, and an
    /// <see cref="IPasswordHashing"/>; hooks default to <see cref="ParleyHooks"/> (allow everything).
    /// </summary>
    public static IServiceCollection AddParleyCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ParleyHooks>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ParleyOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<ParleyOptions>().Messaging);
        services.AddSingleton(sp => sp.GetRequiredService<ParleyOptions>().Connections);
        services.AddSingleton(sp => sp.GetRequiredService<ParleyOptions>().Auth);
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<ParleyMetrics>();
        services.AddSingleton<HookRunner>();
        services.AddSingleton<AccountDirectory>();
        services.AddSingleton<GroupDirectory>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<ParleyOptions>();
            var key = string.IsNullOrWhiteSpace(options.Auth.SigningKey)
                ? SigningKeyFile.LoadOrCreate(options.DataDirectory, out _, out _)
                : Convert.FromBase64String(options.Auth.SigningKey);
            return new TokenService(key, options.Auth, sp.GetRequiredService<AccountDirectory>(), sp.GetRequiredService<IAccountStore>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<AccountService>();
        services.AddSingleton<FriendService>();
        services.AddSingleton<GroupService>();
        services.AddSingleton<ConversationService>();
        services.AddSingleton<SearchService>();
        services.AddSingleton<PresenceService>();
        services.AddSingleton<ConversationAccess>();
        services.AddSingleton<MessagePipeline>();
        services.AddSingleton<Delivery>();
        services.AddSingleton<ChatEngine>();
        services.AddHostedService<EngineLifetime>();
        services.AddHostedService<IdleSweeper>();
        return services;
    }
}
