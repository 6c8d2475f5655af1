-- ValeChat schema, first cut: providers, conversations, messages and the
-- full-text index over message text. Times are UTC unix milliseconds.

CREATE TABLE providers (
    -- Slug of the name: "openai", "ollama-2".
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    -- Wire protocol, e.g. "openai_compatible".
    kind TEXT NOT NULL,
    base_url TEXT NOT NULL,
    -- Whether a key is stored in the system keyring; the key itself never is here.
    has_api_key BOOLEAN NOT NULL DEFAULT 0,
    default_model TEXT,
    enabled BOOLEAN NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    title TEXT NOT NULL,
    provider_id TEXT REFERENCES providers(id) ON DELETE SET NULL,
    model TEXT,
    system_prompt TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX conversations_updated_at ON conversations (updated_at DESC, id DESC);
CREATE INDEX conversations_provider_id ON conversations (provider_id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    -- system | user | assistant
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    reasoning TEXT NOT NULL DEFAULT '',
    -- complete | streaming | incomplete | failed
    status TEXT NOT NULL,
    -- Which provider and model wrote it; kept even after the provider is deleted.
    provider_id TEXT,
    model TEXT,
    finish_reason TEXT,
    error TEXT,
    input_tokens BIGINT,
    output_tokens BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX messages_conversation_id ON messages (conversation_id, id);
CREATE INDEX messages_status ON messages (status);

-- External-content FTS5 index over messages.content, kept in step by triggers
-- (https://sqlite.org/fts5.html#external_content_tables).
CREATE VIRTUAL TABLE messages_fts USING fts5(
    content,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_fts_after_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;

CREATE TRIGGER messages_fts_after_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;

CREATE TRIGGER messages_fts_after_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
