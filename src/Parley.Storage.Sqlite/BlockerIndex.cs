using System.Collections.Concurrent;

namespace Parley.Storage.Sqlite;

/// <summary>
/// The ids of users who block anyone, kept in memory for the database this process owns: "has A blocked B" runs
/// twice per direct message, and almost always A blocks nobody, which this answers without a query. Loaded on
/// first use; a block adds its user before the row is written, so a check can never miss a block. An unblock leaves
/// the id in (the query then answers), which errs only on the slow side.
/// </summary>
internal sealed class BlockerIndex(SqliteDatabase db)
{
    private readonly Lock _gate = new();
    private ConcurrentDictionary<long, byte>? _blockers;

    public bool MayBlock(long userId) => Loaded().ContainsKey(userId);

    public void Add(long userId) => Loaded().TryAdd(userId, 0);

    private ConcurrentDictionary<long, byte> Loaded()
    {
        if (Volatile.Read(ref _blockers) is { } loaded) return loaded;
        lock (_gate)
        {
            if (_blockers is not null) return _blockers;
            var set = new ConcurrentDictionary<long, byte>();
            db.Readers.Read("SELECT DISTINCT user_id FROM blocks", set, static (_, _) => { }, r =>
            {
                while (r.Read()) set.TryAdd(r.GetInt64(0), 0);
                return 0;
            });
            Volatile.Write(ref _blockers, set);
            return set;
        }
    }
}
