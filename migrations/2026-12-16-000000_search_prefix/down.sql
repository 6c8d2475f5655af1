-- The index without prefix indexes, as 2026-11-21-000000_initial made it.

DROP TABLE messages_fts;

CREATE VIRTUAL TABLE messages_fts USING fts5(
    content,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
