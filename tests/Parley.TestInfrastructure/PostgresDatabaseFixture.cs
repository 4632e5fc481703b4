using Xunit;

namespace Parley.TestInfrastructure;

/// <summary>
/// An xunit class or collection fixture: a fresh, empty database on the process-wide <see cref="PostgresServer"/>,
/// dropped when the class (or collection) is done. Use its <see cref="ConnectionString"/> for every node of a test.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("fixture not initialised");

    /// <summary>Connection string of this fixture's own database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.SharedAsync();
        ConnectionString = await _server.CreateDatabaseAsync("parley");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null && ConnectionString.Length > 0) await _server.DropDatabaseAsync(ConnectionString);
    }
}
