using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Parley.Abstractions.Model;
using Parley.Client;
using Parley.LoadGen.Clients;
using Parley.Storage.Sqlite;

namespace Parley.LoadGen.Targets;

/// <summary>A server under test: where it listens, its users, and (when local) its process for /proc figures.</summary>
public sealed class Target : IAsyncDisposable
{
    private readonly ServerProcess? _process;
    private readonly string? _dataDirectory;

    private Target(string name, TargetEndpoints endpoints, IReadOnlyList<LoadUser> users, long groupId, ServerProcess? process, int? pid, string? dataDirectory)
    {
        Name = name;
        Endpoints = endpoints;
        Users = users;
        GroupId = groupId;
        _process = process;
        Pid = pid;
        _dataDirectory = dataDirectory;
    }

    public string Name { get; }
    public TargetEndpoints Endpoints { get; }
    public IReadOnlyList<LoadUser> Users { get; }
    /// <summary>The fan-out group (Parley: a group whose members are the first users; hub: the group "g").</summary>
    public long GroupId { get; }
    /// <summary>The server's process id when it runs on this machine (its /proc figures are reported).</summary>
    public int? Pid { get; }
    public bool IsParley => Name.StartsWith("parley", StringComparison.Ordinal);
    public Uri BaseUri => new($"http://{Endpoints.Http}/");

    /// <summary>127.0.0.1 … 127.0.0.8 as client source addresses: eight times the ephemeral ports of one.</summary>
    private static readonly IPAddress[] LoopbackSources = Enumerable.Range(1, 8).Select(i => IPAddress.Parse($"127.0.0.{i}")).ToArray();

    public static async Task<Target> StartParleyAsync(RunOptions o, int users, int groupMembers)
    {
        var dir = Path.Combine(Path.GetTempPath(), "parley-loadgen-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var key = RandomNumberGenerator.GetBytes(32);
        var groupId = await SeedAsync(Path.Combine(dir, SqliteStorageOptions.DefaultFileName), users, groupMembers);
        var http = ServerProcess.FreePort();
        var udp = ServerProcess.FreePort(udp: true);
        var tcp = ServerProcess.FreePort();
        string[] args =
        [
            $"--urls=http://127.0.0.1:{http}",
            $"--Parley:DataDirectory={dir}",
            $"--Parley:Sqlite:Synchronous={o.Sync}",
            $"--Parley:Auth:SigningKey={Convert.ToBase64String(key)}",
            "--Parley:Http:AuthPermitsPerMinute=100000",
            // One client per user sending as fast as it can: lift the per-connection rate limit (20/s by default).
            "--Parley:Connections:RatePerSecond=100000",
            "--Parley:Connections:RateBurst=100000",
            "--Parley:Connections:FloodDropThreshold=1000000",
            "--Parley:Connections:IdleTimeoutMs=600000",
            $"--Parley:MobileImSdk:Udp:Port={udp}",
            $"--Parley:MobileImSdk:Tcp:Port={tcp}",
            "--Parley:MobileImSdk:WebSocket:Port=-1",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
            .. o.ServerArgs,
        ];
        var process = ServerProcess.Start(o.ServerDll, args, Path.Combine(dir, "server.log"), o.ServerEnvironment);
        try
        {
            var endpoints = new TargetEndpoints(new IPEndPoint(IPAddress.Loopback, http), new IPEndPoint(IPAddress.Loopback, udp),
                new IPEndPoint(IPAddress.Loopback, tcp), LoopbackSources);
            await process.WaitHealthyAsync(new Uri($"http://127.0.0.1:{http}/health"), TimeSpan.FromSeconds(60));
            var list = Enumerable.Range(0, users).Select(i => new LoadUser(i, i + 1, Account(i), Token(key, i + 1, Account(i)))).ToList();
            return new Target($"parley (sqlite {o.Sync.ToLowerInvariant()})", endpoints, list, groupId, process, process.Pid, dir);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public static async Task<Target> StartHubAsync(RunOptions o, int users)
    {
        var dir = Path.Combine(Path.GetTempPath(), "parley-loadgen-hub-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var http = ServerProcess.FreePort();
        string[] args = [$"--urls=http://127.0.0.1:{http}", "--Logging:LogLevel:Default=Warning", .. o.HubArgs];
        var process = ServerProcess.Start(o.HubDll, args, Path.Combine(dir, "hub.log"), o.ServerEnvironment);
        try
        {
            await process.WaitHealthyAsync(new Uri($"http://127.0.0.1:{http}/health"), TimeSpan.FromSeconds(60));
            var endpoints = new TargetEndpoints(new IPEndPoint(IPAddress.Loopback, http), null, null, LoopbackSources);
            return new Target("hub", endpoints, HubUsers(users), 0, process, process.Pid, dir);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private static List<LoadUser> HubUsers(int users) => Enumerable.Range(0, users).Select(i => new LoadUser(i, i, "u" + i, "")).ToList();

    /// <summary>
    /// A server started elsewhere (<c>--url</c>). The hub needs nothing; Parley users are registered through REST
    /// (PBKDF2 on the server: slow for thousands). Its process is measured only when <c>--server-pid</c> names it.
    /// </summary>
    public static async Task<Target> ConnectAsync(RunOptions o, bool hub, int users, int groupMembers)
    {
        var url = o.Url!;
        var addresses = await TargetPolicy.ResolveAsync(url.Host);
        var address = addresses[0];
        var http = new IPEndPoint(address, url.Port);
        var loopback = addresses.All(IPAddress.IsLoopback);
        IReadOnlyList<IPAddress>? sources = loopback && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? LoopbackSources : null;
        if (hub) return new Target("hub", new TargetEndpoints(http, null, null, sources), HubUsers(users), 0, null, o.ServerPid, null);

        var api = new ParleyApiClient(url);
        var run = Guid.NewGuid().ToString("N")[..6];
        var list = new List<LoadUser>(users);
        for (var i = 0; i < users; i++)
        {
            var name = $"lg{run}{i}";
            await api.RegisterAsync(name, "loadgen-password", name);
            var login = await api.LoginAsync(name, "loadgen-password");
            list.Add(new LoadUser(i, login.User.Id, name, login.Token));
        }
        long groupId = 0;
        if (groupMembers > 0)
        {
            var owner = new ParleyApiClient(url) { AccessToken = list[0].Token };
            var group = await owner.CreateGroupAsync("loadgen " + run);
            groupId = group.Id;
            for (var i = 1; i < groupMembers; i++) await new ParleyApiClient(url) { AccessToken = list[i].Token }.JoinGroupAsync(groupId);
        }
        return new Target("parley", new TargetEndpoints(http, o.MimUdp, o.MimTcp, sources), list, groupId, null, o.ServerPid, null);
    }

    private static string Account(int index) => "lg" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Accounts and the group written straight into the new database: PBKDF2 per account through REST would take minutes.</summary>
    private static async Task<long> SeedAsync(string path, int users, int groupMembers)
    {
        await using var db = SqliteDatabase.Open(new SqliteStorageOptions { Path = path, Synchronous = SqliteSynchronous.Off });
        var accounts = new SqliteAccountStore(db);
        var hash = new Parley.Server.Auth.AspNetPasswordHashing().Hash("loadgen-password");
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < users; i++)
        {
            var created = await accounts.TryCreateAsync(new Account { Name = Account(i), DisplayName = Account(i), PasswordHash = hash, CreatedAt = now })
                ?? throw new InvalidOperationException("seeding failed");
            if (created.Id != i + 1) throw new InvalidOperationException($"account {Account(i)} got id {created.Id}, expected {i + 1}");
        }
        if (groupMembers <= 0) return 0;
        var groups = new SqliteGroupStore(db);
        var messages = new SqliteMessageStore(db);
        var group = await groups.CreateAsync("loadgen", 1, inviteOnly: false);
        var conversation = ConversationId.Group(group.Id).Value;
        await messages.AddParticipantAsync(conversation, 1, 0);
        for (var i = 1; i < groupMembers; i++)
        {
            await groups.AddMemberAsync(group.Id, i + 1, GroupRole.Member);
            await messages.AddParticipantAsync(conversation, i + 1, 0);
        }
        return group.Id;
    }

    /// <summary>A JWT as Parley's TokenService issues it, signed with the key the server was started with.</summary>
    private static string Token(byte[] key, long userId, string name)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "parley",
            Audience = "parley",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddDays(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId.ToString(CultureInfo.InvariantCulture),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                ["name"] = name,
                ["iat_ms"] = new DateTimeOffset(now).ToUnixTimeMilliseconds(),
            },
        });
    }

    /// <summary>The server's CPU seconds so far (NaN when it is not a local process).</summary>
    public double CpuSeconds() => Pid is { } pid && ProcStats.Available(pid) ? ProcStats.CpuSeconds(pid) : double.NaN;

    public (long Rss, long Peak) Memory() => Pid is { } pid && ProcStats.Available(pid) ? ProcStats.Memory(pid) : (0, 0);

    public long UdpDrops() => Endpoints.MimUdp is { } udp && Pid is not null ? ProcStats.UdpDrops(udp.Port) : 0;

    public bool Exited => _process?.HasExited ?? false;

    public string? LogPath => _process?.LogPath;

    public async Task<MetricsSnapshot?> ScrapeAsync()
    {
        if (!IsParley) return null;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try { return await MetricsSnapshot.ScrapeAsync(http, BaseUri); }
        catch (HttpRequestException) { return null; }
        catch (TaskCanceledException) { return null; }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_dataDirectory is not null)
        {
            try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
