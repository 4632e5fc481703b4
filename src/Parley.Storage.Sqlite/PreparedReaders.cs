using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Parley.Storage.Sqlite;

/// <summary>
/// Read connections that keep their hot statements prepared. A pooled <see cref="SqliteConnection"/> with a new
/// command per call re-parses the SQL every time (the parser showed at the top of a send's profile: each direct
/// message checks blocks twice and its client message id once). Here a read rents a connection, reuses the
/// command prepared for that SQL on it, binds and steps: no open, no parse. Reads are synchronous (SQLite is),
/// which also saves the async state machines of the pooled path.
/// </summary>
internal sealed class PreparedReaders(string connectionString) : IDisposable
{
    private const int MaxIdle = 16;
    private readonly ConcurrentBag<Slot> _idle = [];
    private bool _disposed;

    public T Read<TState, T>(string sql, TState state, Action<SqliteParameterCollection, TState> bind, Func<SqliteDataReader, T> read)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_idle.TryTake(out var slot)) slot = new Slot(connectionString);
        var healthy = false;
        try
        {
            var command = slot.Command(sql);
            bind(command.Parameters, state);
            T result;
            using (var reader = command.ExecuteReader())
            {
                result = read(reader);
            }
            healthy = true;
            return result;
        }
        finally
        {
            if (healthy && !_disposed && _idle.Count < MaxIdle) _idle.Add(slot);
            else slot.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var slot)) slot.Dispose();
    }

    private sealed class Slot : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        public Slot(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
        }

        public SqliteCommand Command(string sql)
        {
            if (!_commands.TryGetValue(sql, out var command))
            {
                command = _connection.CreateCommand();
                command.CommandText = sql;
                _commands[sql] = command;
            }
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values) command.Dispose();
            _connection.Dispose();
        }
    }
}
