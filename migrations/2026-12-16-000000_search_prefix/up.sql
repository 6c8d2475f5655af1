-- Prefix indexes for the full-text search (issue 14, part 3): FTS5 keeps
-- the 2- and 3-character prefixes of every token
-- (https://sqlite.org/fts5.html#prefix_indexes), so a query of one or two
-- letters typed so far (`"ta"*`, `"tav"*`) reads one doclist instead of
-- merging those of every word that starts so.
--
-- FTS5 cannot change a table's options in place: the index is dropped,
-- made again with the same columns, content table and tokenizer, and
-- rebuilt from `messages` (every row of every branch stays searchable).
-- The triggers on `messages` that keep it in step name it, not its
-- options, and stay as they are.

DROP TABLE messages_fts;

CREATE VIRTUAL TABLE messages_fts USING fts5(
    content,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
