namespace Parley.Storage.Sqlite;

/// <summary>
/// The schema as an ordered list of migrations: migration i brings the database to <c>user_version</c> i + 1.
/// Append new migrations; never edit one that has shipped.
/// </summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: initial schema. Times are Unix milliseconds.
        """
        CREATE TABLE accounts (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            name              TEXT    NOT NULL COLLATE NOCASE UNIQUE,
            display_name      TEXT    NOT NULL,
            avatar_url        TEXT,
            bio               TEXT,
            password_hash     TEXT    NOT NULL,
            disabled          INTEGER NOT NULL DEFAULT 0,
            direct_messages   INTEGER NOT NULL DEFAULT 0,
            tokens_not_before INTEGER NOT NULL DEFAULT 0,
            created_at        INTEGER NOT NULL
        );

        CREATE TABLE revoked_tokens (
            token_id   TEXT    PRIMARY KEY,
            expires_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX ix_revoked_tokens_expires ON revoked_tokens (expires_at);

        CREATE TABLE friend_requests (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            from_user_id INTEGER NOT NULL,
            to_user_id   INTEGER NOT NULL,
            message      TEXT,
            status       INTEGER NOT NULL DEFAULT 0,
            created_at   INTEGER NOT NULL
        );
        -- at most one pending request per ordered pair
        CREATE UNIQUE INDEX ux_friend_requests_pending ON friend_requests (from_user_id, to_user_id) WHERE status = 0;
        CREATE INDEX ix_friend_requests_to_pending ON friend_requests (to_user_id) WHERE status = 0;

        -- one row per direction
        CREATE TABLE friendships (
            user_id    INTEGER NOT NULL,
            friend_id  INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, friend_id)
        ) WITHOUT ROWID;

        CREATE TABLE blocks (
            user_id    INTEGER NOT NULL,
            blocked_id INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, blocked_id)
        ) WITHOUT ROWID;

        CREATE TABLE groups (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            name        TEXT    NOT NULL,
            owner_id    INTEGER NOT NULL,
            invite_only INTEGER NOT NULL DEFAULT 0,
            dissolved   INTEGER NOT NULL DEFAULT 0,
            created_at  INTEGER NOT NULL
        );

        -- a rowid table on purpose: rowid breaks ties between members who joined in the same millisecond
        CREATE TABLE group_members (
            group_id  INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
            user_id   INTEGER NOT NULL,
            role      INTEGER NOT NULL,
            joined_at INTEGER NOT NULL,
            PRIMARY KEY (group_id, user_id)
        );
        CREATE INDEX ix_group_members_user ON group_members (user_id);

        CREATE TABLE group_invites (
            group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
            user_id    INTEGER NOT NULL,
            invited_by INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (group_id, user_id)
        ) WITHOUT ROWID;

        CREATE TABLE conversations (
            conversation_id TEXT    PRIMARY KEY,
            last_seq        INTEGER NOT NULL DEFAULT 0,
            last_message_id TEXT,
            updated_at      INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX ix_conversations_updated ON conversations (updated_at);

        CREATE TABLE participants (
            conversation_id TEXT    NOT NULL REFERENCES conversations (conversation_id),
            user_id         INTEGER NOT NULL,
            delivered_seq   INTEGER NOT NULL DEFAULT 0,
            read_seq        INTEGER NOT NULL DEFAULT 0,
            joined_seq      INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (conversation_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_participants_user ON participants (user_id);

        -- (conversation_id, seq) is the primary key index: range reads and unread counts seek on it
        CREATE TABLE messages (
            conversation_id TEXT    NOT NULL,
            seq             INTEGER NOT NULL,
            id              TEXT    NOT NULL,
            sender_id       INTEGER NOT NULL,
            sender_name     TEXT    NOT NULL,
            recipient_id    INTEGER,
            group_id        INTEGER,
            kind            TEXT    NOT NULL,
            text            TEXT,
            payload         TEXT,
            client_msg_id   TEXT,
            ts              INTEGER NOT NULL,
            PRIMARY KEY (conversation_id, seq)
        );
        CREATE UNIQUE INDEX ux_messages_client_msg_id ON messages (sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
        """,

        // 2: uploads. Several file rows may share one blob (sha256); a file is kept while a message refers to it or
        // it is someone's avatar, and swept as an orphan some time after its upload otherwise.
        """
        CREATE TABLE files (
            id           TEXT    PRIMARY KEY,
            owner_id     INTEGER NOT NULL,
            kind         TEXT    NOT NULL,
            name         TEXT    NOT NULL,
            content_type TEXT    NOT NULL,
            size         INTEGER NOT NULL,
            sha256       TEXT    NOT NULL,
            created_at   INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX ix_files_sha256 ON files (sha256);
        CREATE INDEX ix_files_created ON files (created_at);

        CREATE TABLE file_refs (
            file_id         TEXT NOT NULL REFERENCES files (id),
            message_id      TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            PRIMARY KEY (file_id, message_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_file_refs_message ON file_refs (message_id);
        CREATE INDEX ix_file_refs_conversation ON file_refs (conversation_id);

        CREATE TABLE avatars (
            user_id    INTEGER PRIMARY KEY,
            file_id    TEXT    NOT NULL REFERENCES files (id),
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX ix_avatars_file ON avatars (file_id);
        """,

        // 3: the idempotency index leads with the client message id. Clients that make time-ordered ids (the C# SDK's
        // are UUIDv7) then append at the index's right edge, so a commit of many senders' messages dirties a page
        // or two of it instead of one page per sender; random ids cost what they did before.
        """
        DROP INDEX ux_messages_client_msg_id;
        CREATE UNIQUE INDEX ux_messages_client_msg_id_first ON messages (client_msg_id, sender_id) WHERE client_msg_id IS NOT NULL;
        """,

        // 4: a conversation's last seq and activity are read from its newest message (the (conversation_id, seq)
        // index's last entry) instead of being kept in its row. Rewriting the row and its updated_at index entry with
        // every commit dirtied two or three more pages per conversation a batch touched, on top of the one its
        // messages need. What is left, created_at, orders conversations without messages; they never had their
        // updated_at moved, so it is their creation time.
        """
        DROP INDEX ix_conversations_updated;
        ALTER TABLE conversations DROP COLUMN last_seq;
        ALTER TABLE conversations DROP COLUMN last_message_id;
        ALTER TABLE conversations RENAME COLUMN updated_at TO created_at;
        """,
    ];

    public static int LatestVersion => Migrations.Count;
}
