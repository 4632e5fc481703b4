using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using System.Text.Json;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Cluster;
using Parley.Abstractions.Files;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Stores;
using Parley.Core.Auth;
using Parley.Core.Clients;
using Parley.Core.Cluster;
using Parley.Core.Diagnostics;
using Parley.Core.Files;
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
        services.AddSingleton(sp => sp.GetRequiredService<ParleyOptions>().Cluster);
        // The cluster engines: in-memory by default (a private hub = one node); a cluster provider replaces them.
        services.TryAddSingleton(sp => new NodeIdentity(sp.GetRequiredService<ClusterOptions>().ResolveNodeId()));
        services.TryAddSingleton(_ => new InMemoryClusterHub(shared: false));
        services.TryAddSingleton<IBroker>(sp => new InMemoryBroker(sp.GetRequiredService<InMemoryClusterHub>(), sp.GetRequiredService<NodeIdentity>().Id));
        services.TryAddSingleton<IPresence>(sp => new InMemoryPresence(sp.GetRequiredService<InMemoryClusterHub>(), sp.GetRequiredService<NodeIdentity>().Id));
        services.AddSingleton<ClusterBus>();
        services.AddSingleton<SessionControl>();
        services.AddSingleton<ClusterClients>();
        services.AddSingleton<ClusterRecovery>();
        services.AddSingleton(sp => sp.GetRequiredService<ParleyOptions>().Files);
        // The default blob store; a host that configured another (S3) registered it first.
        services.TryAddSingleton<IBlobStore>(sp =>
        {
            var options = sp.GetRequiredService<ParleyOptions>();
            var directory = string.IsNullOrWhiteSpace(options.Files.Directory) ? Path.Combine(options.DataDirectory, "files") : options.Files.Directory;
            return new LocalDiskBlobStore(directory);
        });
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<ClientKinds>();
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
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ClientKinds>(), sp.GetRequiredService<ClusterBus>());
        });
        services.AddSingleton<AccountService>();
        services.AddSingleton<SocialNotices>();
        services.AddSingleton<FriendService>();
        services.AddSingleton<GroupService>();
        services.AddSingleton<ConversationService>();
        services.AddSingleton<SearchService>();
        services.AddSingleton<PresenceService>();
        services.AddSingleton<ConversationAccess>();
        services.AddSingleton<MessagePipeline>();
        services.AddSingleton<Delivery>();
        services.AddSingleton<FileService>();
        services.AddSingleton<MediaAttachments>();
        services.AddSingleton<ChatEngine>();
        services.AddSingleton<LocalClientCallDispatcher>();
        // Calls reach a connection on any node (on one node: the local dispatcher, directly).
        services.AddSingleton<ClusterClientCallDispatcher>();
        services.TryAddSingleton<IClientCallDispatcher>(sp => sp.GetRequiredService<ClusterClientCallDispatcher>());
        services.AddSingleton<IClientCalls, ClientCalls>();
        services.AddSingleton<ClientRpc>();
        services.AddSingleton<ClientAuthService>();
        services.AddHostedService<EngineLifetime>();
        services.AddHostedService<ConnectionSweeper>();
        services.AddHostedService<OrphanSweeper>();
        return services;
    }

    /// <summary>
    /// Registers a handler for client → server queries of <paramref name="method"/> from connections of
    /// <paramref name="kind"/> (a client kind, <see cref="ClientQueryKinds.Users"/> for plain user connections, or
    /// <see cref="ClientQueryKinds.Any"/>). Two handlers for the same kind and method stop the server at start.
    /// </summary>
    public static IServiceCollection AddParleyClientMethod(this IServiceCollection services, string kind, string method,
        Func<ClientQueryContext, CancellationToken, ValueTask<JsonElement?>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return services.AddSingleton<IClientQueryHandler>(new DelegateClientQueryHandler(kind, method, handler));
    }

    /// <summary>Like the other overload, for a handler that needs services (resolved once, from the root provider).</summary>
    public static IServiceCollection AddParleyClientMethod(this IServiceCollection services, string kind, string method,
        Func<IServiceProvider, ClientQueryContext, CancellationToken, ValueTask<JsonElement?>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return services.AddSingleton<IClientQueryHandler>(sp => new DelegateClientQueryHandler(kind, method, (c, ct) => handler(sp, c, ct)));
    }
}
